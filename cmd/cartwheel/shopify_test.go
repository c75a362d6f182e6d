package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/store"
)

const (
	testShopDomain = "test-shop.myshopify.com"
	testAppKey     = "test-app-key"
	testAppSecret  = "test-app-secret-0123456789"
)

// shopifySample reads a delivery body from the connector's test data.
func shopifySample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "connectors", "shopify", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withFields returns body with some top-level fields replaced.
func withFields(t *testing.T, body []byte, fields map[string]any) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		b, _ := json.Marshal(v)
		m[k] = b
	}
	out, _ := json.Marshal(m)
	return out
}

// deliver posts a Shopify delivery signed with secret and returns the
// status and the answer.
func deliver(t *testing.T, inst *instance, topic, id, secret string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", inst.url("/webhooks/shopify"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(shopify.HeaderTopic, topic)
	req.Header.Set(shopify.HeaderShopDomain, testShopDomain)
	req.Header.Set(shopify.HeaderWebhookID, id)
	req.Header.Set(shopify.HeaderHmac, shopify.SignWebhook(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

type shopStatusJSON struct {
	Shop struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Currency string `json:"currency"`
	} `json:"shop"`
	Syncs []struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Done          int    `json:"done"`
		LastSuccessAt string `json:"last_success_at"`
	} `json:"syncs"`
	Deliveries struct {
		Counts map[string]int `json:"counts"`
	} `json:"deliveries"`
	LastSyncAt string `json:"last_sync_at"`
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// installShopify runs the app install against the fake Admin API and
// returns an admin client scoped to the new workspace and the shop id.
func installShopify(t *testing.T, inst *instance, fake *shopifytest.Server) (apiClient, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	now := strconv.FormatInt(time.Now().Unix(), 10)

	q := url.Values{"shop": {testShopDomain}, "timestamp": {now}}
	q.Set("hmac", shopify.SignQuery(testAppSecret, q))
	resp, err := browser.Get(inst.url("/shopify/install?" + q.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("install: %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	state := loc.Query().Get("state")
	if loc.Host != testShopDomain || loc.Path != "/admin/oauth/authorize" || loc.Query().Get("client_id") != testAppKey ||
		!strings.Contains(loc.Query().Get("scope"), "write_discounts") || state == "" ||
		loc.Query().Get("redirect_uri") != inst.cfg.PublicURL+"/shopify/callback" {
		t.Fatalf("authorize redirect %s", loc)
	}

	callback := func(state, hmacSecret string) (int, string) {
		cb := url.Values{"code": {"install-code"}, "shop": {testShopDomain}, "state": {state}, "timestamp": {now}}
		cb.Set("hmac", shopify.SignQuery(hmacSecret, cb))
		resp, err := browser.Get(inst.url("/shopify/callback?" + cb.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A forged callback (wrong HMAC) and one with another state are refused
	// before the code is spent.
	if code, _ := callback(state, "not-the-app-secret"); code != 400 {
		t.Fatalf("forged callback: %d", code)
	}
	if code, _ := callback("st_someone-elses-state", testAppSecret); code != 400 {
		t.Fatalf("callback with a foreign state: %d", code)
	}
	code, page := callback(state, testAppSecret)
	if code != 200 || !strings.Contains(page, "pk_") || !strings.Contains(page, testShopDomain) {
		t.Fatalf("callback: %d %s", code, page)
	}

	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var wss struct {
		Workspaces []wsJSON `json:"workspaces"`
	}
	admin.do("GET", "/api/v1/workspaces", nil, &wss)
	for _, w := range wss.Workspaces {
		if w.Name == "test-shop" {
			admin.ws = w.ID
		}
	}
	if admin.ws == "" {
		t.Fatalf("no workspace for the installed shop in %+v", wss)
	}
	var shops struct {
		Shops []shopJSON `json:"shops"`
	}
	admin.do("GET", "/api/v1/shops", nil, &shops)
	if len(shops.Shops) != 1 || shops.Shops[0].Domain != testShopDomain {
		t.Fatalf("shops %+v", shops)
	}
	return admin, shops.Shops[0].ID
}

func TestShopifyInstallWebhooksAndPrivacy(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SetOAuth(testAppKey, testAppSecret, "install-code", "")
	fake.SetToken("shpat_installed")
	ids := fake.SeedProducts(120)
	inst, logs := startTest(t, testEnv(t, t.TempDir(), map[string]string{
		"CARTWHEEL_SHOPIFY_API_KEY": testAppKey, "CARTWHEEL_SHOPIFY_API_SECRET": testAppSecret,
		"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(), "CARTWHEEL_SYNC_INTERVAL": "0",
	}))
	admin, shopID := installShopify(t, inst, fake)

	// The install registered every webhook topic, pointing at this server.
	subs := fake.Webhooks()
	if len(subs) != len(shopify.DefaultTopics()) {
		t.Fatalf("%d webhook subscriptions, want %d", len(subs), len(shopify.DefaultTopics()))
	}
	for _, s := range subs {
		if s.URI != inst.cfg.PublicURL+"/webhooks/shopify" {
			t.Fatalf("subscription %+v", s)
		}
	}
	// ...and backfilled the catalogue, variants included.
	status := func() shopStatusJSON {
		var st shopStatusJSON
		admin.do("GET", "/api/v1/shops/"+shopID+"/status", nil, &st)
		return st
	}
	waitFor(t, "catalogue backfill", func() bool { st := status(); return st.LastSyncAt != "" })
	var prods struct {
		Total int `json:"total"`
	}
	admin.do("GET", "/api/v1/products?shop_id="+shopID, nil, &prods)
	if prods.Total != 120 {
		t.Fatalf("%d products after backfill, want 120", prods.Total)
	}
	var p struct {
		ID         string `json:"id"`
		PriceMinor int64  `json:"price_minor"`
		Stock      int64  `json:"stock"`
		Currency   string `json:"currency"`
	}
	if code := admin.do("GET", "/api/v1/products/"+ids[0], nil, &p); code != 200 || p.PriceMinor != 1999 || p.Stock != 12 || p.Currency != "USD" {
		t.Fatalf("product %s: %d %+v", ids[0], code, p)
	}

	send := func(topic, file, id string) int {
		code, body := deliver(t, inst, topic, id, testAppSecret, shopifySample(t, file))
		if code != 200 {
			t.Fatalf("%s: %d %s", topic, code, body)
		}
		return code
	}
	// Every topic, signed as Shopify signs an app's deliveries.
	for i, d := range []struct{ topic, file string }{
		{"products/create", "products_create.json"},
		{"orders/create", "orders_create.json"},
		{"orders/paid", "orders_paid.json"},
		{"checkouts/create", "checkouts_create.json"},
		{"checkouts/update", "checkouts_update.json"},
		{"carts/create", "carts_create.json"},
		{"customers/create", "customers_create.json"},
		{"customers/update", "customers_update.json"},
		{"customers_email_marketing_consent/update", "customers_email_marketing_consent_update_subscribed.json"},
		{"inventory_levels/update", "inventory_levels_update.json"},
		{"products/update", "products_update.json"},
		{"carts/update", "carts_create.json"},
		{"orders/updated", "orders_create.json"},
	} {
		send(d.topic, d.file, "wh-"+strconv.Itoa(i))
	}
	// The paid order is cancelled later; the deleted product is archived.
	cancelled := withFields(t, shopifySample(t, "orders_paid.json"), map[string]any{
		"cancelled_at": "2026-03-02T09:00:00+01:00", "updated_at": "2026-03-02T09:00:00+01:00", "cancel_reason": "customer"})
	if code, body := deliver(t, inst, "orders/cancelled", "wh-cancel", testAppSecret, cancelled); code != 200 {
		t.Fatalf("orders/cancelled: %d %s", code, body)
	}
	send("products/delete", "products_delete.json", "wh-delete")
	waitFor(t, "deliveries processed", func() bool { return status().Deliveries.Counts["done"] == 15 })

	// A redelivery (same webhook id) is acknowledged and not processed again.
	code, body := deliver(t, inst, "orders/create", "wh-1", testAppSecret, shopifySample(t, "orders_create.json"))
	if code != 200 || !strings.Contains(body, `"duplicate":true`) {
		t.Fatalf("duplicate delivery: %d %s", code, body)
	}
	// Bad signature, malformed JSON and unknown topics.
	if code, _ := deliver(t, inst, "orders/create", "wh-bad", "not-the-secret", shopifySample(t, "orders_create.json")); code != 401 {
		t.Fatalf("bad signature: %d", code)
	}
	if code, _ := deliver(t, inst, "orders/create", "wh-malformed", testAppSecret, []byte(`{"id": 1, "line_items": [`)); code != 400 {
		t.Fatalf("malformed JSON: %d", code)
	}
	if code, _ := deliver(t, inst, "orders/edited", "wh-unknown", testAppSecret, []byte(`{"id": 1}`)); code != 200 {
		t.Fatalf("unknown topic: %d", code)
	}
	waitFor(t, "unknown topic recorded as ignored", func() bool { return status().Deliveries.Counts["ignored"] == 1 })
	if !strings.Contains(logs.String(), "webhook topic not handled") {
		t.Fatal("unknown topic not logged")
	}

	// Orders: one order_placed however often delivered, money exact, ids intact.
	var order struct {
		ExternalID string `json:"external_id"`
		TotalMinor int64  `json:"total_minor"`
		Financial  string `json:"financial_status"`
		VisitorID  string `json:"visitor_id"`
		Email      string `json:"email"`
	}
	if code := admin.do("GET", "/api/v1/orders/"+shopID+"-820982911946154508", nil, &order); code != 200 ||
		order.TotalMinor != 40495 || order.ExternalID != "820982911946154508" {
		t.Fatalf("order: %d %+v", code, order)
	}
	var cancelledOrder struct {
		CancelledAt string `json:"cancelled_at"`
	}
	if code := admin.do("GET", "/api/v1/orders/"+shopID+"-5990000000000000001", nil, &order); code != 200 ||
		order.TotalMinor != 10096 || order.Financial != "paid" || order.VisitorID != "123456789012345678901234567890" {
		t.Fatalf("paid order: %d %+v", code, order)
	}
	admin.do("GET", "/api/v1/orders/"+shopID+"-5990000000000000001", nil, &cancelledOrder)
	if cancelledOrder.CancelledAt == "" {
		t.Fatal("orders/cancelled did not cancel the order")
	}
	var deleted struct {
		Status string `json:"status"`
	}
	if code := admin.do("GET", "/api/v1/products/788032119674292922", nil, &deleted); code != 200 || deleted.Status != "archived" {
		t.Fatalf("deleted product: %d %+v", code, deleted)
	}
	var checkouts struct {
		Checkouts []struct {
			Token       string `json:"token"`
			Email       string `json:"email"`
			RecoveryURL string `json:"recovery_url"`
		} `json:"checkouts"`
	}
	admin.do("GET", "/api/v1/checkouts?shop_id="+shopID, nil, &checkouts)
	if len(checkouts.Checkouts) < 2 {
		t.Fatalf("checkouts and carts %+v", checkouts)
	}

	// The customer became a contact with the shop's consent.
	var found struct {
		Contacts []struct {
			ID string `json:"id"`
		} `json:"contacts"`
	}
	admin.do("GET", "/api/v1/contacts?email=bob@biller.com", nil, &found)
	waitFor(t, "customer contact", func() bool {
		admin.do("GET", "/api/v1/contacts?email=bob@biller.com", nil, &found)
		return len(found.Contacts) == 1
	})
	var view struct {
		Identities []struct{ Kind, Value string } `json:"identities"`
		Consents   []struct {
			Channel string `json:"channel"`
			Granted bool   `json:"granted"`
			Source  string `json:"source"`
		} `json:"consents"`
	}
	waitFor(t, "consent recorded", func() bool {
		admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID, nil, &view)
		for _, c := range view.Consents {
			if c.Channel == "email" && c.Granted && c.Source == "shopify" {
				return true
			}
		}
		return false
	})
	hasCustomerID := false
	for _, id := range view.Identities {
		hasCustomerID = hasCustomerID || (id.Kind == "shopify_customer" && id.Value == "706405506930370084")
	}
	if !hasCustomerID {
		t.Fatalf("identities %+v lack the Shopify customer id", view.Identities)
	}

	// Discount codes are created in the shop, unique per request.
	var disc struct {
		Code string `json:"code"`
	}
	if code := admin.do("POST", "/api/v1/shops/"+shopID+"/discount-codes", map[string]any{"percent": 10, "prefix": "WELCOME",
		"customer_id": "706405506930370084", "valid_days": 7}, &disc); code != 201 || !strings.HasPrefix(disc.Code, "WELCOME-") {
		t.Fatalf("discount code: %d %+v", code, disc)
	}
	if ds := fake.Discounts(); len(ds) != 1 || ds[0].Code != disc.Code {
		t.Fatalf("fake shop discounts %+v", ds)
	}

	// Privacy: a data request produces a downloadable export; a redaction
	// erases the person everywhere, event log included. John browsed
	// anonymously first, then was identified.
	const johnVisitor = "vid-john-0123456789"
	var accepted struct {
		Accepted int `json:"accepted"`
	}
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "wishlist_added", "visitor_id": johnVisitor, "properties": map[string]any{"product_id": ids[1]}},
		{"type": "identify", "visitor_id": johnVisitor, "email": "john@example.com", "customer_id": "191167"},
	}}, &accepted); code != 202 || accepted.Accepted != 2 {
		t.Fatalf("john's events: %d %+v", code, accepted)
	}
	waitFor(t, "john identified", func() bool {
		admin.do("GET", "/api/v1/contacts?email=john@example.com", nil, &found)
		return len(found.Contacts) == 1
	})
	if _, err := inst.st.SavePushSubscription(context.Background(), store.PushSubscription{ID: "push_john0000000001",
		WorkspaceID: admin.ws, VisitorID: johnVisitor, Endpoint: "https://push.example/john", P256dh: "k", Auth: "a",
		UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	send("customers/data_request", "customers_data_request.json", "wh-dr")
	send("customers/redact", "customers_redact.json", "wh-redact")
	var prs struct {
		PrivacyRequests []struct {
			ID     string `json:"id"`
			Kind   string `json:"kind"`
			Status string `json:"status"`
		} `json:"privacy_requests"`
	}
	waitFor(t, "privacy requests done", func() bool {
		admin.do("GET", "/api/v1/privacy-requests", nil, &prs)
		done := 0
		for _, p := range prs.PrivacyRequests {
			if p.Status == "done" {
				done++
			}
		}
		return done == 2
	})
	for _, p := range prs.PrivacyRequests {
		if p.Kind != "data_request" {
			continue
		}
		req, _ := http.NewRequest("GET", inst.url("/api/v1/privacy-requests/"+p.ID+"/export"), nil)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		req.Header.Set("X-Cartwheel-Workspace", admin.ws)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ex struct {
			Request struct {
				Email string `json:"email"`
			} `json:"request"`
			Contact *json.RawMessage `json:"contact"`
			Orders  []any            `json:"orders"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &ex) != nil || ex.Request.Email != "john@example.com" ||
			ex.Contact == nil || !strings.Contains(string(b), "wishlist_added") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", resp.StatusCode, b)
		}
	}
	admin.do("GET", "/api/v1/contacts?email=john@example.com", nil, &found)
	if len(found.Contacts) != 0 {
		t.Fatal("redacted customer still has a contact")
	}
	if code := admin.do("GET", "/api/v1/visitors/"+johnVisitor, nil, nil); code != 404 {
		t.Fatalf("redacted customer's anonymous history still there: %d", code)
	}
	if subs, _ := inst.st.VisitorPushSubscriptions(context.Background(), admin.ws, johnVisitor); len(subs) != 0 {
		t.Fatalf("redacted customer's push subscription kept: %+v", subs)
	}

	// Uninstalling disables the shop; shop/redact erases its data.
	send("app/uninstalled", "app_uninstalled.json", "wh-uninstall")
	waitFor(t, "shop disabled", func() bool { return status().Shop.Status == "disabled" })
	send("shop/redact", "shop_redact.json", "wh-shop-redact")
	waitFor(t, "shop redacted", func() bool {
		admin.do("GET", "/api/v1/products?shop_id="+shopID, nil, &prods)
		return prods.Total == 0
	})
	var left struct {
		Orders []any `json:"orders"`
	}
	admin.do("GET", "/api/v1/orders?shop_id="+shopID, nil, &left)
	if len(left.Orders) != 0 {
		t.Fatalf("%d orders left after shop/redact", len(left.Orders))
	}
	// A late delivery for the erased shop is acknowledged, not stored.
	if code, body := deliver(t, inst, "orders/create", "wh-late", testAppSecret, shopifySample(t, "orders_create.json")); code != 200 ||
		!strings.Contains(body, `"ignored":true`) {
		t.Fatalf("late delivery: %d %s", code, body)
	}
}
