package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
)

// A Polish shop shows prices with VAT: an order's lines, as the WooCommerce
// connector decodes them, render in the cart block at the prices the
// shopper saw (49,00, 199,00, 19,90 zł; subtotal 356,70 zł), not net of
// VAT (the net subtotal is 290,00).
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
	d.Shop.Currency, d.Shop.Locale = ch.Order.Currency, "pl"
	d.Items = ch.Order.Items
	d.Discount, d.Products = nil, nil
	c := mustParse(t, Template{Subject: "Dziękujemy", HTML: cartTemplate, Text: `{{template "cart_items" .Items}}`})
	r := mustRender(t, c, d)
	// Amounts are written as the Polish shop writes them (commerce.FormatMoneyIn).
	pln := func(minor int64) string { return commerce.FormatMoneyIn(minor, "PLN", "pl") }
	assertContains(t, "html", r.HTML, pln(4900), pln(9800), pln(19900), pln(1990), pln(5970), pln(35670))
	assertContains(t, "text", r.Text, pln(35670))
	for _, net := range []string{"290,00", "39,84", "161,79", "290.00", "39.84", "161.79"} {
		if strings.Contains(r.HTML, net) || strings.Contains(r.Text, net) {
			t.Errorf("a net amount %s is shown", net)
		}
	}
}
