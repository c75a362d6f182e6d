package woocommerce

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return v
}

func mustDecode(t *testing.T, topic string, body []byte) commerce.Change {
	t.Helper()
	ch, err := Decode(topic, body)
	if err != nil {
		t.Fatalf("Decode(%s): %v", topic, err)
	}
	return ch
}

func TestDecodeOrderGuest(t *testing.T) {
	for _, topic := range []string{"order.created", "order.updated", "order.restored"} {
		ch := mustDecode(t, topic, readTestdata(t, "order_created.json"))
		want := commerce.Order{
			ExternalID: "727", Number: "727", Email: "john.doe@example.com",
			CustomerID: "", // customer_id 0 is a guest, named by the billing address
			FirstName:  "John", LastName: "Doe",
			Currency: "USD", SubtotalMinor: 1800, DiscountMinor: 0, ShippingMinor: 1000, TaxMinor: 135, TotalMinor: 2935,
			Financial: "paid", Status: "processing", Fulfillment: commerce.FulfillmentUnfulfilled,
			Items: []commerce.LineItem{
				{ProductID: "93", SKU: "", Title: "Woo Single #1", Quantity: 2, PriceMinor: 300, TaxMinor: 45},
				{ProductID: "22", VariantID: "23", SKU: "Bar3", Title: "Ship Your Idea – Color: Black, Size: M Test", Quantity: 1, PriceMinor: 1200, TaxMinor: 90},
			},
			DiscountCodes: []string{},
			PlacedAt:      utc("2017-03-22T19:28:02Z"),
			UpdatedAt:     utc("2017-03-22T19:28:08Z"),
		}
		if ch.Kind != commerce.ChangeOrder || ch.ExternalID != "727" || !ch.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("%s: change = %s %q %v", topic, ch.Kind, ch.ExternalID, ch.UpdatedAt)
		}
		if !reflect.DeepEqual(*ch.Order, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", topic, *ch.Order, want)
		}
	}
}

func TestDecodeOrderWithPluginMetaCouponAndRefund(t *testing.T) {
	ch := mustDecode(t, "order.updated", readTestdata(t, "order_updated.json"))
	want := commerce.Order{
		ExternalID: "727", Number: "727", Email: "john.doe@example.com", CustomerID: "25",
		VisitorID: "1234567890123456789", CheckoutToken: "9f86d081884c7d659a2feaa0c55ad015",
		FirstName: "John", LastName: "Doe",
		Currency: "USD", SubtotalMinor: 2200, DiscountMinor: 180, ShippingMinor: 1000, TaxMinor: 135, TotalMinor: 3155,
		Financial: "partially_refunded", Status: "completed", Fulfillment: commerce.FulfillmentFulfilled,
		RefundedMinor: 500,
		Items: []commerce.LineItem{
			// price 2.7333333333333334 (8.20 / 3 in PHP floats) rounds to 2.73.
			{ProductID: "93", Title: "Woo Single #1", Quantity: 3, PriceMinor: 273, TaxMinor: 45, ImageURL: "https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg"},
			{ProductID: "22", VariantID: "23", SKU: "Bar3", Title: "Ship Your Idea – Color: Black, Size: M Test", Quantity: 1, PriceMinor: 1200, TaxMinor: 90},
		},
		DiscountCodes: []string{"welcome10"},
		PlacedAt:      utc("2017-03-22T19:28:02Z"),
		UpdatedAt:     utc("2017-03-23T08:00:00Z"),
	}
	if !reflect.DeepEqual(*ch.Order, want) {
		t.Errorf("\n got %+v\nwant %+v", *ch.Order, want)
	}
	if !ch.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("Change.UpdatedAt = %v", ch.UpdatedAt)
	}
}

func TestDecodeOrderCartHashFallback(t *testing.T) {
	body := strings.Replace(string(readTestdata(t, "order_created.json")), `"cart_hash": ""`, `"cart_hash": "abc123"`, 1)
	if got := mustDecode(t, "order.created", []byte(body)).Order.CheckoutToken; got != "abc123" {
		t.Errorf("CheckoutToken = %q, want the cart_hash", got)
	}
}

