package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging"
)

// Deliveries of one Polish shop (PLN, Polish names, ids above 2^53), sent
// signed over HTTP in the order Shopify really sends them: not the order
// in which things happened.

const (
	plSecret      = "whsec_pl_ordering"
	plCheckout    = "4f1c9a7e2b6d4e0f8a3b5c7d9e1f2a4b"
	plCart        = "Z2NwLWV1cm9wZS1jZW50cmFsMjowMUpQTEtVQkVLWlVSQVc"
	plEmail       = "zofia.wojcik@example.pl"
	plProduct     = "9123456789012345201"
	plProductPath = "/api/v1/products/" + plProduct
)

// plSample reads a delivery of the Polish shop.
func plSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "connectors", "shopify", "testdata", "pl", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plShop is a running instance with the Polish shop connected as a custom
// app (its deliveries are signed with the shop's webhook secret).
type plShop struct {
	t    *testing.T
	inst *instance
	api  apiClient
	shop string
	sent int
}

func newPLShop(t *testing.T) *plShop {
	t.Helper()
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	api := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := api.do("POST", "/api/v1/workspaces", map[string]any{"name": "Pracownia", "currency": "PLN"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	api.ws = w.ID
	var sh shopJSON
	if code := api.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": testShopDomain,
		"access_token": "shpat_pl", "webhook_secret": plSecret, "currency": "PLN"}, &sh); code != 201 {
		t.Fatalf("shop: %d", code)
	}
	return &plShop{t: t, inst: inst, api: api, shop: sh.ID}
}

// send delivers one signed webhook and waits until the hub has finished
// with it (done, or failed when want says so).
func (p *plShop) send(topic string, body []byte) {
	p.t.Helper()
	p.sent++
	id := "pl-" + strconv.Itoa(p.sent)
	if code, answer := deliver(p.t, p.inst, topic, id, plSecret, body); code != 200 {
		p.t.Fatalf("%s: %d %s", topic, code, answer)
	}
	waitFor(p.t, topic+" processed", func() bool {
		d, ok := p.delivery(id)
		return ok && d.Status != "pending"
	})
	if d, _ := p.delivery(id); d.Status != "done" {
		p.t.Fatalf("%s: delivery %s: %s", topic, d.Status, d.Error)
	}
}

