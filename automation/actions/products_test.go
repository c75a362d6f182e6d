package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
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

func productStep(id, source string) automation.Step {
	return automation.Step{ID: id, Kind: automation.KindSendEmail, Params: map[string]any{
		"subject": "For you", "products": source, "product_count": 2.0,
		"html": `{{range .Products}}<p>@@{{.Title}}##</p>{{end}}`}}
}

func (f *fixture) sendProducts(contact, step, source string, trigger int64) string {
	f.t.Helper()
	res, err := f.ch.SendEmail(f.ctx, enrollment(contact, trigger), productStep(step, source))
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

// engines stands where personalization.Decider does in serve: a real
// recommendation engine per workspace, fed here by hand.
type engines map[string]*reco.Engine

func (e engines) Recommend(_ context.Context, ws string, r reco.Request) ([]reco.Result, error) {
	eng, ok := e[ws]
	if !ok {
		return nil, errors.New("no such workspace")
	}
	return eng.Recommend(r), nil
}

// shopEngine knows the fixture's catalogue and what its customers did:
// others bought the Steel Kettle (k2) with the Glass (k3) and Copper (k1)
// ones, and the Linen Apron (a1) alone and most; Ann looked at the Denim
// Apron, then the Glass Kettle, and bought the Linen Apron.
func shopEngine() *reco.Engine {
	e := reco.New(reco.Options{})
	for _, p := range []struct{ id, cat string }{{"a1", "aprons"}, {"a2", "aprons"}, {"a3", "aprons"},
		{"k1", "kettles"}, {"k2", "kettles"}, {"k3", "kettles"}} {
		e.UpsertProduct(reco.Product{ID: p.id, Category: p.cat, PriceMinor: 2000, InStock: true, CreatedAt: t0.Add(-72 * time.Hour)})
	}
	at := t0.Add(-48 * time.Hour)
	buy := func(person string, products ...string) {
		at = at.Add(time.Minute)
		for _, id := range products {
			e.Observe(reco.Interaction{Person: person, Session: "order:" + person, ProductID: id, Kind: reco.KindPurchase, At: at})
		}
	}
	buy("ct_bob", "k2", "k3")
	buy("ct_carl", "k2", "k3")
	buy("ct_dan", "k2", "k1")
	for _, p := range []string{"ct_eve", "ct_fay", "ct_gus", "ct_hal"} {
		buy(p, "a1")
	}
	e.Observe(reco.Interaction{Person: "ct_ann", Session: "s1", ProductID: "a2", Kind: reco.KindView, At: t0.Add(-3 * time.Hour)})
	e.Observe(reco.Interaction{Person: "ct_ann", Session: "s1", ProductID: "k3", Kind: reco.KindView, At: t0.Add(-170 * time.Minute)})
	buy("ct_ann", "a1")
	return e
}

func TestEmailProductSources(t *testing.T) {
	f := newFixture(t, func(o *actions.Options) { o.Recommender = engines{ws: shopEngine()} })
	f.catalogue()
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	// Ann's new order of the Steel Kettle starts the flow.
	if err := f.ingest.RecordOrder(f.ctx, commerce.Order{ID: "o_ann", WorkspaceID: ws, ShopID: "shop_1", ExternalID: "o_ann",
		Email: "ann@example.com", Currency: "EUR", TotalMinor: 2000, Financial: "paid", PlacedAt: t0, DiscountCodes: []string{},
		Items: []commerce.LineItem{{ProductID: "k2", Title: "Steel Kettle", Quantity: 1, PriceMinor: 2000}}}, "test"); err != nil {
		t.Fatal(err)
	}
	orders := f.events(cdp.EventOrderPlaced)
	if len(orders) != 1 {
		t.Fatalf("%d order events", len(orders))
	}
	// A browse abandonment names the product looked at longest.
	if err := f.ingest.RecordFor(f.ctx, ws, "ct_ann", "browse_abandoned", "test", t0, map[string]any{"product_id": "a2"}); err != nil {
		t.Fatal(err)
	}
	browse := f.events("browse_abandoned")
	if len(browse) != 1 {
		t.Fatalf("%d browse events", len(browse))
	}
	// Caps would stop the fourth email; these tests are about content.
	if _, err := f.msg.UpdateSettings(f.ctx, ws, []byte(`{"caps":{"email":{"count":0,"window":"0s"}}}`)); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		source  string
		trigger int64
		want    string
	}{
		// Newest first, the bought apron left out.
		{"viewed_not_bought", 0, "Glass Kettle,Denim Apron"},
		{"viewed", 0, "Glass Kettle,Denim Apron"},
		// The product the trigger names stays in (it is what was abandoned).
		{"viewed_not_bought", browse[0].ID, "Glass Kettle,Denim Apron"},
		// Shop-wide, without what Ann bought (the apron) or just ordered.
		{"bestsellers", orders[0].ID, "Glass Kettle,Copper Kettle"},
		// What others bought with the kettle of the order, the kettle left
		// out (without the order, Ann's apron would be the anchor).
		{"bought_together", orders[0].ID, "Glass Kettle,Copper Kettle"},
		{"trigger", orders[0].ID, "Steel Kettle"},
		{"none", orders[0].ID, ""},
	} {
		got := strings.Join(shown(f.sendProducts("ct_ann", "s_"+c.source, c.source, c.trigger)), ",")
		if got != c.want {
			t.Errorf("products %q = %q, want %q", c.source, got, c.want)
		}
	}
	// The older name of personalized asks the same.
	if a, b := f.sendProducts("ct_ann", "s_p1", "personalized", 0), f.sendProducts("ct_ann", "s_p2", "related", 0); len(shown(a)) != 2 ||
		strings.Join(shown(a), ",") != strings.Join(shown(b), ",") {
		t.Errorf("personalized %q, related %q", shown(a), shown(b))
	}
	// An unknown source is the step's own fault.
	_, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), productStep("s_bad", "favourites"))
	var pe *actions.ParamError
	if !errors.As(err, &pe) || pe.Param != "products" {
		t.Errorf("products \"favourites\": %v, want a ParamError on products", err)
	}
}

// Without an engine, a step that asks for recommendations fails clearly
// rather than sending an email with an empty grid.
func TestProductsWithoutRecommender(t *testing.T) {
	f := newFixture(t)
	f.catalogue()
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	_, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), productStep("s1", "bestsellers"))
	var pe *actions.ParamError
	if !errors.As(err, &pe) || pe.Param != "products" || !strings.Contains(pe.Reason, "recommendation engine") {
		t.Errorf("bestsellers without an engine: %v", err)
	}
	if f.smtp.Count() != 0 {
		t.Errorf("%d emails sent", f.smtp.Count())
	}
}
