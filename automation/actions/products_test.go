package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// catalogue stores products a1..a3 (aprons) and k1..k3 (kettles).
func (f *fixture) catalogue() {
	f.t.Helper()
	var ps []commerce.Product
	for _, p := range []struct{ id, title, cat string }{
		{"a1", "Linen Apron", "aprons"}, {"a2", "Denim Apron", "aprons"}, {"a3", "Canvas Apron", "aprons"},
		{"k1", "Copper Kettle", "kettles"}, {"k2", "Steel Kettle", "kettles"}, {"k3", "Glass Kettle", "kettles"},
	} {
		ps = append(ps, commerce.Product{ID: p.id, WorkspaceID: ws, ShopID: "shop_1", Handle: p.id, Title: p.title,
			Category: p.cat, Tags: []string{}, PriceMinor: 2000, Currency: "EUR", Stock: 5, Status: "active",
			URL: "https://shop.example/products/" + p.id, CreatedAt: t0, UpdatedAt: t0})
	}
	if err := f.st.UpsertProducts(f.ctx, ps); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) sendProducts(contact, step, source string) string {
	f.t.Helper()
	s := automation.Step{ID: step, Kind: automation.KindSendEmail, Params: map[string]any{
		"subject": "For you", "products": source, "product_count": 2.0,
		"html": `{{range .Products}}<p>@@{{.Title}}##</p>{{end}}`}}
	res, err := f.ch.SendEmail(f.ctx, enrollment(contact, 0), s)
	if err != nil || res.Skipped != "" {
		f.t.Fatalf("SendEmail(%s) = %+v, %v", source, res, err)
	}
	n := f.smtp.Count() // SendEmail returns after the server took the mail
	return f.smtp.WaitFor(n, 5*time.Second)[n-1].HTML
}

func shown(html string) []string {
	var out []string
	for _, part := range strings.Split(html, "@@")[1:] {
		out = append(out, part[:strings.Index(part, "##")])
	}
	return out
}

func TestEmailProductSources(t *testing.T) {
	f := newFixture(t)
	f.catalogue()
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	// Ann looked at k2 longest, then a2, and bought a1.
	prof := `{"last_cart":[],"products":{` +
		`"a1":{"category":"aprons","views":1,"dwell_ms":1000,"bought":1},` +
		`"a2":{"category":"aprons","views":2,"dwell_ms":20000},` +
		`"k2":{"category":"kettles","views":1,"dwell_ms":90000}}}`
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error { return tx.PutProfile(ws, "ct_ann", []byte(prof), t0) }); err != nil {
		t.Fatal(err)
	}
	// k3 outsells k1; a cancelled order does not count.
	for i, o := range []struct {
		id, product string
		qty         int64
		cancelled   bool
	}{{"o1", "k3", 3, false}, {"o2", "k1", 2, false}, {"o3", "a3", 9, true}} {
		ord := commerce.Order{ID: o.id, WorkspaceID: ws, ShopID: "shop_1", ExternalID: o.id, Currency: "EUR",
			TotalMinor: 100, Financial: "paid", PlacedAt: t0.Add(-time.Duration(i+1) * time.Hour), DiscountCodes: []string{},
			Items: []commerce.LineItem{{ProductID: o.product, Title: o.product, Quantity: o.qty, PriceMinor: 10}}}
		if o.cancelled {
			ord.CancelledAt = t0
		}
		if err := f.ingest.RecordOrder(f.ctx, ord, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// Caps would stop the fourth email; these tests are about content.
	if _, err := f.msg.UpdateSettings(f.ctx, ws, []byte(`{"caps":{"email":{"count":0,"window":"0s"}}}`)); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ source, want string }{
		{"viewed", "Steel Kettle,Denim Apron"},
		{"bestsellers", "Glass Kettle,Copper Kettle"},
		// Aprons weigh most (a purchase counts for more than 90 s of looking
		// at a kettle); the apron bought is left out.
		{"related", "Canvas Apron,Denim Apron"},
		{"none", ""},
	} {
		got := strings.Join(shown(f.sendProducts("ct_ann", "s_"+c.source, c.source)), ",")
		if got != c.want {
			t.Errorf("products %q = %q, want %q", c.source, got, c.want)
		}
	}
}
