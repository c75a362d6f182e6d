package reco

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func ids(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ProductID
	}
	return out
}

// catalogue: a1..a4 in cat A, b1..b3 in cat B.
func newTestEngine() *Engine {
	e := New(Options{})
	for i, p := range []string{"a1", "a2", "a3", "a4", "b1", "b2", "b3"} {
		e.UpsertProduct(Product{ID: p, Category: p[:1], PriceMinor: int64(1000 * (i + 1)), InStock: true,
			CreatedAt: t0.Add(-time.Duration(10-i) * 24 * time.Hour)})
	}
	return e
}

func order(e *Engine, person, orderID string, t time.Time, products ...string) {
	for _, p := range products {
		e.Observe(Interaction{Person: person, Session: orderID, ProductID: p, Kind: KindPurchase, At: t})
	}
}

func views(e *Engine, person, sess string, t time.Time, products ...string) {
	for k, p := range products {
		e.Observe(Interaction{Person: person, Session: sess, ProductID: p, Kind: KindView, At: t.Add(time.Duration(k) * time.Minute)})
	}
}

func TestBoughtTogether(t *testing.T) {
	e := newTestEngine()
	for k := range 5 {
		order(e, fmt.Sprint("u", k), fmt.Sprint("o", k), at(k), "a1", "b2")
	}
	order(e, "x", "ox", at(9), "a1", "a3")
	got := e.Recommend(Request{Strategy: BoughtTogether, Anchors: []string{"a1"}, N: 2, NoFallback: true})
	if !slices.Equal(ids(got), []string{"b2", "a3"}) || got[0].Strategy != BoughtTogether {
		t.Fatalf("got %+v", got)
	}
	if got[0].Score <= got[1].Score {
		t.Fatalf("scores not ordered: %+v", got)
	}
	// Items of different orders of one person are not bought together.
	if got := e.Recommend(Request{Strategy: BoughtTogether, Anchors: []string{"b2"}, NoFallback: true}); !slices.Equal(ids(got), []string{"a1"}) {
		t.Fatalf("b2: %v", ids(got))
	}
}

func TestViewedTogetherSessionWindow(t *testing.T) {
	e := newTestEngine()
	views(e, "v", "", at(0), "a1", "a2")
	views(e, "v", "", at(120), "b1") // 2 h later: a new session
	got := ids(e.Recommend(Request{Strategy: ViewedTogether, Anchors: []string{"a1"}, NoFallback: true}))
	if !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("got %v", got)
	}
	// An explicit session id change also starts a new session.
	views(e, "w", "s1", at(200), "b1")
	views(e, "w", "s2", at(201), "b3")
	if got := ids(e.Recommend(Request{Strategy: ViewedTogether, Anchors: []string{"b1"}, NoFallback: true})); len(got) != 0 {
		t.Fatalf("b1: %v", got)
	}
}

func TestRecentlyViewedAndViewedNotBought(t *testing.T) {
	e := newTestEngine()
	views(e, "p", "s", at(0), "a1", "a2", "b1", "a1")
	e.Observe(Interaction{Person: "p", ProductID: "b2", Kind: KindCart, At: at(10)})
	order(e, "p", "o1", at(20), "a2")
	got := ids(e.Recommend(Request{Strategy: RecentlyViewed, Person: "p", NoFallback: true}))
	if !slices.Equal(got, []string{"a2", "b2", "a1", "b1"}) {
		t.Fatalf("recently viewed %v", got)
	}
	// The cart outranks the more recent views; a2 was bought.
	got = ids(e.Recommend(Request{Strategy: ViewedNotBought, Person: "p", NoFallback: true}))
	if !slices.Equal(got, []string{"b2", "a1", "b1"}) {
		t.Fatalf("viewed not bought %v", got)
	}
	if got := e.Recommend(Request{Strategy: RecentlyViewed, Person: "nobody", NoFallback: true}); len(got) != 0 {
		t.Fatalf("unknown person: %v", got)
	}
}

func TestPersonalized(t *testing.T) {
	e := newTestEngine()
	// Others: a1 goes with a3, b1 goes with b3.
	for k := range 3 {
		order(e, fmt.Sprint("o", k), fmt.Sprint("oa", k), at(k), "a1", "a3")
		views(e, fmt.Sprint("o", k), fmt.Sprint("vb", k), at(100+k), "b1", "b3")
	}
	// p viewed b1 long ago, bought a1 recently: a3 first, then b3.
	views(e, "p", "s", at(200), "b1")
	order(e, "p", "op", at(300), "a1")
	got := ids(e.Recommend(Request{Strategy: Personalized, Person: "p", NoFallback: true}))
	if len(got) < 2 || got[0] != "a3" || got[1] != "b3" || slices.Contains(got, "a1") {
		t.Fatalf("got %v", got)
	}
}