type deliveryJSON struct {
	DedupKey string `json:"dedup_key"`
	Status   string `json:"status"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
}

func (p *plShop) delivery(id string) (deliveryJSON, bool) {
	var out struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}
	p.api.do("GET", "/api/v1/shops/"+p.shop+"/deliveries", nil, &out)
	for _, d := range out.Deliveries {
		if d.DedupKey == "shopify:"+id {
			return d, true
		}
	}
	return deliveryJSON{}, false
}

type plContact struct {
	Contact struct {
		ID        string `json:"id"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"contact"`
	Consents []struct {
		Channel   string    `json:"channel"`
		Granted   bool      `json:"granted"`
		Source    string    `json:"source"`
		Text      string    `json:"text"`
		UpdatedAt time.Time `json:"updated_at"`
	} `json:"consents"`
	Profile struct {
		Checkouts int `json:"checkouts"`
		Orders    int `json:"orders"`
	} `json:"profile"`
}

// contact waits for the contact with email and returns its view once cond
// holds for it.
func (p *plShop) contact(email, what string, cond func(plContact) bool) plContact {
	p.t.Helper()
	var v plContact
	waitFor(p.t, what, func() bool {
		var found struct {
			Contacts []struct{ ID string } `json:"contacts"`
		}
		p.api.do("GET", "/api/v1/contacts?email="+email, nil, &found)
		if len(found.Contacts) != 1 {
			return false
		}
		v = plContact{}
		p.api.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID, nil, &v)
		return cond(v)
	})
	return v
}

// emailConsent is the contact's email consent, if any.
func (v plContact) emailConsent() (granted, found bool) {
	for _, c := range v.Consents {
		if c.Channel == "email" {
			return c.Granted, true
		}
	}
	return false, false
}

type plCheckoutJSON struct {
	Token       string `json:"token"`
	TotalMinor  int64  `json:"total_minor"`
	CompletedAt string `json:"completed_at"`
}

func (p *plShop) checkout(token string) plCheckoutJSON {
	p.t.Helper()
	var c plCheckoutJSON
	if code := p.api.do("GET", "/api/v1/checkouts/"+token, nil, &c); code != 200 {
		p.t.Fatalf("checkout %s: %d", token, code)
	}
	return c
}

// Shopify sends the final checkouts/update (completed_at set) after
// orders/create as often as before it, and a delayed update from before the
// purchase may come last of all. Whatever the order, the checkout and its
// cart end up completed, and nothing but the first, open update logs the
// checkout_updated the abandoned-checkout flow starts from.
func TestShopifyCompletedCheckoutStaysCompleted(t *testing.T) {
	p := newPLShop(t)
	open := plSample(t, "checkouts_create.json")
	p.send("checkouts/create", open)
	p.send("orders/create", plSample(t, "orders_create.json"))
	p.send("checkouts/update", withFields(t, open, map[string]any{
		"updated_at": "2026-03-02T10:11:40+01:00", "completed_at": "2026-03-02T10:11:31+01:00"}))
	// A delayed update from 10:05, still open, with another total.
	p.send("checkouts/update", withFields(t, open, map[string]any{
		"updated_at": "2026-03-02T10:05:00+01:00", "total_price": "194.96", "subtotal_price": "179.97"}))
	// The storefront's cart, last updated before the order.
	p.send("carts/update", plSample(t, "carts_update.json"))

	c := p.checkout(plCheckout)
	if c.CompletedAt == "" || c.TotalMinor != 13497 {
		t.Fatalf("checkout after its order: %+v, want completed with the completed version's total 13497", c)
	}
	if cart := p.checkout(plCart); cart.CompletedAt == "" {
		t.Fatalf("cart after its order: %+v, want completed", cart)
	}

	// Second purchase: the order comes first, the checkout (open, older)
	// after it.
	const second = "9b8a7c6d5e4f30211203f4e5d6c7b8a9"
	p.send("orders/create", withFields(t, plSample(t, "orders_create.json"), map[string]any{
		"id": 9123456789012345502, "name": "#1043", "order_number": 1043, "checkout_token": second, "cart_token": nil,
		"created_at": "2026-03-03T12:00:00+01:00", "processed_at": "2026-03-03T12:00:00+01:00",
		"updated_at": "2026-03-03T12:00:02+01:00"}))
	p.send("checkouts/create", withFields(t, open, map[string]any{"token": second, "cart_token": nil,
		"created_at": "2026-03-03T11:52:00+01:00", "updated_at": "2026-03-03T11:55:00+01:00"}))
	if c := p.checkout(second); c.CompletedAt == "" {
		t.Fatalf("checkout arriving after its order: %+v, want completed", c)
	}

	v := p.contact(plEmail, "both orders counted", func(v plContact) bool { return v.Profile.Orders == 2 })
	types := timelineTypes(p.api, v.Contact.ID)
	if types["checkout_updated"] != 1 || types["order_placed"] != 2 {
		t.Fatalf("timeline %v: want exactly one checkout_updated (the open one) and two order_placed", types)
	}
	// Two checkouts, each counted once however many deliveries named it.
	if v.Profile.Checkouts != 2 {
		t.Fatalf("profile counts %d checkouts, want 2", v.Profile.Checkouts)
	}
}

// After a one-click unsubscribe, the next checkouts/update still carries
// the box ticked and the consent the customer gave weeks before: neither is
// a new statement, so the contact stays unsubscribed. A statement made
// after the unsubscribe (the customer subscribing again in the shop) does
// apply.
func TestShopifyUnsubscribeSurvivesLaterCheckoutUpdates(t *testing.T) {
	p := newPLShop(t)
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	open := withFields(t, plSample(t, "checkouts_create.json"), map[string]any{
		"created_at": start.Format(time.RFC3339), "updated_at": start.Format(time.RFC3339)})
	p.send("checkouts/create", open)
	v := p.contact(plEmail, "consent from the checkout", func(v plContact) bool { g, _ := v.emailConsent(); return g })

	// One-click unsubscribe from a real signed link.
	box, err := secretsBoxFor(t, p.inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	unsub := messaging.NewLinks(p.inst.cfg.PublicURL, box).Email(p.api.ws, v.Contact.ID, "").Unsubscribe
	if a := send(t, noRedirect, "POST", unsub, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", nil); a.code != 200 {
		t.Fatalf("one-click unsubscribe: %d %s", a.code, a.body)
	}
	p.contact(plEmail, "unsubscribed", func(v plContact) bool { g, found := v.emailConsent(); return found && !g })

	// The checkout is updated afterwards (a new address): same ticked box,
	// same old customer consent.
	time.Sleep(10 * time.Millisecond)
	later := time.Now().UTC().Add(time.Second).Format(time.RFC3339)
	p.send("checkouts/update", withFields(t, open, map[string]any{"updated_at": later}))
	// And the order, placed after the unsubscribe, with the ticked box only.
	order := withFields(t, plSample(t, "orders_create.json"), map[string]any{
		"processed_at": later, "created_at": later, "updated_at": later,
		"customer": map[string]any{"id": 9123456789012345101, "email": plEmail, "first_name": "Zofia", "last_name": "Wójcik-Łęcka"}})
	p.send("orders/create", order)
	v = p.contact(plEmail, "the order counted", func(v plContact) bool { return v.Profile.Orders == 1 })
	if g, found := v.emailConsent(); !found || g {
		t.Fatalf("consent after later checkout and order deliveries: %+v, want the unsubscribe to stand", v.Consents)
	}

	// The customer subscribes again in the shop: a statement of its own,
	// newer than the unsubscribe.
	again := time.Now().UTC().Add(2 * time.Second).Format(time.RFC3339)
	p.send("customers_email_marketing_consent/update", []byte(`{"customer_id": 9123456789012345101, "email_address": "`+plEmail+
		`", "email_marketing_consent": {"state": "subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": "`+again+`"}}`))
	v = p.contact(plEmail, "subscribed again", func(v plContact) bool { g, _ := v.emailConsent(); return g })
	// The buyer's names came with the checkout.
	if v.Contact.FirstName != "Zofia" || v.Contact.LastName != "Wójcik-Łęcka" {
		t.Fatalf("contact names %q %q", v.Contact.FirstName, v.Contact.LastName)
	}
}