func TestDecodeOrderStatuses(t *testing.T) {
	for status, want := range map[string]string{
		"pending": "pending", "on-hold": "pending", "processing": "paid", "completed": "paid",
		"cancelled": "cancelled", "refunded": "refunded", "failed": "failed", "trash": "voided",
		"shipped": "paid", // an extension's status after payment: date_paid is set
	} {
		body := strings.Replace(string(readTestdata(t, "order_created.json")), `"status": "processing"`, `"status": "`+status+`"`, 1)
		o := mustDecode(t, "order.updated", []byte(body)).Order
		if o.Financial != want {
			t.Errorf("status %s → %q, want %q", status, o.Financial, want)
		}
		if cancelled := !o.CancelledAt.IsZero(); cancelled != (status == "cancelled") {
			t.Errorf("status %s: CancelledAt = %v", status, o.CancelledAt)
		} else if cancelled && !o.CancelledAt.Equal(utc("2017-03-22T19:28:08Z")) {
			t.Errorf("CancelledAt = %v, want the modification time", o.CancelledAt)
		}
	}
	unpaid := strings.NewReplacer(`"status": "processing"`, `"status": "awaiting-shipment"`, `"date_paid_gmt": "2017-03-22T19:28:08"`, `"date_paid_gmt": null`).
		Replace(string(readTestdata(t, "order_created.json")))
	if got := mustDecode(t, "order.updated", []byte(unpaid)).Order.Financial; got != "pending" {
		t.Errorf("unknown status without date_paid → %q, want pending", got)
	}
}

func TestDecodeCustomer(t *testing.T) {
	ch := mustDecode(t, "customer.created", readTestdata(t, "customer_created.json"))
	want := commerce.Customer{
		ExternalID: "25", Email: "john.doe@example.com", Phone: "(555) 555-5555", FirstName: "John", LastName: "Doe",
		Country: "US", CreatedAt: utc("2017-03-21T19:09:28Z"), UpdatedAt: utc("2017-03-21T19:09:30Z"),
	}
	if ch.Kind != commerce.ChangeCustomer || ch.ExternalID != "25" || !ch.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("change = %s %q %v", ch.Kind, ch.ExternalID, ch.UpdatedAt)
	}
	if !reflect.DeepEqual(*ch.Customer, want) {
		t.Errorf("\n got %+v\nwant %+v", *ch.Customer, want)
	}

	ch = mustDecode(t, "customer.updated", readTestdata(t, "customer_updated.json"))
	wantConsent := commerce.Consent{State: commerce.ConsentSubscribed, OptInMode: "single_opt_in", UpdatedAt: utc("2017-04-02T09:59:58Z")}
	if ch.Customer.EmailConsent == nil || *ch.Customer.EmailConsent != wantConsent {
		t.Errorf("EmailConsent = %+v, want %+v", ch.Customer.EmailConsent, wantConsent)
	}
	if !ch.UpdatedAt.Equal(utc("2017-04-02T10:00:00Z")) {
		t.Errorf("UpdatedAt = %v", ch.UpdatedAt)
	}
	no := strings.Replace(string(readTestdata(t, "customer_updated.json")), `"value": "yes"`, `"value": "no"`, 1)
	if c := mustDecode(t, "customer.updated", []byte(no)).Customer.EmailConsent; c == nil || c.State != commerce.ConsentUnsubscribed {
		t.Errorf("consent meta no → %+v", c)
	}
	odd := strings.Replace(string(readTestdata(t, "customer_updated.json")), `"value": "yes"`, `"value": "maybe"`, 1)
	if c := mustDecode(t, "customer.updated", []byte(odd)).Customer.EmailConsent; c != nil {
		t.Errorf("consent meta maybe → %+v, want nil", c)
	}
}

