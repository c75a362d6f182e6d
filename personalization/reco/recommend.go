package reco

import (
	"cmp"
	"iter"
	"maps"
	"math"
	"slices"
	"sync"
)

// defaultFallback is the cold-start chain: what others viewed with the
// product on screen, then the anchor's category, then the whole shop,
// then whatever is new (a shop with no sales yet).
var defaultFallback = []string{ViewedTogether, SameCategory, Bestsellers, NewArrivals}

// personalHistory is how many of a person's most recent items feed the
// personalised strategy: older ones weigh under 0.9^20 ≈ 0.12 anyway, and
// each costs a scan of two neighbour lists.
const personalHistory = 20

// Recommend answers a request: at most N results (10 when N ≤ 0), best
// first, from the asked strategy and then, while short, its fallbacks.
// An empty strategy is Blended; an unknown one yields only the
// fallbacks.
//
// Cost, with K neighbours, H history items and T the top-list length:
// recently_viewed and viewed_not_bought O(H); bought_together and
// viewed_together O(anchors · 1.5K); personalized O(20 · 3K) map updates;
// same_category, bestsellers and new_arrivals O(T) at worst (filters may
// skip entries), O(N) typically. A few microseconds at K = 50 (see
// docs/BENCHMARKS.md); nothing scans the catalogue or the persons.
func (e *Engine) Recommend(r Request) []Result {
	if r.N <= 0 {
		r.N = 10
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	q := query{e: e, r: r, p: e.persons[r.Person], out: make([]Result, 0, r.N)}
	for _, a := range r.Anchors {
		if i, ok := e.ids[a]; ok {
			q.anchors = append(q.anchors, i)
		}
	}
	q.given = len(q.anchors)
	if len(q.anchors) == 0 && q.p != nil && len(q.p.hist) > 0 {
		// No product on screen: the person's latest item stands in.
		q.anchors = append(q.anchors, q.p.hist[len(q.p.hist)-1].item)
	}
	q.run(r.Strategy)
	if len(q.out) < r.N && !r.NoFallback {
		chain := r.Fallback
		if chain == nil {
			chain = defaultFallback
		}
		for _, s := range chain {
			if len(q.out) >= r.N {
				break
			}
			if s != r.Strategy {
				q.run(s)
			}
		}
	}
	return q.out
}

type query struct {
	e         *Engine
	r         Request
	p         *person
	anchors   []uint32
	given     int      // how many of anchors the request named (the rest: the latest item standing in)
	bought    []uint32 // the person's purchases, sorted, once needed
	boughtSet bool
	strategy  string
	out       []Result
}

func (q *query) full() bool { return len(q.out) >= q.r.N }

// isBought reports whether the person bought i; a sorted copy makes it
// O(log B) for the hundreds of candidates of a personalised answer.
func (q *query) isBought(i uint32) bool {
	if q.p == nil {
		return false
	}
	if !q.boughtSet {
		q.bought = slices.Clone(q.p.bought)
		slices.Sort(q.bought)
		q.boughtSet = true
	}
	_, ok := slices.BinarySearch(q.bought, i)
	return ok
}

// ok applies the request's filters and drops what is already answered.
func (q *query) ok(i uint32) bool {
	it := &q.e.items[i]
	r := &q.r
	switch {
	case it.removed,
		r.InStockOnly && !it.inStock,
		r.MinPriceMinor > 0 && it.price < r.MinPriceMinor,
		r.MaxPriceMinor > 0 && it.price > r.MaxPriceMinor,
		r.ExcludeAnchors && slices.Contains(q.excluded(), i),
		r.ExcludeBought && q.isBought(i):
		return false
	}
	for _, o := range q.out {
		if o.ProductID == it.id {
			return false
		}
	}
	return true
}

// excluded are the anchors ExcludeAnchors leaves out. The blend leaves
// out only the products on screen: the latest item standing in for them
// may well be reordered.
func (q *query) excluded() []uint32 {
	if q.strategy == Blended {
		return q.anchors[:q.given]
	}
	return q.anchors
}

// offer appends i if it passes the filters.
func (q *query) offer(i uint32, score float64) {
	if !q.full() && q.ok(i) {
		q.out = append(q.out, Result{ProductID: q.e.items[i].id, Strategy: q.strategy, Score: score})
	}
}

func (q *query) run(strategy string) {
	if strategy == "" {
		strategy = Blended
	}
	q.strategy = strategy
	e := q.e
	switch strategy {
	case Blended, "":
		q.blend()
	case RecentlyViewed:
		q.fromHistory(false)
	case ViewedNotBought:
		q.fromHistory(true)
	case BoughtTogether, ViewedTogether:
		acc := getAcc()
		defer putAcc(acc)
		for _, a := range q.anchors {
			e.neighbours(acc, a, 1, strategy == BoughtTogether, strategy == ViewedTogether)
		}
		q.offerBest(maps.All(acc), false)
	case Personalized:
		if q.p == nil {
			return
		}
		acc := getAcc()
		defer putAcc(acc)
		w := 1.0
		h := q.p.hist
		for k := len(h) - 1; k >= 0 && k >= len(h)-personalHistory; k-- {
			e.neighbours(acc, h[k].item, w*kindWeight(h[k].kinds), true, true)
			w *= 0.9
		}
		q.offerBest(maps.All(acc), true)
	case SameCategory:
		c := q.category()
		if c != 0 {
			for _, i := range e.cats[c].interest.ids {
				q.offer(i, e.decay(e.items[i].interest))
			}
		}
	case Bestsellers:
		for _, i := range q.list(func(c *category) []uint32 { return c.sales.ids }, e.sales.ids) {
			q.offer(i, e.decay(e.items[i].sales))
		}
	case NewArrivals:
		for _, i := range q.list(func(c *category) []uint32 { return c.newest.ids }, e.newest.ids) {
			days := float64(e.now-e.items[i].created) / 86400
			q.offer(i, 1/(1+max(days, 0)))
		}
	}
}

// list picks the request's category ranking, or the global one.
func (q *query) list(of func(*category) []uint32, global []uint32) []uint32 {
	if q.r.Category == "" {
		return global
	}
	c, ok := q.e.catIDs[q.r.Category]
	if !ok {
		return nil
	}
	return of(&q.e.cats[c])
}

// category is the request's category, else the first anchor's.
func (q *query) category() uint32 {
	if q.r.Category != "" {
		return q.e.catIDs[q.r.Category]
	}
	for _, a := range q.anchors {
		if c := q.e.items[a].cat; c != 0 {
			return c
		}
	}
	return 0
}

// kindWeight ranks what a person did with an item: buying says more than
// carting, carting more than viewing.
func kindWeight(kinds uint8) float64 {
	switch {
	case kinds&bitPurchase != 0:
		return 3
	case kinds&bitCart != 0:
		return 2
	}
	return 1
}

// fromHistory offers the person's items, most recent first; notBought
// keeps only those viewed or carted and never bought, carted ones ahead.
func (q *query) fromHistory(notBought bool) {
	if q.p == nil {
		return
	}
	h := q.p.hist
	if !notBought {
		for k := len(h) - 1; k >= 0 && !q.full(); k-- {
			q.offer(h[k].item, 1/float64(len(h)-k))
		}
		return
	}
	var c []scored
	w := 1.0
	for k := len(h) - 1; k >= 0; k-- {
		if h[k].kinds&bitPurchase == 0 && !q.isBought(h[k].item) {
			c = append(c, scored{h[k].item, w * kindWeight(h[k].kinds)})
		}
		w *= 0.9
	}
	slices.SortStableFunc(c, func(a, b scored) int { return cmp.Compare(b.s, a.s) })
	for _, s := range c {
		q.offer(s.i, s.s)
	}
}

// neighbours adds w times the normalised co-occurrence of a's neighbours
// to acc.
func (e *Engine) neighbours(acc map[uint32]float64, a uint32, w float64, bought, viewed bool) {
	it := &e.items[a]
	if bought {
		for _, nb := range it.bought {
			acc[nb.id] += w * coScore(nb.n, it.nBought, e.items[nb.id].nBought)
		}
	}
	if viewed {
		for _, nb := range it.viewed {
			acc[nb.id] += w * coScore(nb.n, it.nViewed, e.items[nb.id].nViewed)
		}
	}
}

// coScore is the cosine co(a,b)/√(n(a)·n(b)), shrunk by co/(co+1) so
// that one shared session between two rare items does not outrank a
// pattern seen many times. Space-Saving may overcount co: it is capped
// at the smaller n.
func coScore(co, na, nb float32) float64 {
	c := float64(min(co, na, nb))
	if c <= 0 {
		return 0
	}
	return c / math.Sqrt(float64(na)*float64(nb)) * c / (c + 1)
}

type scored struct {
	i uint32
	s float64
}

// offerBest offers the best N candidates that pass the filters, found
// with a bounded min-heap: O(C log N) for C candidates.
func (q *query) offerBest(acc iter.Seq2[uint32, float64], skipBought bool) {
	n := q.r.N - len(q.out)
	if n <= 0 {
		return
	}
	h := make([]scored, 0, n)
	less := func(a, b scored) bool { return a.s < b.s || a.s == b.s && a.i > b.i } // a worse than b
	for i, s := range acc {
		c := scored{i, s}
		if s <= 0 || len(h) == n && !less(h[0], c) || skipBought && q.isBought(i) || !q.ok(i) {
			continue
		}
		if len(h) < n {
			h = append(h, c)
			for k := len(h) - 1; k > 0 && less(h[k], h[(k-1)/2]); k = (k - 1) / 2 {
				h[k], h[(k-1)/2] = h[(k-1)/2], h[k]
			}
			continue
		}
		h[0] = c
		for k := 0; ; {
			m, l, r := k, 2*k+1, 2*k+2
			if l < n && less(h[l], h[m]) {
				m = l
			}
			if r < n && less(h[r], h[m]) {
				m = r
			}
			if m == k {
				break
			}
			h[k], h[m] = h[m], h[k]
			k = m
		}
	}
	slices.SortFunc(h, func(a, b scored) int {
		if less(a, b) {
			return 1
		}
		if less(b, a) {
			return -1
		}
		return 0
	})
	for _, c := range h {
		q.offer(c.i, c.s)
	}
}

// accPool recycles the candidate maps so that a Recommend allocates
// little beyond its answer.
var accPool = sync.Pool{New: func() any { return make(map[uint32]float64, 256) }}

func getAcc() map[uint32]float64 { return accPool.Get().(map[uint32]float64) }

func putAcc(m map[uint32]float64) {
	clear(m)
	accPool.Put(m)
}
