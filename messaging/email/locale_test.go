package email

import (
	"strings"
	"testing"
)

// The chrome — quantities, subtotal, the discount box, the footer — and the
// amounts follow the workspace's locale: a Polish shop's email is Polish
// throughout, whatever language the contact's browser reported.
func TestChromeFollowsShopLocale(t *testing.T) {
	d := sampleData()
	d.Shop.Locale, d.Shop.Currency, d.Contact.Locale = "pl-PL", "PLN", "en-GB"
	d.Discount.Currency = "PLN"
	c := mustParse(t, Template{Subject: "Koszyk", HTML: cartTemplate,
		Text: "{{template \"cart_items\" .Items}}\n{{template \"discount\" .Discount}}"})
	r := mustRender(t, c, d)
	assertContains(t, "html", r.HTML, `lang="pl-PL"`, "Ilość 2 × 12,50 zł", "25,00 zł", ">Suma</td>", "64,99 zł",
		"10% rabatu", "Ważny do 03.01.2025, 00:30", ">Wypisz się</a>", ">Zarządzaj preferencjami</a>")
	assertContains(t, "text", r.Text, "Suma: 64,99 zł", "Kod COMEBACK10: 10% rabatu, ważny do 03.01.2025, 00:30",
		"Wypisz się: https://acme.example/u/tok", "Zarządzaj preferencjami: ")
	for _, en := range []string{"Qty", "Subtotal", "Unsubscribe", "Manage preferences", "Valid until", "% off"} {
		if strings.Contains(r.HTML, en) || strings.Contains(r.Text, en) {
			t.Errorf("Polish email still says %q", en)
		}
	}

	// An English shop writes English whatever the contact's locale says.
	d = sampleData()
	d.Shop.Locale, d.Contact.Locale = "en", "pl"
	r = mustRender(t, c, d)
	assertContains(t, "english", r.HTML, `lang="en"`, "Qty 2 × €12.50", "Subtotal", "€64.99", ">Unsubscribe</a>")
}
