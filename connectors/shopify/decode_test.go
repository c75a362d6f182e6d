package shopify

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

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, topic, file string) commerce.Change {
	t.Helper()
	ch, err := Decode(topic, sample(t, file))
	if err != nil {
		t.Fatalf("Decode(%s, %s): %v", topic, file, err)
	}
	return ch
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// eq compares one field, naming it on failure.
func eq[T any](t *testing.T, field string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", field, got, want)
	}
}

func eqTime(t *testing.T, field string, got time.Time, want string) {
	t.Helper()
	if w := at(t, want); !got.Equal(w) {
		t.Errorf("%s = %s, want %s", field, got, w)
	}
}

func TestDecodeOrderVerbatim(t *testing.T) {
	for _, topic := range []string{"orders/create", "orders/paid", "orders/updated", "orders/cancelled", "ORDERS/CREATE "} {
		ch := decode(t, topic, "orders_create.json")
		eq(t, "Kind", ch.Kind, commerce.ChangeOrder)
		o := ch.Order
		eq(t, "ExternalID", o.ExternalID, "820982911946154508")
		eq(t, "Change.ExternalID", ch.ExternalID, "820982911946154508")
		eq(t, "Number", o.Number, "#9999")
		eq(t, "Email", o.Email, "jon@example.com") // email wins over customer.email
		eq(t, "CustomerID", o.CustomerID, "115310627314723954")
		eq(t, "CheckoutToken", o.CheckoutToken, "")
		eq(t, "VisitorID", o.VisitorID, "")
		eq(t, "Currency", o.Currency, "USD")
		eq(t, "SubtotalMinor", o.SubtotalMinor, int64(40495))
		eq(t, "DiscountMinor", o.DiscountMinor, int64(2000))
		eq(t, "ShippingMinor", o.ShippingMinor, int64(0))
		eq(t, "TaxMinor", o.TaxMinor, int64(0))
		eq(t, "TotalMinor", o.TotalMinor, int64(40495))
		eq(t, "Financial", o.Financial, "voided")
		eqTime(t, "CancelledAt", o.CancelledAt, "2021-12-31T19:00:00-05:00")
		eqTime(t, "PlacedAt", o.PlacedAt, "2021-12-31T19:00:00-05:00")
		eqTime(t, "UpdatedAt", o.UpdatedAt, "2021-12-31T19:00:00-05:00")
		eqTime(t, "Change.UpdatedAt", ch.UpdatedAt, "2021-12-31T19:00:00-05:00")
		eq(t, "DiscountCodes", o.DiscountCodes, []string{})
		eq(t, "Items", o.Items, []commerce.LineItem{{ProductID: "788032119674292922", SKU: "SKU2006-001",
			Title: "Aviator sunglasses", Quantity: 1, PriceMinor: 8999}})
		if ch.Checkout != nil || ch.Customer != nil || ch.Product != nil {
			t.Error("an order change carries another payload")
		}
	}
}

func TestDecodeOrderConstructed(t *testing.T) {
	ch := decode(t, "orders/paid", "orders_paid.json")
	o := ch.Order
	eq(t, "ExternalID", o.ExternalID, "5990000000000000001")
	eq(t, "Number", o.Number, "#1001")
	eq(t, "Email", o.Email, "ana@example.com") // contact_email, email being empty
	eq(t, "CustomerID", o.CustomerID, "7234567890123456789")
	eq(t, "CheckoutToken", o.CheckoutToken, "b1946ac92492d2347c6235b4d2611184")
	eq(t, "VisitorID", o.VisitorID, "123456789012345678901234567890")
	eq(t, "Currency", o.Currency, "EUR")
	eq(t, "SubtotalMinor", o.SubtotalMinor, int64(8900))
	eq(t, "DiscountMinor", o.DiscountMinor, int64(990))
	eq(t, "ShippingMinor", o.ShippingMinor, int64(495))
	eq(t, "TaxMinor", o.TaxMinor, int64(1691))
	eq(t, "TotalMinor", o.TotalMinor, int64(10096))
	eq(t, "Financial", o.Financial, "paid")
	eq(t, "CancelledAt.IsZero", o.CancelledAt.IsZero(), true)
	eqTime(t, "PlacedAt", o.PlacedAt, "2026-03-01T10:15:00+01:00")
	eqTime(t, "UpdatedAt", o.UpdatedAt, "2026-03-01T10:16:30.123+01:00")
	eq(t, "DiscountCodes", o.DiscountCodes, []string{"WELCOME10"})
	eq(t, "Items", o.Items, []commerce.LineItem{
		{ProductID: "788032119674292922", VariantID: "642667041472713922", SKU: "TEE-S", Title: "Example T-Shirt - Small", Quantity: 2, PriceMinor: 1999},
		// 2^53+1 and 2^53+3: a float64 round trip would change both.
		{ProductID: "9007199254740993", VariantID: "9007199254740995", Title: "Gift card", Quantity: 1, PriceMinor: 4902},
	})
	if got := commerce.Sum(o.Items); got != o.SubtotalMinor {
		t.Errorf("items sum %d, subtotal %d", got, o.SubtotalMinor)
	}
}

