package reco

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"
)

// Options tunes an Engine. Zero fields take the defaults shown.
type Options struct {
	// HalfLife of the bestseller and popularity decay (14 days): a sale
	// this old weighs half a sale of now.
	HalfLife time.Duration
	// Neighbours is K, the co-occurrence neighbours served per product
	// (50). Each list keeps 1.5·K counters so that a pair climbing into
	// the top K is not evicted before it can be counted (Space-Saving).
	Neighbours int
	// History is how many distinct recent items are kept per person (50).
	History int
	// Bought is how many purchased items are kept per person for the
	// "not already bought" filter (100).
	Bought int
	// SessionWindow ends a browsing session after this much inactivity
	// (30 minutes); views in one session are co-viewed. It also groups
	// purchases that carry no order id.
	SessionWindow time.Duration
	// SessionItems caps the distinct items of one session a new item is
	// paired with (30), so that a crawler-like session costs O(30·K), not
	// O(n²).
	SessionItems int
	// TopList is the length of the kept bestseller, popularity and
	// new-arrival rankings, globally and per category (200).
	TopList int
	// PopularityWeights weigh a view, a cart and a purchase in the
	// popularity that ranks same_category ({1, 3, 10}).
	PopularityWeights [3]float64
	// Blend and AnchoredBlend weigh the parts of the blended strategy
	// without and with products on screen (DefaultBlend,
	// DefaultAnchoredBlend).
	Blend, AnchoredBlend Blend
}

func (o Options) withDefaults() Options {
	if o.HalfLife <= 0 {
		o.HalfLife = 14 * 24 * time.Hour
	}
	if o.Neighbours <= 0 {
		o.Neighbours = 50
	}
	if o.History <= 0 {
		o.History = 50
	}
	if o.Bought <= 0 {
		o.Bought = 100
	}
	if o.SessionWindow <= 0 {
		o.SessionWindow = 30 * time.Minute
	}
	if o.SessionItems <= 0 {
		o.SessionItems = 30
	}
	if o.TopList <= 0 {
		o.TopList = 200
	}
	if o.PopularityWeights == [3]float64{} {
		o.PopularityWeights = [3]float64{1, 3, 10}
	}
	if o.Blend.zero() {
		o.Blend = DefaultBlend
	}
	if o.AnchoredBlend.zero() {
		o.AnchoredBlend = DefaultAnchoredBlend
	}
	return o
}

// Engine holds the recommendation statistics in memory. It is safe for
// concurrent use.
//
// Locking: one sync.RWMutex. Every write (Observe, UpsertProduct, Merge)
// does bounded work — at most SessionItems pairs, each a scan of a
// 1.5·K list, and a few scans of TopList rankings — a few microseconds, so
// a Recommend waiting behind a write waits microseconds. Copy-on-write
// lists would make reads wait-free but allocate a new list for every
// touched product on every event (about 30 × 600 bytes), a steady stream
// of garbage at ingest rates for a latency gain the write bound already
// gives; sharded locks would not help either, since an event touches
// products all over the catalogue. RemoveProduct rebuilds rankings in
// O(products) and is meant to be rare.
type Engine struct {
	opt      Options
	coCap    int
	halfLife float64 // seconds

	mu      sync.RWMutex
	ids     map[string]uint32 // product id → index into items
	items   []item
	catIDs  map[string]uint32 // category name → index into cats; 0 is "none"
	cats    []category
	sales   ranking // global bestsellers
	newest  ranking // global new arrivals
	persons map[string]*person
	t0      int64 // Unix seconds, reference time of the decayed scores
	now     int64 // latest event time seen, Unix seconds
	started bool
}

// item is one product: about 100 bytes plus 2 × 1.5·K × 8 bytes of
// neighbour counters once its lists are full (1.3 KB at K = 50).
type item struct {
	id       string
	cat      uint32
	price    int64
	created  int64 // Unix seconds
	inStock  bool
	removed  bool
	sales    float64 // Σ purchases · 2^((t−t0)/halfLife): see bump
	interest float64 // same, over views, carts and purchases, weighted
	nBought  float32 // orders containing the item
	nViewed  float32 // browsing sessions containing the item
	bought   []neighbour
	viewed   []neighbour
}

