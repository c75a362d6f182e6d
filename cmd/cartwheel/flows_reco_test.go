package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// shopifyProduct is a products/create body: one variant in stock.
func shopifyProduct(t *testing.T, id int64, title string) []byte {
	t.Helper()
	var sample map[string]any
	if err := json.Unmarshal(shopifySample(t, "products_create.json"), &sample); err != nil {
		t.Fatal(err)
	}
	v := sample["variants"].([]any)[0].(map[string]any)
	v["id"], v["product_id"], v["inventory_quantity"], v["price"] = id*10, id, 20, "12.00"
	return withFields(t, shopifySample(t, "products_create.json"), map[string]any{"id": id, "title": title,
		"handle": strings.ToLower(strings.ReplaceAll(title, " ", "-")), "status": "active", "variants": []any{v},
		"variant_gids": []any{}})
}

// shopifyOrder is an orders/create body of one unit of each product.
func shopifyOrder(t *testing.T, id int64, email string, at time.Time, products ...int64) []byte {
	t.Helper()
	var items []map[string]any
	for i, p := range products {
		items = append(items, map[string]any{"id": id*100 + int64(i), "product_id": p, "variant_id": p * 10,
			"title": fmt.Sprint("Product ", p), "quantity": 1, "price": "12.00"})
	}
	ts := at.Format(time.RFC3339)
	return withFields(t, shopifySample(t, "orders_create.json"), map[string]any{"id": id, "name": fmt.Sprint("#", id),
		"order_number": id, "email": email, "contact_email": email, "line_items": items, "customer": nil,
		"created_at": ts, "processed_at": ts, "updated_at": ts, "buyer_accepts_marketing": true})
}

// One engine serves the site and the messages: after other customers
// bought the kettle with filter papers, the site's bought-together frame on
// the kettle's page and a post-purchase email for Ann's kettle (a flow of
// send_email with "products": "bought_together") both offer the papers,
// and neither offers the kettle she just bought.
func TestPostPurchaseEmailRecommendsLikeTheSite(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port)})
	inst, _ := startTest(t, cfg)
	shop := newFlowShop(t, inst, testShopDomain)

	const kettle, papers, mug, scale = 9101, 9102, 9103, 9104
	for _, p := range []struct {
		id    int64
		title string
	}{{kettle, "Gooseneck Kettle"}, {papers, "Filter Papers"}, {mug, "Enamel Mug"}, {scale, "Coffee Scale"}} {
		if code, body := deliver(t, inst, "products/create", fmt.Sprint("wh-p-", p.id), shop.secret, shopifyProduct(t, p.id, p.title)); code != 200 {
			t.Fatalf("product %d: %d %s", p.id, code, body)
		}
	}
	now := time.Now().UTC()
	for i, o := range [][]int64{{kettle, papers}, {kettle, papers}, {kettle, papers}, {kettle, scale}, {kettle, scale}, {mug}, {mug}, {mug}, {mug}, {mug}, {mug}} {
		id := int64(5001 + i)
		if code, body := deliver(t, inst, "orders/create", fmt.Sprint("wh-o-", id), shop.secret,
			shopifyOrder(t, id, fmt.Sprintf("buyer%d@example.com", i), now.Add(-time.Duration(60-i)*time.Minute), o...)); code != 200 {
			t.Fatalf("order %d: %d %s", id, code, body)
		}
	}

	// The site: a bought-together frame on the kettle's page.
	var frame struct {
		ID string `json:"id"`
	}
	if code := shop.api.do("POST", "/api/v1/widgets", map[string]any{"name": "Goes with it", "kind": "frame", "status": "active",
		"frame": map[string]any{"name": "also", "strategy": "bought_together", "count": 2}}, &frame); code != 201 {
		t.Fatalf("frame widget: %d", code)
	}
	site := func() []string {
		var out struct {
			Decision struct {
				Frames []struct {
					Products []struct {
						ID string `json:"id"`
					} `json:"products"`
				} `json:"frames"`
			} `json:"decision"`
		}
		q := url.Values{"visitor": {"vis-probe-1"}, "page": {"product"}, "product": {fmt.Sprint(kettle)}, "frames": {"also"}}
		if code := shop.api.do("GET", "/api/v1/decide/explain?"+q.Encode(), nil, &out); code != 200 {
			t.Fatalf("explain: %d", code)
		}
		var ids []string
		for _, f := range out.Decision.Frames {
			for _, p := range f.Products {
				ids = append(ids, p.ID)
			}
		}
		return ids
	}
	// The processors read the orders in the background; until they have,
	// the frame's cold-start fallback (bestsellers) fills in.
	want := []string{fmt.Sprint(papers), fmt.Sprint(scale)}
	deadline := time.Now().Add(20 * time.Second)
	for got := site(); !slices.Equal(got, want); got = site() {
		if time.Now().After(deadline) {
			t.Fatalf("frame offers %v, want papers then the scale", got)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The flow, active only now: the seeded orders enrol nobody.
	var flow struct {
		ID string `json:"id"`
	}
	if code := shop.api.do("POST", "/api/v1/flows", map[string]any{"name": "Goes with your order", "status": "active",
		"trigger": map[string]any{"event": "order_placed"},
		"steps": []any{map[string]any{"id": "mail", "kind": "send_email", "params": map[string]any{
			"subject": "Goes with your order", "products": "bought_together", "product_count": 2,
			"html": `<p>For your order:</p>{{range .Products}}<p class="reco">{{.Title}}</p>{{end}}`}}},
	}, &flow); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	// Ann signed up for email at checkout (Shopify says so by customers/create).
	ts := time.Now().UTC().Format(time.RFC3339)
	if code, body := deliver(t, inst, "customers/create", "wh-c-ann", shop.secret, withFields(t, shopifySample(t, "customers_create.json"),
		map[string]any{"id": 75101, "email": "ann@example.com", "first_name": "Ann", "created_at": ts, "updated_at": ts,
			"email_marketing_consent": map[string]any{"state": "subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": ts}})); code != 200 {
		t.Fatalf("Ann's customer: %d %s", code, body)
	}
	if code, body := deliver(t, inst, "orders/create", "wh-o-ann", shop.secret,
		shopifyOrder(t, 5101, "ann@example.com", time.Now().UTC(), kettle)); code != 200 {
		t.Fatalf("Ann's order: %d %s", code, body)
	}
	deadline = time.Now().Add(40 * time.Second)
	for smtp.Count() == 0 {
		if time.Now().After(deadline) {
			var msgs, ens any
			shop.api.do("GET", "/api/v1/messages", nil, &msgs)
			shop.api.do("GET", "/api/v1/flows/"+flow.ID+"/enrollments", nil, &ens)
			t.Fatalf("no post-purchase email; messages %v; enrollments %v", msgs, ens)
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := smtp.Messages()[0]
	if m.To[0] != "ann@example.com" {
		t.Fatalf("email to %v", m.To)
	}
	var shown []string
	for _, part := range strings.Split(m.HTML, `<p class="reco">`)[1:] {
		shown = append(shown, part[:strings.Index(part, "</p>")])
	}
	if !slices.Equal(shown, []string{"Filter Papers", "Coffee Scale"}) {
		t.Fatalf("email recommends %q, want the frame's Filter Papers, Coffee Scale", shown)
	}
}