func TestSameCategoryBestsellersNewArrivals(t *testing.T) {
	e := newTestEngine()
	order(e, "u1", "o1", at(0), "a2")
	order(e, "u2", "o2", at(0), "a2")
	order(e, "u3", "o3", at(0), "b3")
	views(e, "u4", "s", at(1), "a4", "a4")
	got := ids(e.Recommend(Request{Strategy: SameCategory, Anchors: []string{"a1"}, ExcludeAnchors: true, NoFallback: true}))
	if !slices.Equal(got, []string{"a2", "a4"}) {
		t.Fatalf("same category %v", got)
	}
	if got := ids(e.Recommend(Request{Strategy: Bestsellers, NoFallback: true})); !slices.Equal(got, []string{"a2", "b3"}) {
		t.Fatalf("bestsellers %v", got)
	}
	if got := ids(e.Recommend(Request{Strategy: Bestsellers, Category: "b", NoFallback: true})); !slices.Equal(got, []string{"b3"}) {
		t.Fatalf("bestsellers in b %v", got)
	}
	if got := ids(e.Recommend(Request{Strategy: NewArrivals, N: 3, NoFallback: true})); !slices.Equal(got, []string{"b3", "b2", "b1"}) {
		t.Fatalf("new arrivals %v", got)
	}
	if got := ids(e.Recommend(Request{Strategy: NewArrivals, Category: "a", N: 2, NoFallback: true})); !slices.Equal(got, []string{"a4", "a3"}) {
		t.Fatalf("new arrivals in a %v", got)
	}
}

func TestBestsellerDecay(t *testing.T) {
	e := New(Options{HalfLife: 24 * time.Hour})
	// Old: three sales 30 days ago. New: two sales today. Decay puts New first.
	for k := range 3 {
		order(e, fmt.Sprint("u", k), fmt.Sprint("o", k), t0, "old")
	}
	got := e.Recommend(Request{Strategy: Bestsellers, NoFallback: true})
	if len(got) != 1 || math.Abs(got[0].Score-3) > 1e-9 {
		t.Fatalf("before decay %+v", got)
	}
	later := t0.Add(30 * 24 * time.Hour)
	order(e, "n1", "n1", later, "new")
	order(e, "n2", "n2", later, "new")
	got = e.Recommend(Request{Strategy: Bestsellers, NoFallback: true})
	if !slices.Equal(ids(got), []string{"new", "old"}) {
		t.Fatalf("after decay %v", ids(got))
	}
	if want := 3 * math.Exp2(-30); math.Abs(got[1].Score-want) > 1e-12 || math.Abs(got[0].Score-2) > 1e-9 {
		t.Fatalf("scores %+v, old want %g", got, want)
	}
	// A huge time jump rebases scores without changing the ranking.
	far := later.Add(24 * 24 * 700 * time.Hour)
	order(e, "f", "f", far, "far")
	if got := ids(e.Recommend(Request{Strategy: Bestsellers, NoFallback: true})); !slices.Equal(got, []string{"far", "new", "old"}) {
		t.Fatalf("after rebase %v", got)
	}
}

func TestFilters(t *testing.T) {
	e := newTestEngine()
	for _, p := range []string{"a1", "a2", "a3", "a4", "b1", "b2", "b3"} {
		order(e, "u"+p, "o"+p, at(0), p)
	}
	order(e, "p", "op", at(1), "a1")
	e.UpsertProduct(Product{ID: "a2", Category: "a", PriceMinor: 2000, InStock: false})
	e.RemoveProduct("b3")
	got := ids(e.Recommend(Request{Strategy: Bestsellers, Person: "p", InStockOnly: true, ExcludeBought: true,
		MinPriceMinor: 2000, MaxPriceMinor: 6000, Anchors: []string{"a4"}, ExcludeAnchors: true, NoFallback: true}))
	// a1: bought; a2: out of stock; a4: anchor; b3: removed and above the band.
	if !slices.Equal(got, []string{"a3", "b1", "b2"}) {
		t.Fatalf("got %v", got)
	}
	e.UpsertProduct(Product{ID: "b3", Category: "b", PriceMinor: 100, InStock: true})
	if got := ids(e.Recommend(Request{Strategy: Bestsellers, Category: "b", NoFallback: true})); !slices.Contains(got, "b3") {
		t.Fatalf("restored product missing: %v", got)
	}
}