// An order is a statement too: a guest who ticked the box on the order
// (and whose customer record says subscribed, with its time) is a
// subscriber, so a cross-sell after a first order is not skipped for want
// of consent. Guests have no customer names: the billing address names them.
func TestShopifyOrderCarriesConsentAndNames(t *testing.T) {
	p := newPLShop(t)
	body := plSample(t, "orders_create.json")
	body = bytes.Replace(body, []byte(`"first_name": "Zofia", "last_name": "Wójcik-Łęcka", "address1"`),
		[]byte(`"first_name": "Łucja", "last_name": "Żmigrodzka", "address1"`), 1)
	body = withFields(t, body, map[string]any{"customer": map[string]any{"id": 9123456789012345101, "email": plEmail,
		"email_marketing_consent": map[string]any{"state": "subscribed", "opt_in_level": "single_opt_in",
			"consent_updated_at": "2026-03-02T10:11:31+01:00"}}})
	p.send("orders/create", body)
	v := p.contact(plEmail, "consent from the order", func(v plContact) bool { g, _ := v.emailConsent(); return g })
	if v.Contact.FirstName != "Łucja" || v.Contact.LastName != "Żmigrodzka" {
		t.Fatalf("guest's names %q %q, want the billing address's", v.Contact.FirstName, v.Contact.LastName)
	}
	for _, c := range v.Consents {
		if c.Channel == "email" && !c.UpdatedAt.Equal(time.Date(2026, 3, 2, 9, 11, 31, 0, time.UTC)) {
			t.Fatalf("consent stamped %s, want the statement's own time", c.UpdatedAt)
		}
	}
}

// plProduct is the Polish shop's product as Shopify sends it at a time,
// with a stock.
func plProductBody(t *testing.T, updated string, stock int) []byte {
	t.Helper()
	b := bytes.Replace(plSample(t, "products_create.json"), []byte(`"inventory_quantity": 0`),
		[]byte(`"inventory_quantity": `+strconv.Itoa(stock)), 1)
	return withFields(t, b, map[string]any{"updated_at": updated})
}

type plProductJSON struct {
	ID       string `json:"id"`
	Handle   string `json:"handle"`
	Status   string `json:"status"`
	Stock    int64  `json:"stock"`
	URL      string `json:"url"`
	ImageURL string `json:"image_url"`
}