// neighbour counts the sessions two products shared.
type neighbour struct {
	id uint32
	n  float32
}

type category struct {
	name     string
	sales    ranking
	interest ranking
	newest   ranking
}

// person is what the engine remembers of one person: at most History
// events of 16 bytes, Bought ids of 4 bytes and two open sessions — under
// 1.5 KB when full, about 150 bytes for a one-visit visitor.
type person struct {
	hist   []event // distinct items, oldest first
	bought []uint32
	view   session
	order  session
}

type event struct {
	item  uint32
	kinds uint8  // bit set of kindBit
	n     uint16 // orders that held the item (saturates), for the blend's repeat purchases
	at    int64  // Unix seconds
}

type session struct {
	id    string
	last  int64
	items []uint32
}

const (
	bitView uint8 = 1 << iota
	bitCart
	bitPurchase
)

func kindBit(kind string) uint8 {
	switch kind {
	case KindView:
		return bitView
	case KindCart:
		return bitCart
	case KindPurchase:
		return bitPurchase
	}
	return 0
}

// New returns an empty Engine.
func New(opts Options) *Engine {
	o := opts.withDefaults()
	return &Engine{
		opt:      o,
		coCap:    o.Neighbours + o.Neighbours/2,
		halfLife: o.HalfLife.Seconds(),
		ids:      map[string]uint32{},
		catIDs:   map[string]uint32{"": 0},
		cats:     []category{{}},
		persons:  map[string]*person{},
	}
}

// Stats counts what the engine holds.
type Stats struct {
	Products, Persons, Categories int
}

// Stats returns the engine's counts.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Stats{Products: len(e.items), Persons: len(e.persons), Categories: len(e.cats) - 1}
}

// intern returns the index of a product, creating a stub (in stock, new
// as of at) for one the catalogue has not sent yet: events may arrive
// before the catalogue sync.
func (e *Engine) intern(id string, at int64) uint32 {
	if i, ok := e.ids[id]; ok {
		return i
	}
	i := uint32(len(e.items))
	e.ids[id] = i
	e.items = append(e.items, item{id: id, inStock: true, created: at})
	e.newest.bump(i, e.createdKey, e.opt.TopList)
	return i
}

func (e *Engine) category(name string) uint32 {
	if c, ok := e.catIDs[name]; ok {
		return c
	}
	c := uint32(len(e.cats))
	e.catIDs[name] = c
	e.cats = append(e.cats, category{name: name})
	return c
}

func (e *Engine) salesKey(i uint32) float64    { return e.items[i].sales }
func (e *Engine) interestKey(i uint32) float64 { return e.items[i].interest }
func (e *Engine) createdKey(i uint32) float64  { return float64(e.items[i].created) }

// UpsertProduct adds or updates a catalogue item. A zero CreatedAt keeps
// the time the product was first seen.
func (e *Engine) UpsertProduct(p Product) {
	if p.ID == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	at := e.now
	if !p.CreatedAt.IsZero() {
		at = p.CreatedAt.Unix()
	}
	i := e.intern(p.ID, at)
	it := &e.items[i]
	wasRemoved := it.removed
	it.removed, it.price, it.inStock = false, p.PriceMinor, p.InStock
	cat := e.category(p.Category)
	if cat != it.cat {
		old := it.cat
		it.cat = cat
		if old != 0 {
			e.rebuildCategory(old)
		}
		c := &e.cats[cat]
		c.sales.bump(i, e.salesKey, e.opt.TopList)
		c.interest.bump(i, e.interestKey, e.opt.TopList)
	}
	if !p.CreatedAt.IsZero() && p.CreatedAt.Unix() != it.created {
		it.created = p.CreatedAt.Unix()
		e.newest.remove(i)
	}
	e.newest.bump(i, e.createdKey, e.opt.TopList)
	if cat != 0 {
		e.cats[cat].newest.remove(i)
		e.cats[cat].newest.bump(i, e.createdKey, e.opt.TopList)
	}
	if wasRemoved {
		e.sales.bump(i, e.salesKey, e.opt.TopList)
		e.rebuildCategory(cat)
	}
}

