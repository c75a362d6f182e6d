package main

import (
	"encoding/json"
	"fmt"
	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// flowShop is a workspace with a hand-connected Shopify shop, a sender
// address and no quiet hours (the test must not depend on the hour it
// runs at).
type flowShop struct {
	api    apiClient
	ws     wsJSON
	secret string
}

func newFlowShop(t *testing.T, inst *instance, domain string) flowShop {
	t.Helper()
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Flow shop"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: w.ID}
	secret := "whsec_flows"
	if code := api.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": domain,
		"access_token": "shpat_flows", "webhook_secret": secret}, nil); code != 201 {
		t.Fatalf("shop: %d", code)
	}
	settings := map[string]any{"from_email": "hello@shop.example", "from_name": "Flow Shop",
		"address": "1 Market Street, Springfield", "quiet_hours": map[string]int{"start": 0, "end": 0}}
	if code := api.do("PATCH", "/api/v1/messaging/settings", settings, nil); code != 200 {
		t.Fatalf("messaging settings: %d", code)
	}
	return flowShop{api: api, ws: w, secret: secret}
}

// checkoutBody is a Shopify checkout of two items by an email address
// that ticked "email me offers", started by the tracker's visitor.
func checkoutBody(t *testing.T, at time.Time, email, visitor string) []byte {
	t.Helper()
	items := []map[string]any{
		{"id": 1, "product_id": 632910392, "variant_id": 808950810, "title": "Aeropress Go", "quantity": 1, "price": "39.00", "sku": "AP-GO"},
		{"id": 2, "product_id": 632910393, "variant_id": 808950811, "title": "Hario Skerton Grinder", "quantity": 2, "price": "49.50", "sku": "HS-1"},
	}
	return withFields(t, shopifySample(t, "checkouts_create.json"), map[string]any{
		"email": email, "buyer_accepts_marketing": true, "line_items": items,
		"note_attributes": []map[string]string{{"name": "_cw_vid", "value": visitor}},
		"created_at":      at.Format(time.RFC3339), "updated_at": at.Format(time.RFC3339),
		"subtotal_price": "138.00", "total_price": "138.00",
		"abandoned_checkout_url": "https://flows.myshopify.com/1/checkouts/abc/recover?key=k1",
	})
}

type enrollmentJSON struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
}

func enrollments(t *testing.T, api apiClient, flowID string) []enrollmentJSON {
	t.Helper()
	var out struct {
		Enrollments []enrollmentJSON `json:"enrollments"`
	}
	if code := api.do("GET", "/api/v1/flows/"+flowID+"/enrollments", nil, &out); code != 200 {
		t.Fatalf("enrollments: %d", code)
	}
	return out.Enrollments
}

// subscribePush subscribes a browser of the visitor at the fake push service.
func subscribePush(t *testing.T, inst *instance, siteKey, visitor string, push *pushtest.Server) {
	t.Helper()
	sub, _ := push.Subscribe()
	subJSON, _ := json.Marshal(sub)
	body, _ := json.Marshal(map[string]any{"k": siteKey, "v": visitor, "subscription": json.RawMessage(subJSON)})
	req, _ := http.NewRequest("POST", inst.url("/push/subscribe"), strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("push subscribe: %d", resp.StatusCode)
	}
}

// trackedTargets returns where the click-tracking links in html lead.
func trackedTargets(html string) []string {
	var out []string
	for _, part := range strings.Split(html, "href=\"")[1:] {
		href := strings.ReplaceAll(part[:strings.Index(part, "\"")], "&amp;", "&")
		u, err := url.Parse(href)
		if err == nil && strings.Contains(u.Path, "/e/c/") {
			out = append(out, u.Query().Get("u"))
		}
	}
	return out
}

// The end-to-end test: with an accelerated clock, a Shopify
// checkout with an email and two items gets, an hour later, an email at a
// real SMTP server with both items and the recovery link, and a push the
// test push service verifies and decrypts; an order before the 24-hour
// step stops the flow.
func TestAbandonedCheckoutFlowEndToEnd(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	push := pushtest.NewServer(t)
	clock := testclock.New(time.Now().UTC())
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port),
		"CARTWHEEL_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true"})
	inst, _ := startTest(t, cfg, withClock(clock))
	shop := newFlowShop(t, inst, testShopDomain)

	var flow struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if code := shop.api.do("POST", "/api/v1/flow-templates/abandoned_checkout", nil, &flow); code != 201 || flow.Status != "active" {
		t.Fatalf("enable abandoned checkout: %d %+v", code, flow)
	}
	const visitor = "vis-abandoned-checkout-1"
	subscribePush(t, inst, shop.ws.SiteKey, visitor, push)

	if code, body := deliver(t, inst, "checkouts/create", "wh-co-1", shop.secret,
		checkoutBody(t, clock.Now(), "ann@example.com", visitor)); code != 200 {
		t.Fatalf("checkout webhook: %d %s", code, body)
	}
	waitFor(t, "the checkout to enrol its contact", func() bool { return len(enrollments(t, shop.api, flow.ID)) == 1 })
	time.Sleep(2 * time.Second)
	if n := smtp.Count(); n != 0 {
		t.Fatalf("%d emails before the hour passed", n)
	}

	clock.Add(61 * time.Minute)
	waitForLong(t, "the 1-hour email", func() bool { return smtp.Count() == 1 })
	waitForLong(t, "the 1-hour push", func() bool { return push.Count() == 1 })
	m := smtp.Messages()[0]
	if m.To[0] != "ann@example.com" || !strings.Contains(m.HTML, "Aeropress Go") || !strings.Contains(m.HTML, "Hario Skerton Grinder") {
		t.Fatalf("email to %v lacks the items: %s", m.To, m.Subject())
	}
	if !contains(trackedTargets(m.HTML), "https://flows.myshopify.com/1/checkouts/abc/recover?key=k1") {
		t.Fatalf("email has no tracked recovery link; links lead to %v", trackedTargets(m.HTML))
	}
	if m.Header.Get("List-Unsubscribe") == "" {
		t.Error("no List-Unsubscribe header")
	}
	// pushtest verified the VAPID JWT and decrypted the RFC 8291 body.
	plain := push.Deliveries()[0].Plaintext
	var note webpush.Message
	if err := json.Unmarshal(plain, &note); err != nil || note.Title == "" || !strings.Contains(note.URL, "/p/c/") {
		t.Fatalf("push payload %s (%v)", plain, err)
	}

	// The order arrives before the 24-hour step: the flow ends, and the
	// second email never goes.
	order := withFields(t, shopifySample(t, "orders_create.json"), map[string]any{"email": "ann@example.com",
		"created_at": clock.Now().Format(time.RFC3339), "processed_at": clock.Now().Format(time.RFC3339),
		"updated_at": clock.Now().Format(time.RFC3339)})
	if code, body := deliver(t, inst, "orders/create", "wh-order-1", shop.secret, order); code != 200 {
		t.Fatalf("order webhook: %d %s", code, body)
	}
	waitFor(t, "the order to end the flow", func() bool {
		ens := enrollments(t, shop.api, flow.ID)
		return len(ens) == 1 && ens[0].Status == "exited_goal"
	})
	clock.Add(24 * time.Hour)
	time.Sleep(6 * time.Second) // River's scheduler looks every 5 s
	if n := smtp.Count(); n != 1 {
		t.Fatalf("%d emails after the order; want only the first", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// waitForLong is waitFor for steps River schedules: its scheduler moves
// due jobs every few seconds of real time.
func waitForLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