func TestDecodeProduct(t *testing.T) {
	ch := mustDecode(t, "product.created", readTestdata(t, "product_created.json"))
	want := commerce.Product{
		ID: "794", ExternalID: "794", Handle: "premium-quality-19", Title: "Premium Quality",
		Description: "Pellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis egestas.",
		Category:    "Clothing", Collections: []string{"Clothing", "T-shirts"}, Tags: []string{},
		PriceMinor: 2199, Stock: 1, StockUntracked: true, VariantIDsOnly: true, Status: "active",
		ImageURL:  "https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg",
		URL:       "https://example.com/product/premium-quality-19/",
		CreatedAt: utc("2017-03-23T20:01:14Z"), UpdatedAt: utc("2017-03-23T20:01:14Z"),
	}
	if ch.Kind != commerce.ChangeProduct || ch.ExternalID != "794" || !ch.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("change = %s %q %v", ch.Kind, ch.ExternalID, ch.UpdatedAt)
	}
	if !reflect.DeepEqual(*ch.Product, want) {
		t.Errorf("\n got %+v\nwant %+v", *ch.Product, want)
	}

	p := mustDecode(t, "product.updated", readTestdata(t, "product_variable.json")).Product
	if p.Description != "Ship your idea & wear it." {
		t.Errorf("Description = %q", p.Description)
	}
	if p.PriceMinor != 1600 || p.CompareMinor != 2000 || p.Stock != 7 {
		t.Errorf("price/compare/stock = %d/%d/%d, want 1600/2000/7", p.PriceMinor, p.CompareMinor, p.Stock)
	}
	if !reflect.DeepEqual(p.Tags, []string{"Summer & Sun"}) || !reflect.DeepEqual(p.Variants, []commerce.Variant{{ID: "800"}, {ID: "801"}}) {
		t.Errorf("Tags = %q, Variants = %+v", p.Tags, p.Variants)
	}
	if !p.UpdatedAt.Equal(utc("2017-03-24T12:30:00Z")) {
		t.Errorf("UpdatedAt = %v", p.UpdatedAt)
	}

	v := mustDecode(t, "product.updated", readTestdata(t, "product_variation.json"))
	wantV := []commerce.Variant{{ID: "800", Title: "Premium Quality", PriceMinor: 2199, Stock: 1, StockUntracked: true,
		UpdatedAt: utc("2017-03-23T20:01:14Z")}}
	if v.Kind != commerce.ChangeVariant || v.ExternalID != "799" || v.Product == nil || !reflect.DeepEqual(v.Product.Variants, wantV) {
		t.Errorf("variation → %+v, want ChangeVariant of 799", v)
	}

	jpy, err := DecodeWithCurrency("product.updated", []byte(strings.Replace(string(readTestdata(t, "product_created.json")), `"price": "21.99"`, `"price": "1500"`, 1)), "jpy")
	if err != nil || jpy.Product.PriceMinor != 1500 || jpy.Product.Currency != "JPY" {
		t.Errorf("JPY product = %+v, %v", jpy.Product, err)
	}
}

func TestProductStatusAndStock(t *testing.T) {
	for status, want := range map[string]string{"publish": "active", "draft": "draft", "pending": "draft", "private": "draft", "trash": "archived"} {
		if got := productStatus(status); got != want {
			t.Errorf("productStatus(%s) = %s, want %s", status, got, want)
		}
	}
	for _, c := range []struct {
		manage, qty, status string
		want                int64
		untracked           bool
	}{
		{`false`, ``, "instock", 1, true},
		{`false`, ``, "outofstock", 0, true},
		{`false`, ``, "onbackorder", 1, true},
		{`false`, `4`, "instock", 1, true}, // a count left over from when stock was managed means nothing
		{`true`, `12`, "instock", 12, false},
		{`true`, `0`, "instock", 0, false},
		{`true`, `-2`, "onbackorder", 1, false},
		{`true`, `5`, "outofstock", 0, false},
		{`true`, ``, "instock", 1, true},
		{`"parent"`, `3`, "instock", 3, false},
	} {
		p := product{ManageStock: []byte(c.manage), StockQuantity: text(c.qty), StockStatus: c.status}
		if got, untracked := productStock(p); got != c.want || untracked != c.untracked {
			t.Errorf("stock(manage=%s qty=%q %s) = %d untracked %v, want %d %v", c.manage, c.qty, c.status, got, untracked, c.want, c.untracked)
		}
	}
}

