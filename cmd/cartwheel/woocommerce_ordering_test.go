package main

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

// The plugin posts carts without waiting for an answer, so a cart update
// can reach Cartwheel after the order the cart became. A cart older than
// its order changes nothing: the cart stays completed and no second
// checkout_updated (what abandoned-checkout flows start from) is logged.
// wooShop is a running instance with a WooCommerce shop connected (PLN),
// whose deliveries send signs and waits for.
type wooShop struct {
	admin apiClient
	shop  string
	send  func(topic string, body []byte)
}

func newWooShop(t *testing.T) wooShop {
	t.Helper()
	fake := wootest.NewServer(t)
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	const secret = "wc-ordering-secret"
	admin, _, sh := connectPolishWooShop(t, inst, fake.URL, secret)
	hook := inst.url("/webhooks/woocommerce/" + sh.ID)
	sent := 0
	send := func(topic string, body []byte) {
		t.Helper()
		sent++
		req, err := fake.NewDelivery(context.Background(), hook, topic, body, secret, int64(sent))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", topic, resp.StatusCode, b)
		}
		waitFor(t, topic+" processed", func() bool {
			var st shopStatusJSON
			admin.do("GET", "/api/v1/shops/"+sh.ID+"/status", nil, &st)
			return st.Deliveries.Counts["done"] == sent
		})
	}
	return wooShop{admin: admin, shop: sh.ID, send: send}
}

func TestWooCommerceLateCartAfterItsOrder(t *testing.T) {
	ws := newWooShop(t)
	admin, send := ws.admin, ws.send
	const token, email = "5d41402abc4b2a76b9719d911017c592", "zofia.wojcik@example.pl"
	placed := time.Date(2026, 3, 2, 9, 11, 31, 0, time.UTC)
	cart := func(at time.Time, qty string) []byte {
		return withFields(t, wooSample(t, "cart_updated.json"), map[string]any{"token": token, "email": email, "currency": "PLN",
			"items": []map[string]any{{"product_id": 93, "variation_id": 0, "quantity": qty, "price": "59.99",
				"name": "Kubek ceramiczny „Żuraw”", "url": "https://sklep.example.pl/produkt/kubek-zuraw/"}},
			"subtotal": "", "total": "", "created_at": placed.Add(-20 * time.Minute).Format(time.RFC3339),
			"updated_at": at.Format(time.RFC3339)})
	}
	send("cart.updated", cart(placed.Add(-10*time.Minute), "1"))
	send("order.created", withFields(t, wooSample(t, "order_created.json"), map[string]any{
		"currency": "PLN", "date_created_gmt": placed.Format("2006-01-02T15:04:05"),
		"date_modified_gmt": placed.Format("2006-01-02T15:04:05"),
		"billing":           map[string]any{"first_name": "Zofia", "last_name": "Wójcik-Łęcka", "email": email, "country": "PL"},
		"meta_data":         []map[string]any{{"id": 1, "key": "_cartwheel_cart_token", "value": token}}}))
	// Posted at 09:06, before the order, delivered after it.
	send("cart.updated", cart(placed.Add(-5*time.Minute), "2"))

	var c struct {
		CompletedAt string `json:"completed_at"`
		Items       []struct {
			Quantity int `json:"quantity"`
		} `json:"items"`
	}
	if code := admin.do("GET", "/api/v1/checkouts/"+token, nil, &c); code != 200 || c.CompletedAt == "" ||
		len(c.Items) != 1 || c.Items[0].Quantity != 1 {
		t.Fatalf("cart after its order: %d %+v, want completed and unchanged by the older cart", code, c)
	}
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	waitFor(t, "the buyer's order on the timeline", func() bool {
		admin.do("GET", "/api/v1/contacts?email="+email, nil, &found)
		return len(found.Contacts) == 1 && timelineTypes(admin, found.Contacts[0].ID)["order_placed"] == 1
	})
	if n := timelineTypes(admin, found.Contacts[0].ID)["checkout_updated"]; n != 1 {
		t.Fatalf("%d checkout_updated events, want 1: a cart older than its order logs none", n)
	}
}

// A product's older version, arriving last, changes nothing on WooCommerce
// either: the sell-out of 09:40 does not undo the restock of 09:45.
func TestWooCommerceOlderProductUpdateChangesNothing(t *testing.T) {
	ws := newWooShop(t)
	product := func(modified string, stock int) []byte {
		return withFields(t, wooSample(t, "product_created.json"), map[string]any{"name": "Kubek „Żuraw”",
			"date_modified_gmt": modified, "manage_stock": true, "stock_quantity": stock,
			"stock_status": map[bool]string{true: "instock", false: "outofstock"}[stock > 0]})
	}
	ws.send("product.updated", product("2026-03-02T08:45:00", 5))
	ws.send("product.updated", product("2026-03-02T08:40:00", 0))
	var p struct {
		Stock int64 `json:"stock"`
	}
	if code := ws.admin.do("GET", "/api/v1/products/794", nil, &p); code != 200 || p.Stock != 5 {
		t.Fatalf("product after an older update: %d %+v, want the 08:45 stock 5", code, p)
	}
}

// connectPolishWooShop makes a PLN workspace with a WooCommerce shop whose
// REST API is apiURL and whose webhooks are signed with secret; it returns
// the workspace's API client (an admin token naming it), the workspace and
// the shop.
func connectPolishWooShop(t *testing.T, inst *instance, apiURL, secret string) (apiClient, wsJSON, shopJSON) {
	t.Helper()
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Sklep", "currency": "PLN"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	admin.ws = w.ID
	var sh shopJSON
	if code := admin.do("POST", "/api/v1/shops", map[string]any{"platform": "woocommerce", "domain": "sklep.example.pl",
		"consumer_key": wootest.ConsumerKey, "consumer_secret": wootest.ConsumerSecret, "webhook_secret": secret,
		"api_url": apiURL}, &sh); code != 201 {
		t.Fatalf("connect shop: %d", code)
	}
	return admin, w, sh
}
