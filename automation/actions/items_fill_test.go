package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// A shop's checkout carries neither images nor product links: the email
// takes them from the catalogue, by product id, or by variant id for a
// line that names only its variant.
func TestCartLinesFilledFromTheCatalogue(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	err := f.st.UpsertProducts(f.ctx, []commerce.Product{
		{WorkspaceID: ws, ID: "p1", ShopID: "shop_1", Handle: "apron", Title: "Linen Apron", PriceMinor: 2900, Currency: "EUR", Stock: 5,
			Status: "active", ImageURL: "https://cdn.example/apron.png", URL: "https://shop.example/products/apron", CreatedAt: t0, UpdatedAt: t0},
		{WorkspaceID: ws, ID: "p2", ShopID: "shop_1", Handle: "kettle", Title: "Copper Kettle", PriceMinor: 4500, Currency: "EUR", Stock: 5,
			Status: "active", ImageURL: "https://cdn.example/kettle.png", URL: "https://shop.example/products/kettle", CreatedAt: t0, UpdatedAt: t0,
			Variants: []commerce.Variant{{ID: "v-kettle-red", Title: "Red", PriceMinor: 4500, Stock: 5}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ingest.RecordCheckout(f.ctx, commerce.Checkout{Token: "tok_fill", WorkspaceID: ws, ShopID: "shop_1",
		VisitorID: "v1", Email: "ann@example.com", Currency: "EUR", TotalMinor: 7400, RecoveryURL: recovery,
		Items: []commerce.LineItem{
			{ProductID: "p1", Title: "Linen Apron", Quantity: 1, PriceMinor: 2900},
			{VariantID: "v-kettle-red", Title: "Copper Kettle - Red", Quantity: 1, PriceMinor: 4500},
		}}, "test"); err != nil {
		t.Fatal(err)
	}
	evs := f.events("checkout_updated")
	en := enrollment("ct_ann", evs[len(evs)-1].ID)
	if _, err := f.ch.SendEmail(f.ctx, en, emailStep("email")); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.WaitFor(1, 5*time.Second)[0]
	for _, want := range []string{`src="https://cdn.example/apron.png"`, `src="https://cdn.example/kettle.png"`,
		"shop.example%2Fproducts%2Fapron", "shop.example%2Fproducts%2Fkettle"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the email lacks %s", want)
		}
	}
}