func TestDecodeOrderCancelledWithoutCancelledAt(t *testing.T) {
	body := `{"id": 1, "currency": "USD", "updated_at": "2026-01-02T03:04:05Z", "total_price": "1.00"}`
	ch, err := Decode("orders/cancelled", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	eqTime(t, "CancelledAt", ch.Order.CancelledAt, "2026-01-02T03:04:05Z")
	// orders/updated does not invent a cancellation.
	ch, err = Decode("orders/updated", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "CancelledAt.IsZero", ch.Order.CancelledAt.IsZero(), true)
	if _, err := Decode("orders/cancelled", []byte(`{"id": 1}`)); err == nil {
		t.Error("a cancellation without any time decoded")
	}
}

func TestDecodeCheckout(t *testing.T) {
	for _, topic := range []string{"checkouts/create", "checkouts/update"} {
		ch := decode(t, topic, "checkouts_create.json")
		eq(t, "Kind", ch.Kind, commerce.ChangeCheckout)
		c := ch.Checkout
		eq(t, "Token", c.Token, "123123123")
		eq(t, "Change.ExternalID", ch.ExternalID, "123123123")
		eq(t, "Email", c.Email, "example@email.com")
		eq(t, "CustomerID", c.CustomerID, "603851970716743426")
		eq(t, "Currency", c.Currency, "USD")
		eq(t, "SubtotalMinor", c.SubtotalMinor, int64(39800))
		eq(t, "TotalMinor", c.TotalMinor, int64(42188))
		eq(t, "RecoveryURL", c.RecoveryURL, "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token")
		eq(t, "CompletedAt.IsZero", c.CompletedAt.IsZero(), true)
		eqTime(t, "CreatedAt", c.CreatedAt, "2021-12-31T19:00:00-05:00")
		eqTime(t, "UpdatedAt", c.UpdatedAt, "2021-12-31T19:00:00-05:00")
		eq(t, "Items", c.Items, []commerce.LineItem{{ProductID: "632910392", VariantID: "808950810", SKU: "IPOD2008PINK",
			Title: "IPod Nano - 8GB - Pink", Quantity: 1, PriceMinor: 19900}})
	}
}

func TestDecodeCheckoutJPY(t *testing.T) {
	ch := decode(t, "checkouts/update", "checkouts_update.json")
	c := ch.Checkout
	eq(t, "Token", c.Token, "b1946ac92492d2347c6235b4d2611184")
	eq(t, "Email", c.Email, "kenji@example.jp") // email null: the customer's
	eq(t, "CustomerID", c.CustomerID, "8123456789012345683")
	eq(t, "VisitorID", c.VisitorID, "987654321098765432109876543210")
	eq(t, "Currency", c.Currency, "JPY")
	eq(t, "SubtotalMinor", c.SubtotalMinor, int64(3000)) // yen have no minor unit
	eq(t, "TotalMinor", c.TotalMinor, int64(3300))
	eqTime(t, "CompletedAt", c.CompletedAt, "2026-03-01T10:14:58+09:00")
	eq(t, "Items", c.Items, []commerce.LineItem{{ProductID: "8123456789012345679", VariantID: "8123456789012345681", SKU: "MUG-BLUE",
		Title: "Mug - Blue", Quantity: 2, PriceMinor: 1500}})
	eq(t, "CartToken", c.CartToken, "Z2NwLWV1cm9wZS13ZXN0MTowMUhYWjFKNzVDOUhNVEJYRFdQQ1lFMjdRVA")
}

func TestDecodeCart(t *testing.T) {
	for _, topic := range []string{"carts/create", "carts/update"} {
		ch := decode(t, topic, "carts_create.json")
		eq(t, "Kind", ch.Kind, commerce.ChangeCart)
		c := ch.Checkout
		eq(t, "Token", c.Token, "exampleCartId")
		eq(t, "Change.ExternalID", ch.ExternalID, "exampleCartId")
		eq(t, "Email", c.Email, "")
		eq(t, "Currency", c.Currency, "")
		eq(t, "SubtotalMinor", c.SubtotalMinor, int64(5997))
		eq(t, "TotalMinor", c.TotalMinor, int64(5997))
		eqTime(t, "UpdatedAt", c.UpdatedAt, "2022-01-01T00:00:00Z")
		eqTime(t, "Change.UpdatedAt", ch.UpdatedAt, "2022-01-01T00:00:00Z")
		eq(t, "Items", c.Items, []commerce.LineItem{{ProductID: "788032119674292922", VariantID: "704912205188288575",
			SKU: "example-shirt-s", Title: "Example T-Shirt - Small", Quantity: 3, PriceMinor: 1999}})
	}
	ch, err := DecodeWithCurrency("carts/update", sample(t, "carts_create.json"), "eur")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Currency with shop currency", ch.Checkout.Currency, "EUR")
	// Without line_price the total is quantity × price.
	ch, err = Decode("carts/update", []byte(`{"token":"t1","line_items":[{"product_id":1,"variant_id":2,"quantity":2,"price":"1.25"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "TotalMinor without line_price", ch.Checkout.TotalMinor, int64(250))
}

func TestDecodeCustomer(t *testing.T) {
	ch := decode(t, "customers/create", "customers_create.json")
	eq(t, "Kind", ch.Kind, commerce.ChangeCustomer)
	c := ch.Customer
	eq(t, "ExternalID", c.ExternalID, "706405506930370084")
	eq(t, "Change.ExternalID", ch.ExternalID, "706405506930370084")
	eq(t, "Email", c.Email, "bob@biller.com")
	eq(t, "Phone", c.Phone, "")
	eq(t, "FirstName", c.FirstName, "Bob")
	eq(t, "LastName", c.LastName, "Biller")
	eq(t, "Country", c.Country, "CA")
	eq(t, "Currency", c.Currency, "USD")
	eq(t, "Tags", c.Tags, []string{})
	eq(t, "EmailConsent", c.EmailConsent, (*commerce.Consent)(nil)) // the sample says nothing about consent
	eq(t, "SMSConsent", c.SMSConsent, (*commerce.Consent)(nil))
	eqTime(t, "CreatedAt", c.CreatedAt, "2021-12-31T19:00:00-05:00")
	eqTime(t, "UpdatedAt", ch.UpdatedAt, "2021-12-31T19:00:00-05:00")

	ch = decode(t, "customers/update", "customers_update.json")
	c = ch.Customer
	eq(t, "Phone", c.Phone, "+16135550135")
	eq(t, "Tags", c.Tags, []string{"vip", "newsletter", "repeat"})
	eq(t, "OrdersCount", c.OrdersCount, int64(3))
	eq(t, "SpentMinor", c.SpentMinor, int64(41250))
	eq(t, "Country", c.Country, "CA")
	eq(t, "EmailConsent", *c.EmailConsent, commerce.Consent{State: commerce.ConsentSubscribed, OptInMode: "confirmed_opt_in",
		UpdatedAt: at(t, "2026-02-14T08:29:00-05:00")})
	eq(t, "SMSConsent", *c.SMSConsent, commerce.Consent{State: commerce.ConsentUnsubscribed, OptInMode: "unknown"}) // redacted
	eqTime(t, "UpdatedAt", ch.UpdatedAt, "2026-02-14T08:30:00-05:00")
}

func TestDecodeCustomerLegacyConsent(t *testing.T) {
	for _, c := range []struct {
		accepts string
		want    string
	}{{"true", commerce.ConsentSubscribed}, {"false", commerce.ConsentNotSubscribed}} {
		body := `{"id": 5, "accepts_marketing": ` + c.accepts + `, "accepts_marketing_updated_at": "2020-05-01T00:00:00Z", "marketing_opt_in_level": "single_opt_in"}`
		ch, err := Decode("customers/update", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "legacy EmailConsent", *ch.Customer.EmailConsent, commerce.Consent{State: c.want, OptInMode: "single_opt_in",
			UpdatedAt: at(t, "2020-05-01T00:00:00Z")})
	}
	// The consent object wins over the legacy flag.
	ch, err := Decode("customers/update", []byte(`{"id": 5, "accepts_marketing": true, "email_marketing_consent": {"state": "unsubscribed"}}`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "EmailConsent.State", ch.Customer.EmailConsent.State, commerce.ConsentUnsubscribed)
	// Tags as an array are accepted too.
	ch, err = Decode("customers/update", []byte(`{"id": 5, "tags": ["a", " b ", ""]}`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Tags from array", ch.Customer.Tags, []string{"a", "b"})
}

func TestDecodeEmailConsent(t *testing.T) {
	ch := decode(t, "customers_email_marketing_consent/update", "customers_email_marketing_consent_update.json")
	eq(t, "Kind", ch.Kind, commerce.ChangeConsent)
	eq(t, "ExternalID", ch.ExternalID, "706405506930370084")
	eq(t, "Customer", *ch.Customer, commerce.Customer{ExternalID: "706405506930370084", Email: "bob@biller.com",
		EmailConsent: &commerce.Consent{State: commerce.ConsentNotSubscribed}})

	ch = decode(t, "customers_email_marketing_consent/update", "customers_email_marketing_consent_update_subscribed.json")
	eq(t, "EmailConsent", *ch.Customer.EmailConsent, commerce.Consent{State: commerce.ConsentSubscribed, OptInMode: "single_opt_in",
		UpdatedAt: at(t, "2026-02-14T13:29:00Z")})
	eqTime(t, "Change.UpdatedAt", ch.UpdatedAt, "2026-02-14T13:29:00Z")

	for _, body := range []string{`{"email_address": "a@b.c", "email_marketing_consent": {"state": "subscribed"}}`,
		`{"customer_id": 1, "email_marketing_consent": null}`, `{"customer_id": 1, "email_marketing_consent": {"state": null}}`} {
		if _, err := Decode("customers_email_marketing_consent/update", []byte(body)); err == nil {
			t.Errorf("consent %s decoded", body)
		}
	}
}

func TestDecodeProduct(t *testing.T) {
	ch := decode(t, "products/create", "products_create.json")
	eq(t, "Kind", ch.Kind, commerce.ChangeProduct)
	p := ch.Product
	eq(t, "ID", p.ID, "788032119674292922")
	eq(t, "ExternalID", p.ExternalID, "788032119674292922")
	eq(t, "Change.ExternalID", ch.ExternalID, "788032119674292922")
	eq(t, "Handle", p.Handle, "example-t-shirt")
	eq(t, "Title", p.Title, "Example T-Shirt")
	eq(t, "Description", p.Description, "An example T-Shirt")
	eq(t, "Vendor", p.Vendor, "Acme")
	eq(t, "Category", p.Category, "Shirts")
	eq(t, "Tags", p.Tags, []string{"example", "mens", "t-shirt"})
	eq(t, "Status", p.Status, "active")
	eq(t, "PriceMinor", p.PriceMinor, int64(1999))
	eq(t, "CompareMinor", p.CompareMinor, int64(2499))
	eq(t, "Currency", p.Currency, "")
	eq(t, "Stock", p.Stock, int64(125))
	eq(t, "ImageURL", p.ImageURL, "")
	eq(t, "CreatedAt.IsZero", p.CreatedAt.IsZero(), true) // created_at is null in the sample
	eqTime(t, "UpdatedAt", p.UpdatedAt, "2021-12-31T19:00:00-05:00")
	eq(t, "Variants", p.Variants, []commerce.Variant{
		{ID: "642667041472713922", Title: "Small", PriceMinor: 1999, Stock: 75},
		{ID: "757650484644203962", Title: "Medium", PriceMinor: 1999, Stock: 50},
	})
	if !p.InStock() {
		t.Error("an active product with stock is not in stock")
	}
}

func TestDecodeProductConstructed(t *testing.T) {
	body := sample(t, "products_update.json")
	ch, err := DecodeWithCurrency("products/update", body, "usd")
	if err != nil {
		t.Fatal(err)
	}
	p := ch.Product
	eq(t, "Description", p.Description, "Soft & light An example T-Shirt. 100% cotton")
	eq(t, "Status", p.Status, "draft")
	eq(t, "Currency", p.Currency, "USD")
	eq(t, "PriceMinor (lowest variant)", p.PriceMinor, int64(1999))
	eq(t, "CompareMinor (of the lowest variant)", p.CompareMinor, int64(2999))
	eq(t, "Stock", p.Stock, int64(2))
	eq(t, "ImageURL", p.ImageURL, "https://cdn.shopify.com/s/files/1/tee-front.jpg")
	eq(t, "Variants", p.Variants, []commerce.Variant{
		{ID: "642667041472713922", SKU: "TEE-S", Title: "Small", PriceMinor: 2499, Stock: 3, InventoryItemID: "271878346596884015"},
		{ID: "757650484644203962", SKU: "TEE-M", Title: "Medium", PriceMinor: 1999, Stock: -1, InventoryItemID: "271878346596884017"},
	})

	// A JPY shop: "1500" is 1500 minor units, "1500.5" is an error.
	ch, err = DecodeWithCurrency("products/update", []byte(`{"id": 9, "variants": [{"id": 1, "price": "1500"}]}`), "JPY")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "JPY PriceMinor", ch.Product.PriceMinor, int64(1500))
	if _, err := DecodeWithCurrency("products/update", []byte(`{"id": 9, "variants": [{"id": 1, "price": "1500.5"}]}`), "JPY"); err == nil {
		t.Error("a fractional yen price decoded")
	}
}

func TestDecodeSmallTopics(t *testing.T) {
	ch := decode(t, "products/delete", "products_delete.json")
	eq(t, "delete", ch, commerce.Change{Kind: commerce.ChangeProductDeleted, ExternalID: "788032119674292922"})

	ch = decode(t, "inventory_levels/update", "inventory_levels_update.json")
	eq(t, "Kind", ch.Kind, commerce.ChangeInventory)
	eq(t, "Inventory", *ch.Inventory, commerce.InventoryChange{InventoryItemID: "271878346596884015", LocationID: "24826418",
		Available: 10, UpdatedAt: at(t, "2021-12-31T19:00:00-05:00")})
	eq(t, "ExternalID", ch.ExternalID, "271878346596884015")

	ch = decode(t, "app/uninstalled", "app_uninstalled.json")
	eq(t, "uninstalled", ch, commerce.Change{Kind: commerce.ChangeUninstalled, ExternalID: "548380009"})

	ch = decode(t, "customers/data_request", "customers_data_request.json")
	eq(t, "data request", ch, commerce.Change{Kind: commerce.ChangeDataRequest, ExternalID: "9999", Privacy: &commerce.PrivacyRequest{
		RequestID: "9999", CustomerID: "191167", Email: "john@example.com", Phone: "555-625-1199",
		OrderIDs: []string{"299938", "280263", "220458"}}})

	ch = decode(t, "customers/redact", "customers_redact.json")
	eq(t, "redact", ch, commerce.Change{Kind: commerce.ChangeCustomerRedact, ExternalID: "191167", Privacy: &commerce.PrivacyRequest{
		CustomerID: "191167", Email: "john@example.com", Phone: "555-625-1199", OrderIDs: []string{"299938", "280263", "220458"}}})

	ch = decode(t, "shop/redact", "shop_redact.json")
	eq(t, "shop redact", ch, commerce.Change{Kind: commerce.ChangeShopRedact, ExternalID: "954889"})
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		topic, body, want string
	}{
		{"orders/create", `{"id": 1, `, "malformed JSON"},
		{"orders/create", `[]`, "not a JSON object"},
		{"orders/create", `null`, "not a JSON object"},
		{"orders/create", ``, "not a JSON object"},
		{"orders/create", `{"total_price": "1.00"}`, "no id"},
		{"orders/create", `{"id": 1.5}`, "not an integer"},
		{"orders/create", `{"id": 1e21}`, "not an integer"},
		{"orders/create", `{"id": 1, "total_price": "1,00"}`, "total_price"},
		{"orders/create", `{"id": 1, "currency": "USD", "total_price": "1.001"}`, "total_price"},
		{"orders/create", `{"id": 1, "line_items": [{"price": "x"}]}`, "line item 0"},
		{"orders/create", `{"id": 1, "created_at": "yesterday"}`, "ISO 8601"},
		{"orders/create", `{"id": 1} {"id": 2}`, "trailing data"},
		{"checkouts/update", `{"email": "a@b.c"}`, "no token"},
		{"carts/update", `{"line_items": []}`, "no token"},
		{"customers/update", `{"email": "a@b.c"}`, "no id"},
		{"products/update", `{"title": "x"}`, "no id"},
		{"products/update", `{"id": 1, "variants": [{"id": 2, "price": "abc"}]}`, "variants[0].price"},
		{"products/delete", `{}`, "no id"},
		{"inventory_levels/update", `{"available": 3}`, "inventory_item_id"},
		{"customers/redact", `{"shop_id": 1, "orders_to_redact": [1]}`, "names no customer"},
		{"customers/data_request", `{"shop_id": 1, "customer": {}}`, "names no customer"},
		{"shop/redact", `{}`, "names no shop"},
	}
	for _, c := range cases {
		_, err := Decode(c.topic, []byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%s, %s) = %v, want an error mentioning %q", c.topic, c.body, err, c.want)
		}
		if errors.Is(err, ErrUnknownTopic) {
			t.Errorf("Decode(%s, %s): a malformed payload reported as an unknown topic", c.topic, c.body)
		}
	}
	for _, topic := range []string{"orders/delete", "", "themes/publish", "orders"} {
		if _, err := Decode(topic, []byte(`{"id": 1}`)); !errors.Is(err, ErrUnknownTopic) {
			t.Errorf("Decode(%q): err = %v, want ErrUnknownTopic", topic, err)
		}
	}
}

func TestVisitorAttribute(t *testing.T) {
	cases := map[string]string{
		`[{"name":"_cw_vid","value":"1234"}]`:                              "1234",
		`[{"name":"_cw_vid","value":1234}]`:                                "1234",
		`[{"name":"other","value":"9"},{"name":"_cw_vid","value":" 42 "}]`: "42",
		`[{"name":"_cw_vid","value":"<script>"}]`:                          "",
		`[{"name":"_cw_vid","value":"` + strings.Repeat("9", 65) + `"}]`:   "",
		`[]`: "",
	}
	for attrs, want := range cases {
		ch, err := Decode("orders/create", []byte(`{"id": 1, "note_attributes": `+attrs+`}`))
		if err != nil {
			t.Fatalf("%s: %v", attrs, err)
		}
		eq(t, "VisitorID for "+attrs, ch.Order.VisitorID, want)
	}
}

func TestPlainText(t *testing.T) {
	cases := map[string]string{
		"":                 "",
		"plain":            "plain",
		"<p>a</p><p>b</p>": "a b",
		"x<br/>y":          "x y",
		"<style>p{}</style>ok<script>bad()</script>": "ok",
		"a &lt;b&gt; &amp; &quot;c&quot;":            `a <b> & "c"`,
		"<p>unterminated <b":                         "unterminated",
		"<SCRIPT type=x>bad</SCRIPT >after":          "after",
	}
	for in, want := range cases {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNumericID(t *testing.T) {
	cases := map[string]string{
		"gid://shopify/Product/788032119674292922":                                   "788032119674292922",
		"gid://shopify/InventoryLevel/24826418?inventory_item_id=271878346596884015": "24826418",
		"12345": "12345",
		"":      "",
	}
	for in, want := range cases {
		if got := NumericID(in); got != want {
			t.Errorf("NumericID(%q) = %q, want %q", in, got, want)
		}
	}
}
