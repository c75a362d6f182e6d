package personalization

import (
	"context"
	"encoding/json"
	"errors"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// Bounds on one visitor's state: what decisions need, nothing more.
const (
	maxViewed   = 12
	maxWishlist = 100
)

// visitor is what /decide knows of one browser. It is deliberately small
// (about 250 bytes with a few widget marks) because a busy shop keeps
// hundreds of thousands of them: the profile document is kilobytes and is
// never kept.
type visitor struct {
	contact      string
	session      string
	visits       int32
	orders       int32
	unread       int32
	emailConsent bool
	push         bool
	// segments are the ids of the segments the contact is in.
	segments  []string
	cartMinor int64
	// asOf is the profile processor's position when the counters above
	// were read from the profile: events up to it are already counted.
	asOf int64
	// unreadAt is when unread (and contact) were last read (Unix ms).
	unreadAt int64
	// touched is the last use (Unix seconds), for eviction.
	touched  int64
	viewed   []string // product ids, most recent first
	wishlist []string // product ids, most recent first
	cart     []string // product ids in the cart (frames leave them out)
	marks    []mark
	// anon says contact is the browser's own anonymous contact: nothing but
	// this visitor id names it (see verify.go for what that allows).
	anon bool
	// proofContact is the contact the browser proved to be, until
	// proofUntil (Unix ms); mine are the products it viewed itself.
	proofContact string
	proofUntil   int64
	mine         []string
}

// mark is what the visitor has seen and done of one widget (times in Unix
// ms), persisted in widget_visitors.
type mark struct {
	widget       string
	variant      string
	shownAt      int64
	shownSession string
	shows        int32
	closedAt     int64
	submittedAt  int64
	convertedAt  int64
	clickedAt    int64
	// early counts showings in earlySession that /collect accepted and
	// the processor has not applied yet (see Decider.Collected).
	early        int32
	earlySession string
}

// sessionShows is how often the widget was shown in session, counting
// showings the processor has not applied yet.
func (m *mark) sessionShows(session string) int {
	n := 0
	if m.shownSession == session {
		n += int(m.shows)
	}
	if m.earlySession == session {
		n += int(m.early)
	}
	return n
}

func (v *visitor) mark(widget string) *mark {
	for i := range v.marks {
		if v.marks[i].widget == widget {
			return &v.marks[i]
		}
	}
	v.marks = append(v.marks, mark{widget: widget})
	return &v.marks[len(v.marks)-1]
}

func (v *visitor) findMark(widget string) *mark {
	for i := range v.marks {
		if v.marks[i].widget == widget {
			return &v.marks[i]
		}
	}
	return nil
}

// viewedProduct moves id to the front of the recently viewed list.
func (v *visitor) viewedProduct(id string) {
	if i := slices.Index(v.viewed, id); i >= 0 {
		v.viewed = slices.Delete(v.viewed, i, i+1)
	}
	v.viewed = slices.Insert(v.viewed, 0, id)
	if len(v.viewed) > maxViewed {
		v.viewed = v.viewed[:maxViewed]
	}
}

func (v *visitor) setWishlisted(id string, on bool) {
	i := slices.Index(v.wishlist, id)
	switch {
	case on && i < 0:
		v.wishlist = slices.Insert(v.wishlist, 0, id)
		if len(v.wishlist) > maxWishlist {
			v.wishlist = v.wishlist[:maxWishlist]
		}
	case !on && i >= 0:
		v.wishlist = slices.Delete(v.wishlist, i, i+1)
	}
}

// snapshot is a copy a decision can read without holding a lock.
func (v *visitor) snapshot() visitor {
	c := *v
	c.viewed = slices.Clone(v.viewed)
	c.wishlist = slices.Clone(v.wishlist)
	c.cart = slices.Clone(v.cart)
	c.marks = slices.Clone(v.marks)
	c.mine = slices.Clone(v.mine)
	c.segments = slices.Clone(v.segments)
	return c
}

// visitors is the bounded cache of visitor state, sharded so that
// decisions and the processor rarely wait on each other. Past max entries
// the least recently used are evicted (see evict): they are reloaded by
// point lookups if they come back.
type visitors struct {
	seed   maphash.Seed
	shards [64]shard
	max    int
}

type shard struct {
	mu sync.Mutex
	m  map[string]*visitor
}

func newVisitors(max int) *visitors {
	vs := &visitors{seed: maphash.MakeSeed(), max: max}
	for i := range vs.shards {
		vs.shards[i].m = map[string]*visitor{}
	}
	return vs
}

func vkey(ws, visitorID string) string { return ws + "\x00" + visitorID }

func (vs *visitors) shard(key string) *shard {
	return &vs.shards[maphash.String(vs.seed, key)%uint64(len(vs.shards))]
}

// with runs fn on the cached visitor under its shard's lock; ok is false
// when the visitor is not cached.
func (vs *visitors) with(key string, fn func(*visitor)) bool {
	sh := vs.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	v, ok := sh.m[key]
	if ok {
		fn(v)
	}
	return ok
}

// put caches v unless another loader was first; it returns whichever won,
// so that changes already applied to the cached one are never lost.
func (vs *visitors) put(key string, v *visitor) {
	sh := vs.shard(key)
	sh.mu.Lock()
	if _, ok := sh.m[key]; !ok {
		sh.m[key] = v
	}
	sh.mu.Unlock()
}

func (vs *visitors) len() int {
	n := 0
	for i := range vs.shards {
		sh := &vs.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// evict drops the least recently touched tenth of the cache once it holds
// more than max visitors. It is an approximate LRU: the cutoff is the
// touch time below which a tenth of the entries lie, found by sorting a
// sample, so no list is kept per entry (that would cost more than the
// state itself at a million visitors).
func (vs *visitors) evict() int {
	n := vs.len()
	if vs.max <= 0 || n <= vs.max {
		return 0
	}
	var sample []int64
	for i := range vs.shards {
		sh := &vs.shards[i]
		sh.mu.Lock()
		k := 0
		for _, v := range sh.m {
			sample = append(sample, v.touched)
			if k++; k >= 64 {
				break
			}
		}
		sh.mu.Unlock()
	}
	sort.Slice(sample, func(i, j int) bool { return sample[i] < sample[j] })
	excess := n - vs.max*9/10
	cut := sample[min(len(sample)-1, len(sample)*excess/n)]
	dropped := 0
	for i := range vs.shards {
		sh := &vs.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			if v.touched <= cut {
				delete(sh.m, k)
				dropped++
			}
		}
		sh.mu.Unlock()
	}
	return dropped
}

// profileDoc is the part of cdp's profile document decisions read.
type profileDoc struct {
	Visits      int    `json:"visits"`
	Orders      int    `json:"orders"`
	LastSession string `json:"last_session"`
	LastCart    []struct {
		ProductID  string `json:"product_id"`
		Quantity   int64  `json:"quantity"`
		PriceMinor int64  `json:"price_minor"`
	} `json:"last_cart"`
	Products map[string]struct {
		LastViewed time.Time `json:"last_viewed"`
	} `json:"products"`
}

// load builds a visitor's state by point lookups: its contact, that
// contact's profile (with the position it reflects), consent, push
// subscriptions, widget marks, wishlist and unread inbox count.
func (d *Decider) load(ctx context.Context, ws, visitorID string) (*visitor, error) {
	v := &visitor{touched: d.now().Unix()}
	c, err := d.st.ContactByIdentity(ctx, ws, cdp.KindVisitor, visitorID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		v.contact = c.ID
		if err := d.loadContact(ctx, ws, visitorID, v); err != nil {
			return nil, err
		}
	}
	if err := d.loadOwn(ctx, ws, visitorID, v); err != nil {
		return nil, err
	}
	subs, err := d.st.VisitorPushSubscriptions(ctx, ws, visitorID)
	if err != nil {
		return nil, err
	}
	v.push = len(subs) > 0
	marks, err := d.st.WidgetMarks(ctx, ws, visitorID)
	if err != nil {
		return nil, err
	}
	for _, m := range marks {
		v.marks = append(v.marks, mark{widget: m.WidgetID, variant: m.Variant, shownAt: ums(m.ShownAt),
			shownSession: m.ShownSession, shows: int32(m.Shows), closedAt: ums(m.ClosedAt), submittedAt: ums(m.SubmittedAt),
			convertedAt: ums(m.ConvertedAt), clickedAt: ums(m.ClickedAt)})
	}
	if v.wishlist, err = d.st.Wishlist(ctx, ws, visitorID); err != nil {
		return nil, err
	}
	return v, nil
}

// loadContact reads the contact-level counters of v.contact: profile,
// email consent and unread inbox count, and whether the contact is the
// browser's own anonymous one.
func (d *Decider) loadContact(ctx context.Context, ws, visitorID string, v *visitor) error {
	anon, err := d.isAnonymous(ctx, ws, v.contact, visitorID)
	if err != nil {
		return err
	}
	v.anon = anon
	raw, pos, err := d.st.ProfileSnapshot(ctx, ws, v.contact)
	if err != nil {
		return err
	}
	var p profileDoc
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
	}
	v.asOf, v.visits, v.orders, v.session = pos, int32(p.Visits), int32(p.Orders), p.LastSession
	v.cartMinor, v.cart = 0, nil
	for _, l := range p.LastCart {
		v.cartMinor += l.Quantity * l.PriceMinor
		if l.ProductID != "" && l.Quantity > 0 && !slices.Contains(v.cart, l.ProductID) {
			v.cart = append(v.cart, l.ProductID)
		}
	}
	type seen struct {
		id string
		at time.Time
	}
	var recent []seen
	for id, ps := range p.Products {
		if !ps.LastViewed.IsZero() {
			recent = append(recent, seen{id, ps.LastViewed})
		}
	}
	sort.Slice(recent, func(i, j int) bool { return recent[i].at.After(recent[j].at) })
	v.viewed = v.viewed[:0]
	for i := 0; i < len(recent) && i < maxViewed; i++ {
		v.viewed = append(v.viewed, recent[i].id)
	}
	if v.emailConsent, err = d.emailConsent(ctx, ws, v.contact); err != nil {
		return err
	}
	ms, err := d.st.ContactSegments(ctx, ws, v.contact)
	if err != nil {
		return err
	}
	v.segments = v.segments[:0]
	for _, m := range ms {
		v.segments = append(v.segments, m.SegmentID)
	}
	n, err := d.st.UnreadInbox(ctx, ws, v.contact)
	if err != nil {
		return err
	}
	v.unread, v.unreadAt = int32(n), d.now().UnixMilli()
	return nil
}

func (d *Decider) emailConsent(ctx context.Context, ws, contact string) (bool, error) {
	cs, err := d.st.Consents(ctx, ws, contact)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.Channel == "email" {
			return c.Granted, nil
		}
	}
	return false, nil
}

// visitor returns the cached state of a visitor, loading it on first
// sight; fn runs under the visitor's lock.
func (d *Decider) withVisitor(ctx context.Context, ws, visitorID string, fn func(*visitor)) error {
	key := vkey(ws, visitorID)
	touch := func(v *visitor) {
		v.touched = d.now().Unix()
		fn(v)
	}
	if d.vs.with(key, touch) {
		return nil
	}
	v, err := d.load(ctx, ws, visitorID)
	if err != nil {
		return err
	}
	d.vs.put(key, v)
	d.vs.with(key, touch)
	return nil
}

func ums(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
