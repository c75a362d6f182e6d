// Package personalization decides what a shop's page shows a visitor now —
// pop-ups, recommendation frames, the inbox, the push prompt — from state
// kept in memory by a processor reading the event log, so that /decide
// never waits for a table scan (see docs/widgets.md).
package personalization

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// Recommender is what the Decider needs of the recommendation engine
// (reco.Engine); one serves one workspace.
type Recommender interface {
	UpsertProduct(reco.Product)
	RemoveProduct(id string)
	Observe(reco.Interaction)
	Merge(from, into string)
	Recommend(reco.Request) []reco.Result
}

// EventSink appends events to the log (cdp.Writer).
type EventSink interface {
	Append(ctx context.Context, evs []store.Event) error
}

// ErrNoDiscounts is what a Discounts returns when the workspace has no
// shop able to make codes (a custom or demo shop).
var ErrNoDiscounts = errors.New("no shop can create discount codes")

// Discounts creates a unique discount code in the workspace's shop. code
// is the code to create: asking twice for one code must return it again.
// CanCreateDiscount reports whether the workspace has a shop able to make
// codes at all: a pop-up that promises one is refused activation without.
type Discounts interface {
	CreateDiscount(ctx context.Context, workspaceID string, d widgets.Discount, code, email string) (string, error)
	CanCreateDiscount(ctx context.Context, workspaceID string) (bool, error)
}

// Options configure a Decider.
type Options struct {
	Store  *store.Store
	Events EventSink
	// Discounts may be nil: no codes are revealed.
	Discounts Discounts
	// NewRecommender makes one workspace's engine (reco.New).
	NewRecommender func() Recommender
	// MaxVisitors bounds the visitors kept in memory (default 500,000,
	// about 150 MB); the least recently seen are evicted past it.
	MaxVisitors int
	// CodeKey keys the discount codes derived per widget and visitor, so
	// that nobody can compute another visitor's code.
	CodeKey []byte
	// UnreadTTL is how long an inbox unread count is trusted before it is
	// read again (default 1 minute): inbox items log no event, so the
	// count is read from the messages table.
	UnreadTTL time.Duration
	Log       *slog.Logger
	Now       func() time.Time
}

// Decider holds the in-memory state decisions are made from. It is safe
// for concurrent use.
type Decider struct {
	o   Options
	st  *store.Store
	vs  *visitors
	now func() time.Time

	mu  sync.Mutex
	wss map[string]*wsState

	push pushTopics
}

