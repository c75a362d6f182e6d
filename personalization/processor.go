package personalization

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/store"
)

// Checkpoint names the personalization processor's position in the log.
const Checkpoint = "personalization"

// Event types widgets log (docs/widgets.md).
const (
	EventWidgetShown     = "widget_shown"
	EventWidgetClicked   = "widget_clicked"
	EventWidgetClosed    = "widget_closed"
	EventRecoClicked     = "reco_clicked"
	EventFormSubmitted   = "form_submitted"
	EventWishlistAdded   = "wishlist_added"
	EventWishlistRemoved = "wishlist_removed"
	// EventSegmentEntered and EventSegmentLeft are the segment follower's
	// (personalization/segments): widgets excluding a segment follow them.
	EventSegmentEntered = "segment_entered"
	EventSegmentLeft    = "segment_left"
)

// Processor reads the event log after its checkpoint, never past the
// profile processor's (it needs the contacts that one creates), and keeps
// the Decider's state and the recommendation engines current. Each batch's
// widget statistics, marks and wishlists commit in one transaction with
// the checkpoint.
type Processor struct {
	d     *Decider
	st    *store.Store
	log   *slog.Logger
	wake  chan struct{}
	batch int
	// idle bounds a sleep with nothing to do; the profile processor wakes
	// it after each batch (Notify), so this is only a fallback.
	idle time.Duration
	pos  int64
	// WarmEvents is how many of the newest processed events are replayed
	// into the recommendation engines at start (their statistics live in
	// memory only).
	WarmEvents int
	// gather is the pause after a short batch, so that events trickling in
	// are read in batches rather than one transaction each.
	gather time.Duration
	// savedAt is when the checkpoint was last written (see step).
	savedAt time.Time
}

// checkpointEvery bounds how often a batch that wrote nothing else saves
// the checkpoint. Such a batch only changed memory (visit counts, recently
// viewed, recommendation statistics), which a restart rebuilds from the
// profiles anyway, so replaying it after a crash is harmless; a
// transaction per batch on the one writer connection is not (ingest pays
// for it).
const checkpointEvery = time.Second

// NewProcessor returns the processor feeding d; call Run to start it.
func NewProcessor(d *Decider) *Processor {
	return &Processor{d: d, st: d.st, log: d.o.Log, wake: make(chan struct{}, 1), batch: 2000, idle: 250 * time.Millisecond,
		gather: 250 * time.Millisecond, pos: -1, WarmEvents: 200_000}
}

// Notify wakes the processor; it never blocks.
func (p *Processor) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes the log until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	if err := p.warm(ctx); err != nil && ctx.Err() == nil {
		p.log.Error("personalization: warming recommendations", "err", err)
	}
	return cdp.Loop{Name: "personalization processor", Step: p.step, Batch: p.batch, Wake: p.wake, Idle: p.idle,
		Gather: p.gather, Log: p.log}.Run(ctx)
}

