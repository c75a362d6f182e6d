package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// A Polish shop's abandoned-checkout email, at a real SMTP server, is
// Polish throughout — the ready-made copy, the chrome, the amounts — greets
// the contact by name, shows the items' images from the catalogue (a
// Shopify checkout carries none), and its unsubscribe and preference pages
// are Polish too.
func TestPolishShopWritesPolish(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	clock := testclock.New(time.Now().UTC().Truncate(time.Second))
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port)})
	inst, _ := startTest(t, cfg, withClock(clock))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Kawiarnia", "locale": "pl", "currency": "PLN"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: w.ID}
	const secret = "whsec_pl"
	if code := api.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": testShopDomain,
		"access_token": "shpat_pl", "webhook_secret": secret}, nil); code != 201 {
		t.Fatalf("shop: %d", code)
	}
	if code := api.do("PATCH", "/api/v1/messaging/settings", map[string]any{"from_email": "sklep@example.pl",
		"address": "ul. Długa 1, Gdańsk", "quiet_hours": map[string]int{"start": 0, "end": 0}}, nil); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	var flow struct {
		ID string `json:"id"`
	}
	if code := api.do("POST", "/api/v1/flow-templates/abandoned_checkout", nil, &flow); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	const aeropress = 632910392
	product := withFields(t, shopifyProduct(t, aeropress, "Aeropress Go"), map[string]any{
		"image": map[string]any{"src": "https://cdn.example/aeropress.png"}})
	if code, body := deliver(t, inst, "products/create", "wh-pl-p", secret, product); code != 200 {
		t.Fatalf("product: %d %s", code, body)
	}
	if code := api.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "identify",
		"email": "zofia@example.pl", "properties": map[string]any{"first_name": "Zofia"}}}}, nil); code != 202 {
		t.Fatalf("identify: %d", code)
	}
	waitFor(t, "the product", func() bool {
		return api.do("GET", fmt.Sprint("/api/v1/products/", aeropress), nil, nil) == 200
	})
	// The checkout's billing address names the buyer too (Shopify's sample
	// says Bob Biller): the name she gave at checkout is the one used.
	checkout := withFields(t, checkoutBody(t, clock.Now(), "zofia@example.pl", "vis-pl-1"), map[string]any{
		"currency": "PLN", "customer": nil,
		"billing_address": map[string]any{"first_name": "Zofia", "last_name": "Nowak", "country_code": "PL"}})
	if code, body := deliver(t, inst, "checkouts/create", "wh-pl-c", secret, checkout); code != 200 {
		t.Fatalf("checkout: %d %s", code, body)
	}
	waitFor(t, "the enrollment to wait", func() bool {
		ens := enrollments(t, api, flow.ID)
		return len(ens) == 1 && ens[0].CurrentStep == "email-1"
	})
	clock.Add(61 * time.Minute)
	waitForLong(t, "the email", func() bool { return smtp.Count() == 1 })
	m := smtp.Messages()[0]
	if m.Subject() != "Coś zostało w Twoim koszyku" {
		t.Errorf("subject %q", m.Subject())
	}
	for _, want := range []string{`lang="pl"`, "Cześć Zofia!", "Ilość 1 × 39,00 zł", "Ilość 2 × 49,50 zł", "99,00 zł",
		">Suma</td>", "138,00 zł", `src="https://cdn.example/aeropress.png"`, ">Wypisz się</a>", "Dokończ zamówienie"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the email lacks %q", want)
		}
	}
	for _, bad := range []string{"Hi there", "Qty", "Subtotal", "Unsubscribe<", "PLN"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("the email says %q", bad)
		}
	}
	if !strings.Contains(m.Text, "Wypisz się (") || !strings.Contains(m.Text, "Suma 138,00 zł") {
		t.Errorf("text part: %s", m.Text)
	}

	// The unsubscribe and preference pages the email links to.
	unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	u, err := url.Parse(unsub)
	if err != nil || !strings.Contains(u.Path, "/e/u/") {
		t.Fatalf("List-Unsubscribe %q", unsub)
	}
	page := send(t, http.DefaultClient, "GET", inst.url(u.Path), "", "", nil)
	if page.code != 200 || !strings.Contains(page.body, "Wypisać się z e-maili od Kawiarnia?") ||
		!strings.Contains(page.body, `<html lang="pl">`) || strings.Contains(page.body, "Unsubscribe from") {
		t.Fatalf("unsubscribe page %d:\n%s", page.code, page.body)
	}
	prefs := send(t, http.DefaultClient, "GET", inst.url(strings.Replace(u.Path, "/e/u/", "/e/p/", 1)), "", "", nil)
	if prefs.code != 200 || !strings.Contains(prefs.body, "Preferencje e-mail") || !strings.Contains(prefs.body, "Tak, wysyłajcie mi nowości i oferty") {
		t.Fatalf("preference page %d:\n%s", prefs.code, prefs.body)
	}
	done := send(t, http.DefaultClient, "POST", inst.url(u.Path), "application/x-www-form-urlencoded", "confirm=1", nil)
	if done.code != 200 || !strings.Contains(done.body, "Wypisano Cię z e-maili od Kawiarnia") {
		t.Fatalf("unsubscribed page %d:\n%s", done.code, done.body)
	}
}
