package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
)

// A Polish shop shows prices with VAT: an order's lines, as the WooCommerce
// connector decodes them, render in the cart block at the prices the
// shopper saw (49.00, 199.00, 19.90 PLN; subtotal 356.70), not net of VAT
// (the net subtotal is 290.00).
func TestCartBlockShowsWooCommerceGrossPrices(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "..", "connectors", "woocommerce", "testdata", "pl_order_on_hold.json"))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := woocommerce.Decode("order.created", body)
	if err != nil {
		t.Fatal(err)
	}
	d := sampleData()
	d.Shop.Currency = ch.Order.Currency
	d.Items = ch.Order.Items
	d.Discount, d.Products = nil, nil
	c := mustParse(t, Template{Subject: "Dziękujemy", HTML: cartTemplate, Text: `{{template "cart_items" .Items}}`})
	r := mustRender(t, c, d)
	assertContains(t, "html", r.HTML, "Qty 2 × 49.00 PLN", "98.00 PLN", "Qty 1 × 199.00 PLN", "Qty 3 × 19.90 PLN",
		"59.70 PLN", "356.70 PLN")
	assertContains(t, "text", r.Text, "Subtotal: 356.70 PLN")
	for _, net := range []string{"290.00", "39.84", "161.79"} {
		if strings.Contains(r.HTML, net) || strings.Contains(r.Text, net) {
			t.Errorf("a net amount %s is shown", net)
		}
	}
}