func TestDecodeDeleted(t *testing.T) {
	for _, c := range []struct {
		topic, file string
		kind        commerce.ChangeKind
		id          string
	}{
		{"order.deleted", "order_deleted.json", commerce.ChangeIgnored, "727"},
		{"customer.deleted", "customer_deleted.json", commerce.ChangeIgnored, "25"},
		{"product.deleted", "product_deleted.json", commerce.ChangeProductDeleted, "794"},
	} {
		ch := mustDecode(t, c.topic, readTestdata(t, c.file))
		if ch.Kind != c.kind || ch.ExternalID != c.id || ch.Order != nil || ch.Product != nil {
			t.Errorf("%s → %+v, want %s %s", c.topic, ch, c.kind, c.id)
		}
	}
}

func TestDecodeCart(t *testing.T) {
	body := readTestdata(t, "cart_updated.json")
	ch := mustDecode(t, TopicCartUpdated, body)
	want := commerce.Checkout{
		Token: "9f86d081884c7d659a2feaa0c55ad015", VisitorID: "1234567890123456789", Currency: "USD",
		SubtotalMinor: 1800, TotalMinor: 1935,
		Items: []commerce.LineItem{
			{ProductID: "93", Title: "Woo Single #1", Quantity: 2, PriceMinor: 300, URL: "https://example.com/product/woo-single-1/", ImageURL: "https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg"},
			{ProductID: "22", VariantID: "23", SKU: "Bar3", Title: "Ship Your Idea – Color: Black", Quantity: 1, PriceMinor: 1200, URL: "https://example.com/product/ship-your-idea/?attribute_pa_color=black"},
		},
		RecoveryURL: "https://example.com/cart/",
		CreatedAt:   utc("2017-03-22T19:20:00Z"),
		UpdatedAt:   utc("2017-03-22T19:25:31.25Z"),
	}
	if ch.Kind != commerce.ChangeCart || ch.ExternalID != want.Token || !ch.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("change = %s %q %v", ch.Kind, ch.ExternalID, ch.UpdatedAt)
	}
	if !reflect.DeepEqual(*ch.Checkout, want) {
		t.Errorf("\n got %+v\nwant %+v", *ch.Checkout, want)
	}
	known := strings.NewReplacer(`"email": ""`, `"email": "jo@example.com"`, `"customer_id": 0`, `"customer_id": 12`).Replace(string(body))
	ch = mustDecode(t, TopicCartUpdated, []byte(known))
	if ch.Kind != commerce.ChangeCheckout || ch.Checkout.Email != "jo@example.com" || ch.Checkout.CustomerID != "12" {
		t.Errorf("cart with email → %s %+v", ch.Kind, ch.Checkout)
	}
	empty := mustDecode(t, TopicCartUpdated, []byte(`{"token":"t1","currency":"EUR","items":[],"updated_at":"2024-05-01T10:00:00Z"}`))
	if empty.Kind != commerce.ChangeCart || len(empty.Checkout.Items) != 0 || empty.Checkout.Items == nil || !empty.Checkout.CreatedAt.Equal(utc("2024-05-01T10:00:00Z")) {
		t.Errorf("emptied cart → %+v", empty.Checkout)
	}
}

