package scores

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// Checkpoint names the score processor's position in the event log.
const Checkpoint = "scores"

// refitCheckEvery is how often the processor looks for workspaces due a
// refit.
const refitCheckEvery = time.Minute

// Processor follows the event log after its checkpoint (never past the
// profile processor's, which resolves events to contacts): it keeps each
// contact's engagement and preferences, rescores a contact's orders with
// the workspace's stored fit when one of its order events arrives, and
// refits each workspace every Options.RefitEvery. Refits run in the same
// goroutine, so a refit and an order's rescoring never overwrite each
// other. The activity columns and the checkpoint are written in one
// transaction: a crash replays nothing twice.
type Processor struct {
	st        *store.Store
	sc        *Scorer
	log       *slog.Logger
	wake      chan struct{}
	batch     int
	pos       int64
	lastCheck time.Time
	// asked holds workspaces whose refit was asked for (RequestRefit).
	asked chan string
}

// NewProcessor returns the score processor; call Run to start it.
func NewProcessor(st *store.Store, sc *Scorer, log *slog.Logger) *Processor {
	// The first scheduled check comes a minute after start, not during it.
	return &Processor{st: st, sc: sc, log: log, wake: make(chan struct{}, 1), batch: 1000, pos: -1,
		asked: make(chan string, 64), lastCheck: sc.now()}
}

// Notify tells the processor new events may be ready; it never blocks.
func (p *Processor) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes the log and refits on schedule until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	return cdp.Loop{Name: "score processor", Step: func(ctx context.Context) (int, error) {
		if err := p.RefitDue(ctx); err != nil {
			return 0, err
		}
		return p.step(ctx)
	}, Batch: p.batch, Wake: p.wake, Idle: time.Second, Gather: 200 * time.Millisecond, Log: p.log}.Run(ctx)
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

// RequestRefit asks for a refit of the workspace now; it runs in the
// processor's goroutine like the scheduled ones. It never blocks (a full
// queue drops the request: a refit of that workspace is already queued or
// the schedule will come).
func (p *Processor) RequestRefit(workspaceID string) {
	select {
	case p.asked <- workspaceID:
	default:
	}
	p.Notify()
}