// Product deliveries apply by the product's own time, keep the storefront
// address and picture emails link, and a new product may take the handle
// of a deleted one.
func TestShopifyProductsApplyByTheirOwnTime(t *testing.T) {
	p := newPLShop(t)
	p.send("products/create", plProductBody(t, "2026-03-02T09:00:00+01:00", 3))
	// The restock at 09:45 arrives before the sell-out at 09:40.
	p.send("products/update", plProductBody(t, "2026-03-02T09:45:00+01:00", 5))
	p.send("products/update", plProductBody(t, "2026-03-02T09:40:00+01:00", 0))
	var pr plProductJSON
	if code := p.api.do("GET", plProductPath, nil, &pr); code != 200 || pr.Stock != 5 {
		t.Fatalf("product after an older update: %d %+v, want the 09:45 stock 5", code, pr)
	}
	if pr.URL != "https://"+testShopDomain+"/products/kubek-zuraw" ||
		pr.ImageURL != "https://cdn.shopify.com/s/files/1/0712/3456/files/kubek-zuraw.jpg?v=1772352000" {
		t.Fatalf("product links %q %q", pr.URL, pr.ImageURL)
	}

	// Inventory levels too: one from 09:42 changes nothing, one from 09:50 does.
	level := func(at string, n int) []byte {
		return []byte(`{"inventory_item_id": 9123456789012345701, "location_id": 9123456789012345901, "available": ` +
			strconv.Itoa(n) + `, "updated_at": "` + at + `"}`)
	}
	p.send("inventory_levels/update", level("2026-03-02T09:42:00+01:00", 0))
	if p.api.do("GET", plProductPath, nil, &pr); pr.Stock != 5 {
		t.Fatalf("stock %d after an inventory level older than the product's, want 5", pr.Stock)
	}
	p.send("inventory_levels/update", level("2026-03-02T09:50:00+01:00", 2))
	if p.api.do("GET", plProductPath, nil, &pr); pr.Stock != 2 {
		t.Fatalf("stock %d after a newer inventory level, want 2", pr.Stock)
	}

	// Deleted, then a new product (another id) takes its handle.
	p.send("products/delete", []byte(`{"id": `+plProduct+`}`))
	p.send("products/create", withFields(t, plProductBody(t, "2026-03-03T08:00:00+01:00", 7), map[string]any{
		"id": json.Number("9123456789012345202"), "title": "Kubek ceramiczny „Żuraw” II",
		"variants": []map[string]any{{"id": json.Number("9123456789012345302"), "price": "64.99", "sku": "KUB-ZUR-2",
			"inventory_quantity": 7, "inventory_item_id": json.Number("9123456789012345702")}}}))
	var old, reborn plProductJSON
	p.api.do("GET", plProductPath, nil, &old)
	if code := p.api.do("GET", "/api/v1/products/9123456789012345202", nil, &reborn); code != 200 ||
		reborn.Status != "active" || reborn.Handle != "kubek-zuraw" || reborn.Stock != 7 || old.Status != "archived" {
		t.Fatalf("handle reuse: old %+v, new %d %+v", old, code, reborn)
	}
}

// A customer's record applies by its own time too: an older
// customers/update arriving last does not bring back the old name.
func TestShopifyOlderCustomerUpdateChangesNothing(t *testing.T) {
	p := newPLShop(t)
	customer := func(updated, last string) []byte {
		return []byte(`{"id": 9123456789012345101, "email": "` + plEmail + `", "first_name": "Zofia", "last_name": "` + last + `",
			"created_at": "2026-02-20T18:30:00+01:00", "updated_at": "` + updated + `", "currency": "PLN", "tags": "stała klientka",
			"orders_count": 3, "total_spent": "404.91", "default_address": {"country_code": "PL"}}`)
	}
	p.send("customers/update", customer("2026-03-05T12:00:00+01:00", "Nowak"))
	p.send("customers/update", customer("2026-03-04T08:00:00+01:00", "Wójcik-Łęcka"))
	p.send("customers/update", []byte(`{"id": 9123456789012345199, "email": "drugi@example.pl", "updated_at": "2026-03-05T12:00:00+01:00"}`))
	// Once the last delivery's contact exists, the earlier ones were applied.
	p.contact("drugi@example.pl", "the last customer", func(plContact) bool { return true })
	v := p.contact(plEmail, "the customer", func(plContact) bool { return true })
	if v.Contact.LastName != "Nowak" {
		t.Fatalf("last name %q after an older record arrived last, want Nowak", v.Contact.LastName)
	}
}

// The timeline is ordered by when things happened, not by when Shopify
// delivered them, page after page.
func TestContactTimelineByEventTime(t *testing.T) {
	p := newPLShop(t)
	// Delivered: the order (10:11), then the checkout (10:00), then the
	// customer's record (09:30).
	p.send("orders/create", plSample(t, "orders_create.json"))
	p.send("checkouts/create", withFields(t, plSample(t, "checkouts_create.json"), map[string]any{"token": "inna-kasa-1", "cart_token": nil}))
	p.send("customers/update", []byte(`{"id": 9123456789012345101, "email": "`+plEmail+`", "first_name": "Zofia",
		"updated_at": "2026-03-02T09:30:00+01:00"}`))
	v := p.contact(plEmail, "all three on the profile", func(v plContact) bool { return v.Profile.Orders == 1 && v.Profile.Checkouts == 2 })
	var got []string
	cursor := ""
	for range 10 {
		var page struct {
			Events []struct {
				Type       string `json:"type"`
				OccurredAt string `json:"occurred_at"`
			} `json:"events"`
			NextCursor string `json:"next_cursor"`
		}
		if code := p.api.do("GET", "/api/v1/contacts/"+v.Contact.ID+"/timeline?limit=2&cursor="+cursor, nil, &page); code != 200 {
			t.Fatalf("timeline: %d", code)
		}
		for _, e := range page.Events {
			got = append(got, e.Type+"@"+e.OccurredAt)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	// Events of one time keep their log order, newest first.
	want := []string{"order_paid@2026-03-02T09:11:31Z", "order_placed@2026-03-02T09:11:31Z",
		"checkout_updated@2026-03-02T09:00:00Z", "customer_updated@2026-03-02T08:30:00Z"}
	if len(got) != len(want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("timeline %v, want %v", got, want)
		}
	}
}
