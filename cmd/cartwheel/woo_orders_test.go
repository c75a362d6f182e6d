package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

// wooOrderView is what GET /api/v1/orders/{id} answers, as far as the
// WooCommerce order tests read it.
type wooOrderView struct {
	Status           string `json:"status"`
	Financial        string `json:"financial_status"`
	Fulfillment      string `json:"fulfillment_status"`
	SubtotalMinor    int64  `json:"subtotal_minor"`
	TaxMinor         int64  `json:"tax_minor"`
	TotalMinor       int64  `json:"total_minor"`
	RefundedMinor    int64  `json:"refunded_minor"`
	PricesIncludeTax bool   `json:"prices_include_tax"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	Items            []struct {
		PriceMinor int64 `json:"price_minor"`
		TaxMinor   int64 `json:"tax_minor"`
	} `json:"items"`
}

// A Polish shop's guest order paid by bank transfer, as WooCommerce
// delivers it: on-hold, then completed in the same second (one
// date_modified_gmt, one X-WC-Webhook-Delivery-ID, since WooCommerce makes
// that id from the webhook id and the second), then partly and fully
// refunded. Every delivery is taken, the later state wins, and the buyer's
// revenue follows the refunds.
func TestWooCommerceOrderLifecycleSameSecond(t *testing.T) {
	fake := wootest.NewServer(t)
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	const secret = "wc-pl-secret"
	admin, _, sh := connectPolishWooShop(t, inst, fake.URL, secret)
	hookURL := inst.url("/webhooks/woocommerce/" + sh.ID)
	send := func(topic, file, deliveryID string) string {
		t.Helper()
		req, err := fake.NewDelivery(context.Background(), hookURL, topic, wooSample(t, file), secret, 31)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-WC-Webhook-Delivery-ID", deliveryID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.Contains(string(b), "duplicate") {
			t.Fatalf("%s %s: %d %s", topic, file, resp.StatusCode, b)
		}
		return string(b)
	}
	order := func() wooOrderView {
		var o wooOrderView
		if code := admin.do("GET", "/api/v1/orders/"+sh.ID+"-4217", nil, &o); code != 200 {
			t.Fatalf("order: %d", code)
		}
		return o
	}
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	revenue := func() int64 {
		var v struct {
			Profile struct {
				Revenue map[string]int64 `json:"revenue_minor"`
			} `json:"profile"`
		}
		if len(found.Contacts) != 1 {
			admin.do("GET", "/api/v1/contacts?email=agnieszka.wisniewska@example.pl", nil, &found)
			if len(found.Contacts) != 1 {
				return -1
			}
		}
		admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID, nil, &v)
		return v.Profile.Revenue["PLN"]
	}

	const sameSecond = "9c1f4d2e7a3b5c6d8e9f0a1b2c3d4e5f"
	send("order.created", "pl_order_on_hold.json", "5a1b")
	send("order.updated", "pl_order_on_hold.json", sameSecond)
	send("order.updated", "pl_order_completed.json", sameSecond)
	waitFor(t, "completed order", func() bool { return order().Status == "completed" })
	o := order()
	if o.Financial != "paid" || o.Fulfillment != "fulfilled" || !o.PricesIncludeTax || o.FirstName != "Agnieszka" ||
		o.LastName != "Wiśniewska" || o.SubtotalMinor != 35670 || o.TaxMinor != 6888 || o.TotalMinor != 36837 ||
		len(o.Items) != 3 || o.Items[0].PriceMinor != 4900 || o.Items[0].TaxMinor != 1833 {
		t.Fatalf("completed order %+v", o)
	}
	waitFor(t, "revenue of the order", func() bool { return revenue() == 36837 })

	// The on-hold state delivered again, late, by another webhook (order.
	// created's body is the same; a resend under order.updated is not a
	// duplicate by its topic): as old as the completed one, and earlier in
	// the lifecycle, so it does not undo it.
	send("order.restored", "pl_order_on_hold.json", "77aa")
	send("order.updated", "pl_order_refund_partial.json", "6b2c")
	waitFor(t, "partial refund", func() bool { return order().RefundedMinor == 5970 })
	if o := order(); o.Status != "completed" || o.Financial != "partially_refunded" {
		t.Fatalf("after the partial refund: %+v", o)
	}
	waitFor(t, "revenue less the partial refund", func() bool { return revenue() == 36837-5970 })
	send("order.updated", "pl_order_refunded.json", "7c3d")
	waitFor(t, "full refund", func() bool { return order().RefundedMinor == 36837 })
	if o := order(); o.Status != "refunded" || o.Financial != "refunded" || o.Fulfillment != "" {
		t.Fatalf("after the full refund: %+v", o)
	}
	waitFor(t, "no revenue left", func() bool { return revenue() == 0 })

	var tl struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID+"/timeline", nil, &tl)
	var types []string
	for _, e := range tl.Events {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); got != "order_refunded,order_refunded,order_paid,order_placed" {
		t.Fatalf("timeline %s", got)
	}
}
