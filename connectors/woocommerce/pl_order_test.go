package woocommerce

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// A Polish shop (PLN, 23% VAT, prices entered with tax) and a guest who
// ticked the plugin's consent box: what the shopper saw and paid is stored,
// with the tax apart, and the guest is named.
func TestDecodePolishGuestOrderGross(t *testing.T) {
	ch := mustDecode(t, "order.created", readTestdata(t, "pl_order_on_hold.json"))
	want := commerce.Order{
		ExternalID: "4217", Number: "4217", Email: "agnieszka.wisniewska@example.pl",
		VisitorID: "7312004581276630912", CheckoutToken: "c2f0a8d4e19b4c7fa3d5e6b7c8d9e0f1",
		FirstName: "Agnieszka", LastName: "Wiśniewska",
		EmailConsent: &commerce.Consent{State: commerce.ConsentSubscribed, OptInMode: "single_opt_in",
			UpdatedAt: utc("2026-11-20T14:02:57Z")},
		Currency: "PLN", PricesIncludeTax: true,
		// 98.00 + 199.00 + 59.70 as the shop showed them, not the net 290.00.
		SubtotalMinor: 35670, ShippingMinor: 1167, TaxMinor: 6888, TotalMinor: 36837,
		Financial: "pending", Status: "on-hold", Fulfillment: commerce.FulfillmentUnfulfilled,
		Items: []commerce.LineItem{
			{ProductID: "301", SKU: "KUB-POR", Title: "Kubek ceramiczny „Poranek”", Quantity: 2, PriceMinor: 4900, TaxMinor: 1833,
				ImageURL: "https://sklep.example.pl/wp-content/uploads/2026/10/kubek-poranek.jpg"},
			{ProductID: "310", VariantID: "312", SKU: "BLZ-KAP-M", Title: "Bluza z kapturem - M", Quantity: 1, PriceMinor: 19900,
				TaxMinor: 3721, ImageURL: "https://sklep.example.pl/wp-content/uploads/2026/10/bluza-kaptur.jpg"},
			{ProductID: "305", SKU: "SKR-PAS", Title: "Skarpetki w paski", Quantity: 3, PriceMinor: 1990, TaxMinor: 1116},
		},
		DiscountCodes: []string{},
		PlacedAt:      utc("2026-11-20T13:03:11Z"),
		UpdatedAt:     utc("2026-11-20T13:05:40Z"),
	}
	if !reflect.DeepEqual(*ch.Order, want) {
		t.Fatalf("\n got %+v\nwant %+v", *ch.Order, want)
	}
	if got := commerce.Sum(ch.Order.Items); got != ch.Order.SubtotalMinor {
		t.Errorf("items sum to %d, subtotal %d", got, ch.Order.SubtotalMinor)
	}
	if s := ch.Order.SubtotalMinor - ch.Order.DiscountMinor + ch.Order.ShippingMinor; s != ch.Order.TotalMinor {
		t.Errorf("subtotal - discount + shipping = %d, total %d", s, ch.Order.TotalMinor)
	}
}

// The same order completed, then partly and fully refunded: fulfilment and
// the refunded amount follow.
func TestDecodePolishOrderLifecycle(t *testing.T) {
	for _, c := range []struct {
		file              string
		financial, status string
		fulfillment       string
		refunded          int64
		stage             int
	}{
		{"pl_order_on_hold.json", "pending", "on-hold", commerce.FulfillmentUnfulfilled, 0, 0},
		{"pl_order_completed.json", "paid", "completed", commerce.FulfillmentFulfilled, 0, 3},
		{"pl_order_refund_partial.json", "partially_refunded", "completed", commerce.FulfillmentFulfilled, 5970, 3},
		{"pl_order_refunded.json", "refunded", "refunded", "", 36837, 4},
	} {
		o := mustDecode(t, "order.updated", readTestdata(t, c.file)).Order
		if o.Financial != c.financial || o.Status != c.status || o.Fulfillment != c.fulfillment ||
			o.RefundedMinor != c.refunded || o.Stage() != c.stage {
			t.Errorf("%s: financial %q status %q fulfilment %q refunded %d stage %d", c.file, o.Financial, o.Status,
				o.Fulfillment, o.RefundedMinor, o.Stage())
		}
	}
	hold := mustDecode(t, "order.updated", readTestdata(t, "pl_order_on_hold.json")).Order
	done := mustDecode(t, "order.updated", readTestdata(t, "pl_order_completed.json")).Order
	if !hold.UpdatedAt.Equal(done.UpdatedAt) || !done.Supersedes(*hold) || hold.Supersedes(*done) {
		t.Errorf("equal-time on-hold %v and completed %v: completed must win either way", hold.UpdatedAt, done.UpdatedAt)
	}
}

