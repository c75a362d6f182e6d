package personalization

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// BenchmarkDecide measures /decide's server time (the Decider, without
// HTTP) with 100,000 products and 1,000,000 visitors in state: a mix of
// product pages with a viewed-together frame and home pages with pop-ups
// (first visit, still deciding) and the inbox. It reports p50 and p99.
//
//	go test ./personalization -run '^$' -bench BenchmarkDecide -benchtime 200000x
func BenchmarkDecide(b *testing.B) {
	const products, visitors = 100_000, 1_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	d := New(Options{MaxVisitors: 2 * visitors, Now: func() time.Time { return now }, Log: quiet,
		NewRecommender: func() Recommender { return reco.New(reco.Options{}) }})
	w := &wsState{id: wsA, reco: d.o.NewRecommender(), catalog: map[string]*item{}, known: map[string]bool{}}
	ids := make([]string, products)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%d", i)
		w.setProduct(store.CatalogItem{ID: ids[i], Title: "Product " + ids[i], URL: "/products/" + ids[i], ImageURL: "/i.png",
			PriceMinor: int64(500 + i%5000), Currency: "EUR", Category: fmt.Sprintf("c%d", i%100), Stock: 3, Status: "active",
			CreatedAt: now.Add(-time.Duration(i) * time.Minute)})
	}
	// Co-views: 200,000 sessions of 2-5 products within a category.
	for s := range 200_000 {
		c := rng.IntN(100)
		for range 2 + rng.IntN(4) {
			p := ids[c+100*rng.IntN(products/100)]
			w.reco.Observe(reco.Interaction{Person: fmt.Sprintf("v%d", s%visitors), Session: fmt.Sprint("s", s), ProductID: p,
				Kind: reco.KindView, At: now.Add(-time.Duration(rng.IntN(1000)) * time.Minute)})
		}
	}
	for _, name := range []string{"first_visit_discount", "still_deciding", "product_recommendations", "inbox"} {
		t, _ := widgets.TemplateByName(name)
		w.widgets = append(w.widgets, &widget{id: "wdg_" + name, def: t.Definition})
		w.known["wdg_"+name] = true
	}
	d.wss[wsA] = w
	for i := range visitors {
		v := &visitor{contact: fmt.Sprintf("ct_%d", i), session: "s1", visits: int32(rng.IntN(6)), orders: int32(rng.IntN(2)),
			cartMinor: int64(rng.IntN(10000)), unreadAt: now.UnixMilli(), touched: now.Unix()}
		for range rng.IntN(6) {
			v.viewed = append(v.viewed, ids[rng.IntN(products)])
		}
		if i%3 == 0 {
			v.marks = []mark{{widget: "wdg_first_visit_discount", variant: "a", shownAt: now.Add(-48 * time.Hour).UnixMilli(), shownSession: "s0", shows: 1}}
		}
		d.vs.put(vkey(wsA, fmt.Sprintf("v%d", i)), v)
	}
	runtime.GC()
	reqs := make([]DecideRequest, 4096)
	for i := range reqs {
		r := DecideRequest{WorkspaceID: wsA, Locale: "en", VisitorID: fmt.Sprintf("v%d", rng.IntN(visitors)), SessionID: "s1",
			Device: "desktop"}
		if i%2 == 0 {
			p := ids[rng.IntN(products)]
			r.Page, r.ProductID, r.URL, r.Frames = "product", p, "https://shop.example/products/"+p, []string{"product-page"}
		} else {
			r.Page, r.URL = "home", "https://shop.example/"
		}
		reqs[i] = r
	}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	shown := 0
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		dec, err := d.Decide(ctx, reqs[i%len(reqs)])
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		shown += len(dec.Frames) + len(dec.Popups)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(shown)/float64(b.N), "widgets/op")
}