func TestFallbacks(t *testing.T) {
	e := newTestEngine()
	views(e, "v1", "s", at(0), "a1", "a2")
	order(e, "u", "o", at(5), "b1")
	// A new visitor on a1: viewed-together a2, then category a, then global bestsellers, then new arrivals.
	got := e.Recommend(Request{Strategy: BoughtTogether, Person: "new", Anchors: []string{"a1"}, ExcludeAnchors: true, N: 6})
	var strategies []string
	for _, r := range got {
		strategies = append(strategies, r.ProductID+":"+r.Strategy)
	}
	// same_category adds nothing: a1 is the anchor, a2 is taken, a3 and a4
	// were never touched.
	want := []string{"a2:viewed_together", "b1:bestsellers", "b3:new_arrivals", "b2:new_arrivals", "a4:new_arrivals", "a3:new_arrivals"}
	if !slices.Equal(strategies, want) {
		t.Fatalf("got %v", strategies)
	}
	views(e, "v2", "s", at(9), "a3")
	got = e.Recommend(Request{Strategy: BoughtTogether, Person: "new", Anchors: []string{"a1"}, ExcludeAnchors: true, N: 2})
	if !slices.Equal(ids(got), []string{"a2", "a3"}) || got[1].Strategy != SameCategory {
		t.Fatalf("same category fallback %+v", got)
	}
	// An explicit chain, and none.
	got = e.Recommend(Request{Strategy: Personalized, Person: "new", N: 2, Fallback: []string{NewArrivals}})
	if !slices.Equal(ids(got), []string{"b3", "b2"}) {
		t.Fatalf("explicit chain %v", ids(got))
	}
	if got := e.Recommend(Request{Strategy: Personalized, Person: "new", NoFallback: true}); len(got) != 0 {
		t.Fatalf("no fallback %v", got)
	}
	// Empty engine: nothing, no panic.
	if got := New(Options{}).Recommend(Request{Strategy: BoughtTogether, Anchors: []string{"x"}}); len(got) != 0 {
		t.Fatalf("empty %v", got)
	}
}

func TestMerge(t *testing.T) {
	e := newTestEngine()
	views(e, "anon", "s", at(0), "a1", "a2")
	order(e, "anon", "o", at(5), "a2")
	views(e, "contact", "s2", at(3), "b1")
	e.Merge("anon", "contact")
	if got := ids(e.Recommend(Request{Strategy: RecentlyViewed, Person: "contact", NoFallback: true})); !slices.Equal(got, []string{"a2", "b1", "a1"}) {
		t.Fatalf("merged history %v", got)
	}
	if got := e.Recommend(Request{Strategy: RecentlyViewed, Person: "anon", NoFallback: true}); len(got) != 0 {
		t.Fatalf("anon kept %v", got)
	}
	got := ids(e.Recommend(Request{Strategy: Bestsellers, Person: "contact", ExcludeBought: true, NoFallback: true}))
	if slices.Contains(got, "a2") {
		t.Fatalf("bought set not merged: %v", got)
	}
	e.Merge("ghost", "contact") // no-op
	e.Merge("contact", "fresh") // into a new id: moved whole
	if got := ids(e.Recommend(Request{Strategy: RecentlyViewed, Person: "fresh", NoFallback: true})); len(got) != 3 {
		t.Fatalf("moved %v", got)
	}
}

func TestHistoryCap(t *testing.T) {
	e := New(Options{History: 3})
	for k := range 10 {
		views(e, "p", "", at(k*100), fmt.Sprint("x", k))
	}
	if got := ids(e.Recommend(Request{Strategy: RecentlyViewed, Person: "p", NoFallback: true})); !slices.Equal(got, []string{"x9", "x8", "x7"}) {
		t.Fatalf("got %v", got)
	}
}

func TestNeighbourCap(t *testing.T) {
	e := New(Options{Neighbours: 4}) // 6 counters
	// hub co-bought 5 times with "heavy", once with each of 20 others.
	for k := range 5 {
		order(e, fmt.Sprint("h", k), fmt.Sprint("h", k), at(k), "hub", "heavy")
	}
	for k := range 20 {
		order(e, fmt.Sprint("l", k), fmt.Sprint("l", k), at(10+k), "hub", fmt.Sprint("light", k))
	}
	e.mu.RLock()
	n := len(e.items[e.ids["hub"]].bought)
	e.mu.RUnlock()
	if n > 6 {
		t.Fatalf("list grew to %d", n)
	}
	if got := ids(e.Recommend(Request{Strategy: BoughtTogether, Anchors: []string{"hub"}, N: 1, NoFallback: true})); !slices.Equal(got, []string{"heavy"}) {
		t.Fatalf("heavy hitter lost: %v", got)
	}
}

func TestConcurrentObserveRecommend(t *testing.T) {
	e := newTestEngine()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range 3000 {
			p := fmt.Sprint("p", k%50)
			e.Observe(Interaction{Person: p, Session: fmt.Sprint("s", k/7), ProductID: fmt.Sprint("x", k%97), Kind: []string{KindView, KindCart, KindPurchase}[k%3], At: at(k)})
			if k%500 == 0 {
				e.Merge(p, "merged")
				e.UpsertProduct(Product{ID: fmt.Sprint("x", k%97), Category: "c", InStock: k%2 == 0})
			}
		}
	}()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2000 {
				s := Strategies[(k+g)%len(Strategies)]
				e.Recommend(Request{Strategy: s, Person: fmt.Sprint("p", k%50), Anchors: []string{fmt.Sprint("x", k%97)}, ExcludeBought: true, InStockOnly: true})
			}
		}()
	}
	wg.Wait()
	if s := e.Stats(); s.Products != 7+97 {
		t.Fatalf("stats %+v", s)
	}
}
