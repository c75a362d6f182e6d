package personalization

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const wsA = "ws_a"

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// env is a Decider on a real SQLite store with the profile processor and
// this package's processor, on a clock the test moves.
type env struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	prof *cdp.Processor
	d    *Decider
	p    *Processor
	mu   sync.Mutex
	now  time.Time
	disc *fakeDiscounts
}

// storeSink appends events straight to the log (cdp.Writer's job in
// production).
type storeSink struct{ st *store.Store }

func (s storeSink) Append(ctx context.Context, evs []store.Event) error {
	return s.st.AppendEvents(ctx, evs)
}

type fakeDiscounts struct {
	mu    sync.Mutex
	codes []string
	none  bool
}

func (f *fakeDiscounts) CanCreateDiscount(context.Context, string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.none, nil
}

func (f *fakeDiscounts) CreateDiscount(_ context.Context, _ string, _ widgets.Discount, code, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.none {
		return "", ErrNoDiscounts
	}
	f.codes = append(f.codes, code)
	return code, nil
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, ctx: ctx, st: st, now: t0, disc: &fakeDiscounts{}}
	e.prof = cdp.NewProcessor(st, quiet, e.clock)
	e.d = e.decider()
	e.p = NewProcessor(e.d)
	return e
}

// decider makes a Decider over the env's store, as a restart would.
func (e *env) decider() *Decider {
	return New(Options{Store: e.st, Events: storeSink{e.st}, Discounts: e.disc, CodeKey: []byte("k"), Log: quiet, Now: e.clock,
		NewRecommender: func() Recommender { return reco.New(reco.Options{}) }})
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// products stores n products p1…pn in two categories, in stock.
func (e *env) products(n int) {
	var ps []commerce.Product
	for i := 1; i <= n; i++ {
		ps = append(ps, commerce.Product{WorkspaceID: wsA, ID: fmt.Sprintf("p%d", i), ShopID: "sh", Handle: fmt.Sprintf("p%d", i),
			Title: fmt.Sprintf("Product %d", i), Category: []string{"Coffee", "Tea"}[i%2], PriceMinor: int64(1000 + i),
			Currency: "EUR", Stock: 10, Status: "active", URL: fmt.Sprintf("/products/p%d", i), ImageURL: "/img.png",
			CreatedAt: t0, UpdatedAt: t0})
	}
	if err := e.st.UpsertProducts(e.ctx, ps); err != nil {
		e.t.Fatal(err)
	}
}

// log appends events and runs both processors over them.
func (e *env) log(evs ...store.Event) {
	e.t.Helper()
	if err := e.st.AppendEvents(e.ctx, evs); err != nil {
		e.t.Fatal(err)
	}
	e.process()
}

func (e *env) process() {
	e.t.Helper()
	if err := e.prof.CatchUp(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.p.CatchUp(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) ev(typ, visitor, session, props string) store.Event {
	if props == "" {
		props = "{}"
	}
	now := e.clock()
	return store.Event{WorkspaceID: wsA, Type: typ, Source: "tracker", VisitorID: visitor, SessionID: session,
		OccurredAt: now, ReceivedAt: now, Props: json.RawMessage(props), Context: json.RawMessage("{}")}
}

func (e *env) view(visitor, session, product string) store.Event {
	return e.ev("product_view", visitor, session, fmt.Sprintf(`{"product":{"id":%q,"category":"Coffee"}}`, product))
}

func (e *env) order(visitor string, total int64) store.Event {
	ev := e.ev("order_placed", visitor, "", fmt.Sprintf(`{"order_id":"o-%s-%d","currency":"EUR","total_minor":%d,"items":[{"product_id":"p1","quantity":1,"price_minor":%d}]}`,
		visitor, e.clock().UnixNano(), total, total))
	ev.Source = "shopify"
	return ev
}

// widget creates an active widget from a template (or a definition).
func (e *env) template(name string) string {
	e.t.Helper()
	tp, ok := widgets.TemplateByName(name)
	if !ok {
		e.t.Fatalf("no template %s", name)
	}
	tp.Definition.Status = widgets.StatusActive
	return e.create(tp.Definition)
}

func (e *env) create(def widgets.Definition) string {
	e.t.Helper()
	w, err := e.d.CreateWidget(e.ctx, wsA, def, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return w.ID
}

func (e *env) decide(r DecideRequest) (Decision, Explanation) {
	e.t.Helper()
	r.WorkspaceID = wsA
	if r.URL == "" {
		r.URL = "https://shop.example/"
	}
	d, ex, err := e.d.Explain(e.ctx, r)
	if err != nil {
		e.t.Fatal(err)
	}
	// The public path decides the same, without the reasons.
	if plain, err := e.d.Decide(e.ctx, r); err != nil || !reflect.DeepEqual(plain, d) {
		e.t.Fatalf("Decide = %+v, %v; Explain decided %+v", plain, err, d)
	}
	return d, ex
}

func popupIDs(d Decision) []string {
	var out []string
	for _, p := range d.Popups {
		out = append(out, p.ID)
	}
	return out
}

func reasonOf(ex Explanation, widget string) Reason {
	for _, r := range ex.Widgets {
		if r.Widget == widget {
			return r
		}
	}
	return Reason{}
}