// A consent "no" is a withdrawal; no answer time falls back to the checkout.
func TestDecodeOrderConsentDeclined(t *testing.T) {
	body := readTestdata(t, "pl_order_on_hold.json")
	body = []byte(replaceOnce(t, string(body), `"value": "yes"`, `"value": "no"`))
	body = []byte(replaceOnce(t, string(body), `"value": "2026-11-20T14:02:57"`, `"value": ""`))
	o := mustDecode(t, "order.created", body).Order
	if o.EmailConsent == nil || o.EmailConsent.State != commerce.ConsentUnsubscribed ||
		!o.EmailConsent.UpdatedAt.Equal(utc("2026-11-20T13:03:11Z")) {
		t.Fatalf("consent %+v", o.EmailConsent)
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in the sample", old)
	}
	return strings.Replace(s, old, new, 1)
}

// The plugin's cart of a shop that shows prices with tax: the lines and
// the subtotal read as the shopper saw them.
func TestDecodeGrossCart(t *testing.T) {
	ch := mustDecode(t, TopicCartUpdated, readTestdata(t, "pl_cart_updated.json"))
	c := ch.Checkout
	if ch.Kind != commerce.ChangeCheckout || len(c.Items) != 2 || c.Items[0].PriceMinor != 4900 || c.Items[0].TaxMinor != 1832 ||
		c.Items[1].PriceMinor != 19900 || c.Items[1].TaxMinor != 3721 || c.SubtotalMinor != 29700 || c.TotalMinor != 30867 {
		t.Fatalf("cart %+v", *c)
	}
	// Without prices_include_tax the price is shown as sent.
	body := replaceOnce(t, string(readTestdata(t, "pl_cart_updated.json")), `"prices_include_tax": true`, `"prices_include_tax": false`)
	c = mustDecode(t, TopicCartUpdated, []byte(body)).Checkout
	if c.Items[0].PriceMinor != 3984 || c.SubtotalMinor != 24146 {
		t.Fatalf("net cart %+v", *c)
	}
}

// Extensions rewrite booleans as strings; a delivery must not be refused
// over one, since WooCommerce never resends it.
func TestPricesIncludeTaxLenient(t *testing.T) {
	for lit, want := range map[string]bool{`"yes"`: true, `"1"`: true, `1`: true, `"no"`: false, `null`: false, `""`: false} {
		body := replaceOnce(t, string(readTestdata(t, "pl_order_on_hold.json")), `"prices_include_tax": true`, `"prices_include_tax": `+lit)
		ch, err := Decode("order.updated", []byte(body))
		if err != nil || ch.Order.PricesIncludeTax != want {
			t.Errorf("prices_include_tax %s: %v, err %v", lit, ch.Order, err)
		}
	}
	orphan := replaceOnce(t, string(readTestdata(t, "pl_variation_m.json")), `"parent_id": 310`, `"parent_id": 0`)
	if ch, err := Decode("product.updated", []byte(orphan)); err != nil || ch.Kind != commerce.ChangeIgnored {
		t.Errorf("a variation without a parent: %v %v", ch.Kind, err)
	}
}
