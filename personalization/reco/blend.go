package reco

import (
	"math"
	"sync"
	"time"
)

// Blend weighs the parts of the blended strategy, the default when a
// frame or a product block names none. Each part's scores are divided
// by that part's best score before weighting, so a weight says how much
// the part counts, whatever its scale.
type Blend struct {
	// Anchor: what was bought (and viewed) together with the products on
	// screen (the request's anchors; the latest item standing in for
	// them is the History part's business).
	Anchor float64
	// History: the neighbours of the person's 20 latest items, the more
	// recent weighing more (as personalized, but bought items stay).
	History float64
	// Repeat: the person's own purchases, by orders^RepeatFreq, halved
	// every RepeatHalfLife since the last one. Shops whose customers
	// reorder (supplies, consumables, wholesale) live on this part.
	Repeat         float64
	RepeatFreq     float64
	RepeatHalfLife time.Duration
	// Popular: the decayed bestsellers, the cold-start floor.
	Popular float64
}

// DefaultBlend weighs the blend when no product is on screen (a home
// page, an email), DefaultAnchoredBlend when one is (a product page, a
// cart, an order's items): with a product on screen its neighbours and
// the shop's bestsellers predict the next item better than the person's
// reorders, without one the reorders come first. Both were tuned
// offline on a real shop's purchase log with train before 2011-04-01
// and validation in April–May 2011, a period before the one
// docs/BENCHMARKS.md reports on (see there).
var (
	DefaultBlend         = Blend{History: 0.1, Repeat: 1, RepeatFreq: 0.5, RepeatHalfLife: 365 * 24 * time.Hour, Popular: 0.5}
	DefaultAnchoredBlend = Blend{Anchor: 8, History: 0.1, Repeat: 1, RepeatFreq: 0.5, RepeatHalfLife: 365 * 24 * time.Hour, Popular: 4}
)

func (b Blend) zero() bool { return b.Anchor == 0 && b.History == 0 && b.Repeat == 0 && b.Popular == 0 }

// blend scores candidates from every part, O(anchors · 3K + 20 · 3K +
// History + TopList), and offers the best.
func (q *query) blend() {
	e := q.e
	b := e.opt.Blend
	if len(q.r.Anchors) > 0 {
		b = e.opt.AnchoredBlend
	}
	if q.r.Blend != nil {
		b = *q.r.Blend
	}
	acc, part := getDense(len(e.items)), getDense(len(e.items))
	defer putDense(acc)
	defer putDense(part)
	add := func(w float64) {
		best := 0.0
		for _, i := range part.touched {
			best = max(best, part.v[i])
		}
		if best > 0 && w > 0 {
			for _, i := range part.touched {
				acc.add(i, w*part.v[i]/best)
			}
		}
		part.reset()
	}
	if b.Anchor > 0 && len(q.r.Anchors) > 0 {
		for _, a := range q.anchors {
			e.neighboursDense(part, a, 1)
		}
		add(b.Anchor)
	}
	var h []event
	if q.p != nil {
		h = q.p.hist
	}
	if b.History > 0 {
		w := 1.0
		for k := len(h) - 1; k >= 0 && k >= len(h)-personalHistory; k-- {
			e.neighboursDense(part, h[k].item, w*kindWeight(h[k].kinds))
			w *= 0.9
		}
		add(b.History)
	}
	if b.Repeat > 0 {
		half := b.RepeatHalfLife.Seconds()
		for _, ev := range h {
			if ev.n == 0 {
				continue
			}
			s := math.Pow(float64(ev.n), b.RepeatFreq)
			if half > 0 {
				s *= math.Exp2(-float64(max(e.now-ev.at, 0)) / half)
			}
			part.add(ev.item, s)
		}
		add(b.Repeat)
	}
	if b.Popular > 0 {
		for _, i := range q.list(func(c *category) []uint32 { return c.sales.ids }, e.sales.ids) {
			part.add(i, e.items[i].sales)
		}
		add(b.Popular)
	}
	q.offerBest(acc.all, false)
}

// dense is a candidate accumulator indexed by product: the blend sums
// four parts of up to thousands of candidates each, which in maps cost
// most of its time; a slice and the list of indexes touched cost a
// fraction, and are pooled (8 bytes a product each).
type dense struct {
	v       []float64
	touched []uint32
}

func (d *dense) add(i uint32, x float64) {
	if x <= 0 {
		return
	}
	if d.v[i] == 0 {
		d.touched = append(d.touched, i)
	}
	d.v[i] += x
}

func (d *dense) reset() {
	for _, i := range d.touched {
		d.v[i] = 0
	}
	d.touched = d.touched[:0]
}

func (d *dense) all(yield func(uint32, float64) bool) {
	for _, i := range d.touched {
		if !yield(i, d.v[i]) {
			return
		}
	}
}

// neighboursDense is neighbours (bought and viewed) into a dense
// accumulator.
func (e *Engine) neighboursDense(d *dense, a uint32, w float64) {
	it := &e.items[a]
	for _, nb := range it.bought {
		d.add(nb.id, w*coScore(nb.n, it.nBought, e.items[nb.id].nBought))
	}
	for _, nb := range it.viewed {
		d.add(nb.id, w*coScore(nb.n, it.nViewed, e.items[nb.id].nViewed))
	}
}

var densePool = sync.Pool{New: func() any { return &dense{} }}

// getDense returns an empty accumulator for n products.
func getDense(n int) *dense {
	d := densePool.Get().(*dense)
	if len(d.v) < n {
		d.v = make([]float64, n+n/4)
	}
	return d
}

func putDense(d *dense) {
	d.reset()
	densePool.Put(d)
}