// RemoveProduct takes a product out of every answer. Its index and
// counters stay (ids are never reused); upserting it again restores it.
func (e *Engine) RemoveProduct(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.ids[id]
	if !ok || e.items[i].removed {
		return
	}
	e.items[i].removed = true
	e.sales.rebuild(e.items, func(j uint32) bool { return true }, e.salesKey, e.opt.TopList)
	e.newest.rebuild(e.items, func(j uint32) bool { return true }, e.createdKey, e.opt.TopList)
	e.rebuildCategory(e.items[i].cat)
}

func (e *Engine) rebuildCategory(c uint32) {
	if c == 0 {
		return
	}
	in := func(j uint32) bool { return e.items[j].cat == c }
	cat := &e.cats[c]
	cat.sales.rebuild(e.items, in, e.salesKey, e.opt.TopList)
	cat.interest.rebuild(e.items, in, e.interestKey, e.opt.TopList)
	cat.newest.rebuild(e.items, in, e.createdKey, e.opt.TopList)
}

// Observe learns from one interaction; unknown kinds and empty product
// ids are ignored. Events may come slightly out of order: decayed scores
// are exact whatever the order, sessions assume a person's events come in
// order.
func (e *Engine) Observe(in Interaction) {
	bit := kindBit(in.Kind)
	if bit == 0 || in.ProductID == "" {
		return
	}
	at := in.At.Unix()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started {
		e.started, e.t0, e.now = true, at, at
	}
	e.now = max(e.now, at)
	i := e.intern(in.ProductID, at)
	e.popularity(i, bit, at)
	if in.Person == "" {
		return
	}
	p := e.persons[in.Person]
	if p == nil {
		p = &person{}
		e.persons[in.Person] = p
	}
	win := int64(e.opt.SessionWindow.Seconds())
	ev := event{item: i, kinds: bit, at: at}
	if bit == bitPurchase {
		if !slices.Contains(p.bought, i) {
			p.bought = appendCapped(p.bought, i, e.opt.Bought)
		}
		if e.pair(&p.order, in.Session, at, win, i, true) {
			ev.n = 1 // a second line of the same order is not a second order
		}
	} else {
		e.pair(&p.view, in.Session, at, win, i, false)
	}
	p.remember(ev, e.opt.History)
}

// popularity adds one interaction to the decayed scores. A score is kept
// in the frame of the reference time t0: an event at t adds 2^((t−t0)/h),
// and the score at time now is the stored value times 2^((t0−now)/h). The
// update is O(1), and since all scores decay by the same factor the
// ranking never changes with time alone — only the bumped product moves,
// which keeps the top lists exact at O(TopList) per event.
func (e *Engine) popularity(i uint32, bit uint8, at int64) {
	x := float64(at-e.t0) / e.halfLife
	if x > 600 { // keep 2^x far from overflow: move t0 forward
		e.rebase(at)
		x = 0
	}
	w := math.Exp2(x)
	it := &e.items[i]
	c := &e.cats[it.cat]
	switch bit {
	case bitView:
		it.interest += w * e.opt.PopularityWeights[0]
	case bitCart:
		it.interest += w * e.opt.PopularityWeights[1]
	case bitPurchase:
		it.interest += w * e.opt.PopularityWeights[2]
		it.sales += w
		e.sales.bump(i, e.salesKey, e.opt.TopList)
		if it.cat != 0 {
			c.sales.bump(i, e.salesKey, e.opt.TopList)
		}
	}
	if it.cat != 0 {
		c.interest.bump(i, e.interestKey, e.opt.TopList)
	}
}

// rebase scales every score to a new reference time; rankings are
// unchanged. O(products), once every 600 half-lives.
func (e *Engine) rebase(t int64) {
	f := math.Exp2(-float64(t-e.t0) / e.halfLife)
	for j := range e.items {
		e.items[j].sales *= f
		e.items[j].interest *= f
	}
	e.t0 = t
}