func TestDecodeErrors(t *testing.T) {
	order := string(readTestdata(t, "order_created.json"))
	for _, c := range []struct {
		name, topic, body, want string
	}{
		{"malformed", "order.created", `{"id": 727,`, "malformed JSON"},
		{"array", "order.created", `[{"id": 727}]`, "not a JSON object"},
		{"empty", "product.updated", ``, "not a JSON object"},
		{"trailing data", "order.created", `{"id": 1} {"id": 2}`, "data after"},
		{"order without id", "order.created", `{"status": "processing"}`, "no id"},
		{"customer without id", "customer.updated", `{"email": "a@b.c"}`, "no id"},
		{"product without id", "product.created", `{"name": "x"}`, "no id"},
		{"deleted without id", "product.deleted", `{}`, "no id"},
		{"negative id", "order.deleted", `{"id": -3}`, "not a non-negative integer"},
		{"float id", "order.deleted", `{"id": 3.5}`, "not a non-negative integer"},
		{"object id", "order.deleted", `{"id": {}}`, "not a string or number"},
		{"bad total", "order.created", strings.Replace(order, `"total": "29.35"`, `"total": "29,35"`, 1), "total"},
		{"too precise total", "order.created", strings.Replace(order, `"total": "29.35"`, `"total": "29.355"`, 1), "more decimals"},
		{"bad date", "order.created", strings.Replace(order, `"date_created_gmt": "2017-03-22T19:28:02"`, `"date_created_gmt": "yesterday"`, 1), "not an ISO 8601"},
		{"cart without token", TopicCartUpdated, `{"items":[],"updated_at":"2024-05-01T10:00:00Z"}`, "no token"},
		{"cart without time", TopicCartUpdated, `{"token":"t"}`, "no updated_at"},
		{"cart zero quantity", TopicCartUpdated, `{"token":"t","updated_at":"2024-05-01T10:00:00Z","items":[{"product_id":1,"quantity":0,"price":"1.00"}]}`, "quantity"},
		{"cart item without product", TopicCartUpdated, `{"token":"t","updated_at":"2024-05-01T10:00:00Z","items":[{"product_id":0,"quantity":1,"price":"1.00"}]}`, "no product_id"},
	} {
		_, err := Decode(c.topic, []byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.topic) {
			t.Errorf("%s: err = %v, want one naming %s and containing %q", c.name, err, c.topic, c.want)
		}
		if errors.Is(err, ErrUnknownTopic) {
			t.Errorf("%s: a bad payload reported as an unknown topic", c.name)
		}
	}
	for _, topic := range []string{"coupon.created", "order.paid", "action.woocommerce_new_order", "", "cart", "customer.restored"} {
		if _, err := Decode(topic, []byte(`{"id": 1}`)); !errors.Is(err, ErrUnknownTopic) {
			t.Errorf("Decode(%q) err = %v, want ErrUnknownTopic", topic, err)
		}
	}
}

func TestDecodeLenientScalars(t *testing.T) {
	// Extensions rewrite payloads: string ids, numeric money, null dates.
	body := `{"id": "9", "number": 9, "status": "completed", "currency": "eur", "total": 10.5,
		"customer_id": "0", "date_created_gmt": "2024-05-01T10:00:00Z", "date_modified_gmt": null,
		"line_items": [{"product_id": "5", "variation_id": null, "quantity": "2", "subtotal": "10.50", "total": "10.50", "price": "5.25"},
		               {"product_id": 6, "quantity": 0.5, "subtotal": "2.00", "total": "2.00", "price": 4}]}`
	o := mustDecode(t, "order.created", []byte(body)).Order
	if o.ExternalID != "9" || o.Number != "9" || o.Currency != "EUR" || o.TotalMinor != 1050 || o.CustomerID != "" || !o.UpdatedAt.IsZero() {
		t.Errorf("order = %+v", o)
	}
	want := []commerce.LineItem{{ProductID: "5", Quantity: 2, PriceMinor: 525}, {ProductID: "6", Quantity: 1, PriceMinor: 200}}
	if !reflect.DeepEqual(o.Items, want) || o.SubtotalMinor != 1250 {
		t.Errorf("items = %+v subtotal %d, want %+v (a fractional quantity becomes one line at its total)", o.Items, o.SubtotalMinor, want)
	}
}