// RefitDue refits every workspace whose fit is older than RefitEvery (or
// missing), at most once a minute.
func (p *Processor) RefitDue(ctx context.Context) error {
	for done := false; !done; {
		select {
		case ws := <-p.asked:
			if _, err := p.sc.Refit(ctx, ws); err != nil {
				return fmt.Errorf("refit %s: %w", ws, err)
			}
		default:
			done = true
		}
	}
	now := p.sc.now()
	if now.Sub(p.lastCheck) < refitCheckEvery {
		return nil
	}
	p.lastCheck = now
	wss, err := p.st.Workspaces(ctx)
	if err != nil {
		return err
	}
	for _, w := range wss {
		_, at, err := p.st.ScoreModel(ctx, w.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && now.Sub(at) < p.sc.opts.RefitEvery {
			continue
		}
		if _, err := p.sc.Refit(ctx, w.ID); err != nil {
			return fmt.Errorf("refit %s: %w", w.ID, err)
		}
	}
	return nil
}

// pending is what a batch gathered for one contact.
type pending struct {
	workspaceID, contactID string
	events                 []*store.Event
	orders                 bool
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
	byContact := map[[2]string]*pending{}
	var order [][2]string
	last, n := p.pos, 0
	for i := range evs {
		ev := &evs[i]
		if ev.ID > limit {
			break
		}
		last, n = ev.ID, n+1
		if !relevant(ev.Type) || cdp.IsBot(ev.Context) {
			continue
		}
		contact, err := p.contactOf(ctx, ev)
		if err != nil {
			return 0, fmt.Errorf("scores: event %d: %w", ev.ID, err)
		}
		if contact == "" {
			continue
		}
		k := [2]string{ev.WorkspaceID, contact}
		pe := byContact[k]
		if pe == nil {
			pe = &pending{workspaceID: ev.WorkspaceID, contactID: contact}
			byContact[k] = pe
			order = append(order, k)
		}
		pe.events = append(pe.events, ev)
		if orderEvent(ev.Type) {
			pe.orders = true
		}
	}
	if n == 0 {
		return 0, nil
	}
	// Reads first (params, orders, products), then one write transaction.
	params := map[string]*Params{}
	fitted := map[string]bool{}
	facets := map[[2]string]facet{}
	orderScores := map[[2]string]store.OrderScores{}
	for _, k := range order {
		pe := byContact[k]
		if _, ok := params[pe.workspaceID]; !ok {
			pp, ok, err := p.sc.LoadParams(ctx, pe.workspaceID)
			if err != nil {
				return 0, err
			}
			params[pe.workspaceID], fitted[pe.workspaceID] = &pp, ok
		}
		if pe.orders {
			o, err := p.sc.OrderScores(ctx, pe.workspaceID, pe.contactID, *params[pe.workspaceID], fitted[pe.workspaceID])
			if err != nil {
				return 0, err
			}
			orderScores[k] = o
		}
		for _, ev := range pe.events {
			for _, id := range productIDs(ev) {
				fk := [2]string{pe.workspaceID, id}
				if _, ok := facets[fk]; ok {
					continue
				}
				c, v, price, err := p.st.ProductFacets(ctx, pe.workspaceID, id)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return 0, err
				}
				facets[fk] = facet{c, v, price}
			}
		}
	}
	now := p.sc.now().UTC()
	err = p.st.InReplayableTx(ctx, func(tx *store.Tx) error {
		for _, k := range order {
			pe := byContact[k]
			row, err := tx.ContactScores(pe.workspaceID, pe.contactID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			a := parseActivity(row.Prefs)
			for _, ev := range pe.events {
				p.apply(&a, ev, facets)
			}
			activityRow(&row.ActivityScores, &a, *params[pe.workspaceID], now, p.sc.opts)
			if err := tx.PutActivityScores(pe.workspaceID, pe.contactID, row.ActivityScores, now); err != nil {
				return err
			}
			if o, ok := orderScores[k]; ok {
				if err := tx.PutOrderScores(pe.workspaceID, pe.contactID, o, now); err != nil {
					return err
				}
			}
		}
		return tx.SetCheckpoint(Checkpoint, last)
	})
	if err != nil {
		return 0, fmt.Errorf("scores: events %d to %d: %w", p.pos+1, last, err)
	}
	p.pos = last
	return n, nil
}

type facet struct {
	category, vendor string
	price            int64
}

func relevant(typ string) bool {
	switch typ {
	case evPageView, evProductView, evAddToCart, evEmailClick, evPushClick, evEmailOpen:
		return true
	}
	return orderEvent(typ)
}

// orderEvent: anything that changes what a contact's orders are worth.
func orderEvent(typ string) bool {
	switch typ {
	case cdp.EventOrderPlaced, cdp.EventOrderCancelled, cdp.EventOrderRefunded:
		return true
	}
	return false
}

type eventProps struct {
	Product struct {
		ID         string `json:"id"`
		Category   string `json:"category"`
		PriceMinor int64  `json:"price_minor"`
	} `json:"product"`
	Items   []commerce.LineItem `json:"items"`
	Machine bool                `json:"machine"`
}

func props(ev *store.Event) eventProps {
	var pr eventProps
	_ = json.Unmarshal(ev.Props, &pr) // other shapes carry no product
	return pr
}

func productIDs(ev *store.Event) []string {
	switch ev.Type {
	case evProductView, evAddToCart:
		if id := props(ev).Product.ID; id != "" {
			return []string{id}
		}
	case evOrderPlaced:
		var ids []string
		for _, it := range props(ev).Items {
			if it.ProductID != "" {
				ids = append(ids, it.ProductID)
			}
		}
		return ids
	}
	return nil
}

// apply adds one event to a contact's running state.
func (p *Processor) apply(a *Activity, ev *store.Event, facets map[[2]string]facet) {
	o := p.sc.opts
	pr := props(ev)
	newVisit := ev.SessionID != "" && ev.SessionID != a.Session && ev.Type == evPageView
	if newVisit {
		a.Session = ev.SessionID
	}
	if w := EventWeight(ev.Type, pr.Machine, newVisit); w > 0 {
		a.Engage(w, ev.OccurredAt, o.HalfLife)
	}
	see := func(id, category string, price int64, w float64) {
		f := facets[[2]string{ev.WorkspaceID, id}]
		if category == "" {
			category = f.category
		}
		if price <= 0 {
			price = f.price
		}
		a.Prefer(category, f.vendor, price, w, ev.OccurredAt, o.PrefHalfLife)
	}
	switch ev.Type {
	case evProductView:
		if pr.Product.ID != "" {
			see(pr.Product.ID, pr.Product.Category, pr.Product.PriceMinor, prefView)
		}
	case evAddToCart:
		if pr.Product.ID != "" {
			see(pr.Product.ID, pr.Product.Category, pr.Product.PriceMinor, prefCart)
		}
	case evOrderPlaced:
		for _, it := range pr.Items {
			if it.ProductID != "" {
				see(it.ProductID, "", it.PriceMinor, prefOrder)
			}
		}
	}
}

// contactOf resolves the event's contact as the automation processor does:
// "" for an event that names nobody or whose contact is gone.
func (p *Processor) contactOf(ctx context.Context, ev *store.Event) (string, error) {
	var c store.Contact
	var err error
	switch {
	case ev.ContactID != "":
		c, err = p.st.Contact(ctx, ev.WorkspaceID, ev.ContactID)
	case ev.VisitorID != "":
		c, err = p.st.ContactByIdentity(ctx, ev.WorkspaceID, cdp.KindVisitor, ev.VisitorID)
	default:
		return "", nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return c.ID, err
}