// decay converts a stored score to its value at the latest event time.
func (e *Engine) decay(s float64) float64 {
	return s * math.Exp2(float64(e.t0-e.now)/e.halfLife)
}

// remember moves (or adds) an item to the end of the person's history,
// adding nw's kinds and order count to what was known of it.
func (p *person) remember(nw event, capacity int) {
	for j, ev := range p.hist {
		if ev.item == nw.item {
			ev.kinds |= nw.kinds
			ev.at = max(ev.at, nw.at)
			ev.n = uint16(min(int(ev.n)+int(nw.n), math.MaxUint16))
			copy(p.hist[j:], p.hist[j+1:])
			p.hist[len(p.hist)-1] = ev
			return
		}
	}
	if len(p.hist) >= capacity {
		copy(p.hist, p.hist[1:])
		p.hist = p.hist[:len(p.hist)-1]
	}
	p.hist = append(p.hist, nw)
}

func appendCapped(s []uint32, v uint32, capacity int) []uint32 {
	if len(s) >= capacity {
		copy(s, s[1:])
		s = s[:len(s)-1]
	}
	return append(s, v)
}

// pair adds item i to a session and counts one co-occurrence with each
// distinct item already in it. A new session starts when the id changes
// or, without an id, after the inactivity window. It reports whether i
// was new to the session.
func (e *Engine) pair(s *session, id string, at, window int64, i uint32, purchase bool) bool {
	if id != s.id || at-s.last > window {
		s.id, s.items = id, s.items[:0]
	}
	s.last = max(s.last, at)
	if slices.Contains(s.items, i) {
		return false
	}
	a := &e.items[i]
	if purchase {
		a.nBought++
	} else {
		a.nViewed++
	}
	for _, j := range s.items {
		b := &e.items[j]
		if purchase {
			a.bought = countPair(a.bought, j, e.coCap)
			b.bought = countPair(b.bought, i, e.coCap)
		} else {
			a.viewed = countPair(a.viewed, j, e.coCap)
			b.viewed = countPair(b.viewed, i, e.coCap)
		}
	}
	s.items = appendCapped(s.items, i, e.opt.SessionItems)
	return true
}

// countPair is the Space-Saving heavy-hitter update: a known neighbour
// counts one more; a new one takes a free slot, or replaces the least
// counted and inherits its count plus one. Any pair whose true count is
// above the list's minimum is guaranteed to be in the list.
func countPair(l []neighbour, j uint32, capacity int) []neighbour {
	m := 0
	for k := range l {
		if l[k].id == j {
			l[k].n++
			return l
		}
		if l[k].n < l[m].n {
			m = k
		}
	}
	if len(l) < capacity {
		if l == nil {
			l = make([]neighbour, 0, 4)
		}
		return append(l, neighbour{id: j, n: 1})
	}
	l[m] = neighbour{id: j, n: l[m].n + 1}
	return l
}

// Merge moves the history of person from into person into (an anonymous
// visitor identified as a contact): histories interleave by time, bought
// sets unite, and from is forgotten.
func (e *Engine) Merge(from, into string) {
	if from == into || from == "" || into == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.persons[from]
	if f == nil {
		return
	}
	delete(e.persons, from)
	t := e.persons[into]
	if t == nil {
		e.persons[into] = f
		return
	}
	merged := make([]event, 0, len(f.hist)+len(t.hist))
	merged = append(append(merged, f.hist...), t.hist...)
	slices.SortStableFunc(merged, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	var hist []event
	for _, ev := range merged {
		th := &person{hist: hist}
		th.remember(ev, e.opt.History)
		hist = th.hist
	}
	t.hist = hist
	for _, b := range f.bought {
		if !slices.Contains(t.bought, b) {
			t.bought = appendCapped(t.bought, b, e.opt.Bought)
		}
	}
	if len(t.view.items) == 0 {
		t.view = f.view
	}
	if len(t.order.items) == 0 {
		t.order = f.order
	}
}