// CatchUp processes until no event is ready; for tests and the CLI.
func (p *Processor) CatchUp(ctx context.Context) error {
	for {
		n, err := p.step(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// batchState collects one batch's writes.
type batchState struct {
	stats     map[[4]string]*store.WidgetStat // ws, widget, variant, day
	marks     map[[3]string]bool              // ws, visitor, widget
	wishlist  []wishOp
	interests []interestOp
	touched   map[string]bool // visitor keys, dropped from the cache if the batch fails
}

type wishOp struct {
	ws, visitor, product string
	on                   bool
	at                   time.Time
}

type interestOp struct {
	ws, contact string
	interests   []string
}

func (b *batchState) stat(ws, widget, variant string, at time.Time) *store.WidgetStat {
	if variant == "" {
		variant = "default"
	}
	day := dayOf(at.UnixMilli())
	k := [4]string{ws, widget, variant, fmt.Sprint(day)}
	s := b.stats[k]
	if s == nil {
		s = &store.WidgetStat{WidgetID: widget, Variant: variant, Day: day}
		b.stats[k] = s
	}
	return s
}

func (p *Processor) step(ctx context.Context) (int, error) {
	if p.pos < 0 {
		pos, err := p.st.Checkpoint(ctx, Checkpoint)
		if err != nil {
			return 0, err
		}
		p.pos = pos
	}
	limit, err := p.st.Checkpoint(ctx, cdp.ProfileCheckpoint)
	if err != nil || limit <= p.pos {
		return 0, err
	}
	evs, err := p.st.LogAfter(ctx, p.pos, p.batch)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	b := &batchState{stats: map[[4]string]*store.WidgetStat{}, marks: map[[3]string]bool{}, touched: map[string]bool{}}
	last, n := p.pos, 0
	for i := range evs {
		ev := &evs[i]
		if ev.ID > limit {
			break
		}
		if err := p.apply(ctx, b, ev); err != nil {
			p.forget(b)
			return 0, fmt.Errorf("personalization: event %d: %w", ev.ID, err)
		}
		last, n = ev.ID, n+1
	}
	if n == 0 {
		return 0, nil
	}
	quiet := len(b.stats) == 0 && len(b.marks) == 0 && len(b.wishlist) == 0 && len(b.interests) == 0
	if !quiet || time.Since(p.savedAt) >= checkpointEvery {
		if err := p.flush(ctx, b, last); err != nil {
			p.forget(b)
			return 0, err
		}
		p.savedAt = time.Now()
	}
	p.pos = last
	p.d.vs.evict()
	return n, nil
}

// forget drops the visitors a failed batch changed: their memory is ahead
// of the database, and they reload from it when next seen.
func (p *Processor) forget(b *batchState) {
	for k := range b.touched {
		sh := p.d.vs.shard(k)
		sh.mu.Lock()
		delete(sh.m, k)
		sh.mu.Unlock()
	}
}

func (p *Processor) flush(ctx context.Context, b *batchState, last int64) error {
	type markRow struct {
		ws, visitor string
		m           store.WidgetMark
	}
	var rows []markRow
	for k := range b.marks {
		p.d.vs.with(vkey(k[0], k[1]), func(v *visitor) {
			if m := v.findMark(k[2]); m != nil {
				rows = append(rows, markRow{k[0], k[1], store.WidgetMark{WidgetID: m.widget, Variant: m.variant,
					ShownAt: fromUMS(m.shownAt), ShownSession: m.shownSession, Shows: int(m.shows), ClosedAt: fromUMS(m.closedAt),
					SubmittedAt: fromUMS(m.submittedAt), ConvertedAt: fromUMS(m.convertedAt), ClickedAt: fromUMS(m.clickedAt)}})
			}
		})
	}
	return p.st.InReplayableTx(ctx, func(tx *store.Tx) error {
		for k, s := range b.stats {
			if err := tx.AddWidgetStats(k[0], *s); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if err := tx.PutWidgetMark(r.ws, r.visitor, r.m); err != nil {
				return err
			}
		}
		for _, w := range b.wishlist {
			if err := tx.SetWishlisted(w.ws, w.visitor, w.product, w.on, w.at); err != nil {
				return err
			}
		}
		for _, in := range b.interests {
			if err := setInterests(tx, in); err != nil {
				return err
			}
		}
		return tx.SetCheckpoint(Checkpoint, last)
	})
}

// setInterests stores a form's interests on the contact (attribute
// "interests", merged with earlier ones).
func setInterests(tx *store.Tx, in interestOp) error {
	c, err := tx.Contact(in.ws, in.contact)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	attrs := map[string]any{}
	if len(c.Attributes) > 0 {
		_ = json.Unmarshal(c.Attributes, &attrs)
	}
	var have []string
	if old, ok := attrs["interests"].([]any); ok {
		for _, o := range old {
			if s, ok := o.(string); ok {
				have = append(have, s)
			}
		}
	}
	for _, s := range in.interests {
		if !contains(have, s) {
			have = append(have, s)
		}
	}
	attrs["interests"] = have
	if c.Attributes, err = json.Marshal(attrs); err != nil {
		return err
	}
	c.UpdatedAt = time.Now().UTC()
	return tx.UpdateContact(c)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// parsedProps is an event's props, decoded once.
type parsedProps map[string]json.RawMessage

// eventProps is an event's props as apply and observe read them: the
// top-level fields, and a product_view's product id, decoded once.
type eventProps struct {
	parsedProps
	viewed string // a product_view's props.product.id
}

// parseProps decodes an event's props (empty props are none).
func parseProps(typ string, raw json.RawMessage) (eventProps, error) {
	var e eventProps
	if len(raw) == 0 {
		return e, nil
	}
	if err := json.Unmarshal(raw, &e.parsedProps); err != nil {
		return e, err
	}
	if typ == cdp.EventProductView {
		var pr struct {
			ID string `json:"id"`
		}
		if r, ok := e.parsedProps["product"]; ok && json.Unmarshal(r, &pr) == nil {
			e.viewed = pr.ID
		}
	}
	return e, nil
}

func (pp parsedProps) str(k string) string {
	var s string
	if v, ok := pp[k]; ok {
		if json.Unmarshal(v, &s) != nil {
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				return n.String()
			}
		}
	}
	return strings.TrimSpace(s)
}

func (pp parsedProps) num(k string) int64 {
	var f float64
	if v, ok := pp[k]; ok {
		_ = json.Unmarshal(v, &f)
	}
	return int64(f)
}

func (pp parsedProps) strings(k string) []string {
	var out []string
	if v, ok := pp[k]; ok {
		_ = json.Unmarshal(v, &out)
	}
	return out
}

func isBot(ev *store.Event) bool { return cdp.IsBot(ev.Context) }

// warm replays the newest processed events into the recommendation
// engines, whose statistics are not persisted. It reads the log once, at
// start, and changes no other state.
func (p *Processor) warm(ctx context.Context) error {
	pos, err := p.st.Checkpoint(ctx, Checkpoint)
	if err != nil || pos <= 0 || p.WarmEvents <= 0 {
		return err
	}
	people := map[string]string{} // visitor key → contact
	from := max(0, pos-int64(p.WarmEvents))
	for from < pos {
		evs, err := p.st.LogAfter(ctx, from, 2000)
		if err != nil || len(evs) == 0 {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			if ev.ID > pos {
				return nil
			}
			from = ev.ID
			switch ev.Type {
			case cdp.EventProductView, cdp.EventAddToCart, cdp.EventOrderPlaced:
			default:
				continue
			}
			if isBot(ev) {
				continue
			}
			w, err := p.d.workspace(ctx, ev.WorkspaceID)
			if err != nil {
				return err
			}
			person := ev.ContactID
			if ev.VisitorID != "" {
				k := vkey(ev.WorkspaceID, ev.VisitorID)
				c, ok := people[k]
				if !ok {
					if ct, err := p.st.ContactByIdentity(ctx, ev.WorkspaceID, cdp.KindVisitor, ev.VisitorID); err == nil {
						c = ct.ID
					}
					people[k] = c
				}
				person = c
			}
			if person == "" {
				person = ev.VisitorID
			}
			props, _ := parseProps(ev.Type, ev.Props)
			observe(w.reco, ev, props, person)
		}
	}
	return nil
}

// observe feeds one shopping event to a recommendation engine.
func observe(r Recommender, ev *store.Event, props eventProps, person string) {
	if person == "" {
		return
	}
	switch ev.Type {
	case cdp.EventProductView:
		if props.viewed != "" {
			r.Observe(reco.Interaction{Person: person, Session: ev.SessionID, ProductID: props.viewed, Kind: reco.KindView, At: ev.OccurredAt})
		}
	case cdp.EventAddToCart:
		if id := props.str("product_id"); id != "" {
			r.Observe(reco.Interaction{Person: person, Session: ev.SessionID, ProductID: id, Kind: reco.KindCart, At: ev.OccurredAt})
		}
	case cdp.EventOrderPlaced:
		var items []struct {
			ProductID string `json:"product_id"`
		}
		if raw, ok := props.parsedProps["items"]; ok {
			_ = json.Unmarshal(raw, &items)
		}
		order := props.str("order_id")
		for _, it := range items {
			if it.ProductID != "" {
				r.Observe(reco.Interaction{Person: person, Session: "order:" + order, ProductID: it.ProductID, Kind: reco.KindPurchase,
					At: ev.OccurredAt})
			}
		}
	}
}
