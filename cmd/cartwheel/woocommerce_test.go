package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

func wooSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "connectors", "woocommerce", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWooCommerceWebhooksSyncAndCoupons(t *testing.T) {
	fake := wootest.NewServer(t)
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	fake.SeedProducts(30)
	orderIDs := fake.SeedOrders(12, t0)
	fake.SeedCustomers(5, t0)
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Woo", "currency": "USD"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	admin.ws = w.ID
	const secret = "wc-webhook-secret"
	var sh shopJSON
	if code := admin.do("POST", "/api/v1/shops", map[string]any{"platform": "woocommerce", "domain": "shop.example",
		"consumer_key": wootest.ConsumerKey, "consumer_secret": wootest.ConsumerSecret, "webhook_secret": secret,
		"api_url": fake.URL}, &sh); code != 201 {
		t.Fatalf("connect shop: %d", code)
	}
	hookURL := inst.url("/webhooks/woocommerce/" + sh.ID)
	send := func(topic string, body []byte, id int64, sig string) (int, string) {
		t.Helper()
		req, err := fake.NewDelivery(context.Background(), hookURL, topic, body, secret, id)
		if err != nil {
			t.Fatal(err)
		}
		if sig != "" {
			req.Header.Set(woocommerce.HeaderSignature, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// The creation ping is answered without a signature.
	resp, err := http.Post(hookURL, "application/x-www-form-urlencoded", strings.NewReader("webhook_id=7"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ping: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, _ = http.Post(inst.url("/webhooks/woocommerce/shop_nosuchshop00000"), "application/json", strings.NewReader("{}"))
	if resp.StatusCode != 404 {
		t.Fatalf("unknown shop: %d", resp.StatusCode)
	}
	resp.Body.Close()

	// The plugin's cart post, then the order, both naming the visitor who browsed.
	const visitor = "1234567890123456789"
	for i, d := range []struct{ topic, file string }{
		{"product.created", "product_created.json"},
		{"customer.created", "customer_created.json"},
		{"cart.updated", "cart_updated.json"},
		{"order.created", "order_created.json"},
		{"order.updated", "order_updated.json"},
		{"customer.updated", "customer_updated.json"},
		{"product.deleted", "product_deleted.json"},
		{"customer.deleted", "customer_deleted.json"},
		{"order.deleted", "order_deleted.json"},
	} {
		if code, body := send(d.topic, wooSample(t, d.file), int64(100+i), ""); code != 200 || strings.Contains(body, "duplicate") {
			t.Fatalf("%s: %d %s", d.topic, code, body)
		}
	}
	// WooCommerce has no delivery id: the same resource at the same
	// modification time is the same change, whatever webhook sent it.
	if code, body := send("order.updated", wooSample(t, "order_updated.json"), 999, ""); code != 200 || !strings.Contains(body, `"duplicate":true`) {
		t.Fatalf("duplicate: %d %s", code, body)
	}
	if code, _ := send("order.updated", wooSample(t, "order_updated.json"), 1000, woocommerce.SignWebhook("wrong", []byte("x"))); code != 401 {
		t.Fatalf("bad signature: %d", code)
	}
	if code, _ := send("order.updated", []byte(`{"id": 727, "line_items": [`), 1001, ""); code != 400 {
		t.Fatalf("malformed: %d", code)
	}
	var st shopStatusJSON
	status := func() shopStatusJSON {
		admin.do("GET", "/api/v1/shops/"+sh.ID+"/status", nil, &st)
		return st
	}
	waitFor(t, "deliveries processed", func() bool { return status().Deliveries.Counts["done"] == 9 })

	var order struct {
		TotalMinor int64  `json:"total_minor"`
		VisitorID  string `json:"visitor_id"`
		Email      string `json:"email"`
	}
	if code := admin.do("GET", "/api/v1/orders/"+sh.ID+"-727", nil, &order); code != 200 || order.TotalMinor != 3155 ||
		order.VisitorID != visitor || order.Email != "john.doe@example.com" {
		t.Fatalf("order: %d %+v", code, order)
	}
	// The anonymous visitor and the buyer are one profile.
	var v struct {
		Contact struct {
			Contact struct {
				Email string `json:"email"`
			} `json:"contact"`
			Profile struct {
				Orders int `json:"orders"`
			} `json:"profile"`
		} `json:"contact"`
	}
	waitFor(t, "visitor attached to the buyer", func() bool {
		admin.do("GET", "/api/v1/visitors/"+visitor, nil, &v)
		return v.Contact.Contact.Email == "john.doe@example.com" && v.Contact.Profile.Orders == 1
	})

	// Reconciliation pulls what webhooks missed, then only what changed.
	if code := admin.do("POST", "/api/v1/shops/"+sh.ID+"/sync", nil, nil); code != 202 {
		t.Fatalf("start sync: %d", code)
	}
	waitFor(t, "sync", func() bool { return len(status().Syncs) == 3 && st.LastSyncAt != "" && allIdle(st) })
	var orders struct {
		Orders []struct {
			ExternalID string `json:"external_id"`
		} `json:"orders"`
	}
	admin.do("GET", "/api/v1/orders?shop_id="+sh.ID+"&limit=100", nil, &orders)
	if len(orders.Orders) != 13 {
		t.Fatalf("%d orders after reconciliation, want 13", len(orders.Orders))
	}
	var prods struct {
		Total int `json:"total"`
	}
	admin.do("GET", "/api/v1/products?shop_id="+sh.ID, nil, &prods)
	if prods.Total < 30 {
		t.Fatalf("%d products after the catalogue backfill", prods.Total)
	}
	fake.ModifyOrder(orderIDs[0], time.Now().UTC())
	before := len(fake.Requests())
	if code := admin.do("POST", "/api/v1/shops/"+sh.ID+"/sync", nil, nil); code != 202 {
		t.Fatalf("second sync: %d", code)
	}
	lastSync := st.LastSyncAt
	waitFor(t, "second sync", func() bool { status(); return st.LastSyncAt != lastSync && allIdle(st) })
	if len(fake.Requests())-before > 6 {
		t.Fatalf("an incremental pass made %d requests", len(fake.Requests())-before)
	}
	// The modified order was updated, not sold a second time.
	var mod struct {
		Email string `json:"email"`
	}
	admin.do("GET", "/api/v1/orders/"+sh.ID+"-"+strconv.FormatInt(orderIDs[0], 10), nil, &mod)
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	waitFor(t, "buyer contact", func() bool {
		admin.do("GET", "/api/v1/contacts?email="+mod.Email, nil, &found)
		return len(found.Contacts) == 1
	})
	var tl struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	waitFor(t, "order update in the timeline", func() bool {
		admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID+"/timeline", nil, &tl)
		var types []string
		for _, e := range tl.Events {
			types = append(types, e.Type)
		}
		return strings.Join(types, ",") == "order_updated,order_paid,order_placed"
	})

	// Webhooks registered through the REST API, and coupons for discount codes.
	var reg struct {
		Topics int `json:"topics"`
	}
	if code := admin.do("POST", "/api/v1/shops/"+sh.ID+"/webhooks", nil, &reg); code != 200 || len(fake.Webhooks()) != reg.Topics {
		t.Fatalf("register webhooks: %d %+v, fake has %d", code, reg, len(fake.Webhooks()))
	}
	for _, h := range fake.Webhooks() {
		if h.DeliveryURL != inst.cfg.PublicURL+"/webhooks/woocommerce/"+sh.ID {
			t.Fatalf("webhook %+v", h)
		}
	}
	var disc struct {
		Code string `json:"code"`
	}
	if code := admin.do("POST", "/api/v1/shops/"+sh.ID+"/discount-codes", map[string]any{"amount_minor": 500,
		"email": "john.doe@example.com"}, &disc); code != 201 {
		t.Fatalf("coupon: %d", code)
	}
	cs := fake.Coupons()
	if len(cs) != 1 || !strings.EqualFold(cs[0].Code, disc.Code) || cs[0].Amount != "5.00" {
		t.Fatalf("coupons %+v", cs)
	}
}

func allIdle(st shopStatusJSON) bool {
	for _, s := range st.Syncs {
		if s.Status != "idle" {
			return false
		}
	}
	return true
}