// New returns a Decider; state is loaded lazily per workspace and visitor.
func New(o Options) *Decider {
	if o.MaxVisitors == 0 {
		o.MaxVisitors = 500_000
	}
	if o.UnreadTTL == 0 {
		o.UnreadTTL = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.NewRecommender == nil {
		o.NewRecommender = func() Recommender { return nopRecommender{} }
	}
	return &Decider{o: o, st: o.Store, vs: newVisitors(o.MaxVisitors), now: o.Now, wss: map[string]*wsState{}}
}

// wsState is one workspace's widgets, catalogue and recommendation engine.
type wsState struct {
	id   string
	reco Recommender

	mu      sync.RWMutex
	widgets []*widget // active, in creation order
	known   map[string]bool
	catalog map[string]*item
}

// widget is an active widget, parsed.
type widget struct {
	id  string
	def widgets.Definition
}

// item is a catalogue product as frames render it.
type item struct {
	id, title, url, image, price, category string
	priceMinor                             int64
	inStock                                bool
}

func (w *wsState) item(id string) *item {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.catalog[id]
}

// workspace returns a workspace's state, loading it on first use.
func (d *Decider) workspace(ctx context.Context, ws string) (*wsState, error) {
	d.mu.Lock()
	w := d.wss[ws]
	d.mu.Unlock()
	if w != nil {
		return w, nil
	}
	w = &wsState{id: ws, reco: d.o.NewRecommender(), catalog: map[string]*item{}}
	if err := d.loadWidgets(ctx, w); err != nil {
		return nil, err
	}
	after := ""
	for {
		page, err := d.st.CatalogPage(ctx, ws, after, 2000)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			w.setProduct(c)
		}
		if len(page) < 2000 {
			break
		}
		after = page[len(page)-1].ID
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev := d.wss[ws]; prev != nil {
		return prev, nil
	}
	d.wss[ws] = w
	return w, nil
}

// setProduct puts a catalogue row into the view and the engine.
func (w *wsState) setProduct(c store.CatalogItem) {
	in := c.Status == "active" && c.Stock > 0
	if c.Status != "active" {
		w.mu.Lock()
		delete(w.catalog, c.ID)
		w.mu.Unlock()
		w.reco.RemoveProduct(c.ID)
		return
	}
	it := &item{id: c.ID, title: c.Title, url: c.URL, image: c.ImageURL, category: c.Category, priceMinor: c.PriceMinor,
		price: commerce.FormatMoney(c.PriceMinor, c.Currency), inStock: in}
	w.mu.Lock()
	w.catalog[c.ID] = it
	w.mu.Unlock()
	w.reco.UpsertProduct(reco.Product{ID: c.ID, Category: c.Category, PriceMinor: c.PriceMinor, InStock: in, CreatedAt: c.CreatedAt})
}

func (d *Decider) loadWidgets(ctx context.Context, w *wsState) error {
	rows, err := d.st.Widgets(ctx, w.id)
	if err != nil {
		return err
	}
	var active []*widget
	known := map[string]bool{}
	for _, r := range rows {
		known[r.ID] = true
		if r.Status != widgets.StatusActive {
			continue
		}
		var def widgets.Definition
		if err := json.Unmarshal(r.Definition, &def); err != nil {
			d.o.Log.Warn("widget skipped: bad definition", "workspace", w.id, "widget", r.ID, "err", err)
			continue
		}
		active = append(active, &widget{id: r.ID, def: def})
	}
	w.mu.Lock()
	w.widgets, w.known = active, known
	w.mu.Unlock()
	return nil
}

// reloadWidgets refreshes a loaded workspace's widgets after an admin
// change; a workspace not loaded yet loads them on first use anyway.
func (d *Decider) reloadWidgets(ctx context.Context, ws string) error {
	d.mu.Lock()
	w := d.wss[ws]
	d.mu.Unlock()
	if w == nil {
		return nil
	}
	return d.loadWidgets(ctx, w)
}

// CreateWidget validates and stores a widget; template names the ready-made
// widget it comes from ("" for none).
func (d *Decider) CreateWidget(ctx context.Context, ws string, def widgets.Definition, template string) (store.Widget, error) {
	if err := def.Validate(); err != nil {
		return store.Widget{}, err
	}
	if err := d.canKeepPromise(ctx, ws, &def); err != nil {
		return store.Widget{}, err
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return store.Widget{}, err
	}
	now := d.now().UTC()
	sw := store.Widget{WorkspaceID: ws, ID: ids.New("wdg"), Name: def.Name, Kind: def.Kind, Status: def.Status,
		Definition: raw, Template: template, CreatedAt: now, UpdatedAt: now}
	if err := d.st.CreateWidget(ctx, sw); err != nil {
		return store.Widget{}, err
	}
	return sw, d.reloadWidgets(ctx, ws)
}

// UpdateWidget replaces a widget's definition.
func (d *Decider) UpdateWidget(ctx context.Context, ws, id string, def widgets.Definition) (store.Widget, error) {
	if err := def.Validate(); err != nil {
		return store.Widget{}, err
	}
	if err := d.canKeepPromise(ctx, ws, &def); err != nil {
		return store.Widget{}, err
	}
	sw, err := d.st.Widget(ctx, ws, id)
	if err != nil {
		return sw, err
	}
	if sw.Kind != def.Kind {
		return sw, &widgets.InvalidError{Field: "kind", Reason: "a widget's kind cannot change"}
	}
	if sw.Definition, err = json.Marshal(def); err != nil {
		return sw, err
	}
	sw.Name, sw.Status, sw.UpdatedAt = def.Name, def.Status, d.now().UTC()
	if err := d.st.UpdateWidget(ctx, sw); err != nil {
		return sw, err
	}
	return sw, d.reloadWidgets(ctx, ws)
}

// CanMakeCodes reports whether the workspace has a shop that can make the
// discount codes a pop-up promises.
func (d *Decider) CanMakeCodes(ctx context.Context, ws string) (bool, error) {
	if d.o.Discounts == nil {
		return false, nil
	}
	return d.o.Discounts.CanCreateDiscount(ctx, ws)
}

// canKeepPromise refuses to make active a pop-up that promises a discount
// code (a discount, or "{code}" in its success text) in a workspace with
// no shop that can make one: the visitor would give an address for
// nothing. A draft or paused one may be kept, for when a shop is connected.
func (d *Decider) canKeepPromise(ctx context.Context, ws string, def *widgets.Definition) error {
	if def.Status != widgets.StatusActive || !widgets.PromisesCode(def) {
		return nil
	}
	ok, err := d.CanMakeCodes(ctx, ws)
	if err != nil || ok {
		return err
	}
	return &widgets.InvalidError{Field: "discount", Reason: "this pop-up promises a discount code, and no shop of this workspace " +
		"can make one (connect a Shopify or WooCommerce shop, or remove the discount and the {code} from its texts)"}
}

// SetStatus activates or pauses a widget.
func (d *Decider) SetStatus(ctx context.Context, ws, id, status string) (store.Widget, error) {
	sw, err := d.st.Widget(ctx, ws, id)
	if err != nil {
		return sw, err
	}
	var def widgets.Definition
	if err := json.Unmarshal(sw.Definition, &def); err != nil {
		return sw, fmt.Errorf("widget %s: %w", id, err)
	}
	def.Status = status
	return d.UpdateWidget(ctx, ws, id, def)
}

// Stat is a variant's totals with its conversion rate (conversions per
// impression).
type Stat struct {
	store.WidgetStat
	ConversionRate float64 `json:"conversion_rate"`
}

// Stats totals a widget's statistics per variant over the last days days
// (0: all time).
func (d *Decider) Stats(ctx context.Context, ws, id string, days int) ([]Stat, error) {
	if _, err := d.st.Widget(ctx, ws, id); err != nil {
		return nil, err
	}
	var since int64
	if days > 0 {
		since = dayOf(d.now().UnixMilli()) - int64(days) + 1
	}
	rows, err := d.st.WidgetStats(ctx, ws, id, since)
	if err != nil {
		return nil, err
	}
	out := make([]Stat, 0, len(rows))
	for _, r := range rows {
		s := Stat{WidgetStat: r}
		if r.Impressions > 0 {
			s.ConversionRate = float64(r.Conversions) / float64(r.Impressions)
		}
		out = append(out, s)
	}
	return out, nil
}

// dayOf is the day number (days since 1970-01-01 UTC) of a Unix ms time.
func dayOf(msec int64) int64 { return msec / (24 * 3600 * 1000) }

// Recommend asks the workspace's engine, the one behind the site's frames,
// loading the workspace on first use. Flows' emails and pushes call it
// (automation/actions.Recommender), so that a message recommends as the
// site does; Person is a contact id, as the engine knows identified and
// anonymous visitors by their contact.
func (d *Decider) Recommend(ctx context.Context, ws string, r reco.Request) ([]reco.Result, error) {
	w, err := d.workspace(ctx, ws)
	if err != nil {
		return nil, err
	}
	return w.reco.Recommend(r), nil
}

// nopRecommender recommends nothing: frames fall back to what the
// Decider knows itself (recently viewed, wishlist).
type nopRecommender struct{}

func (nopRecommender) UpsertProduct(reco.Product)           {}
func (nopRecommender) RemoveProduct(string)                 {}
func (nopRecommender) Observe(reco.Interaction)             {}
func (nopRecommender) Merge(string, string)                 {}
func (nopRecommender) Recommend(reco.Request) []reco.Result { return nil }
