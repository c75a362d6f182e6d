package scores

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/personalization/predict"
	"github.com/cartwheelhq/cartwheel/store"
)

const ws = "ws_scores"

// shop is a real SQLite store with the real ingest and profile processor.
type shop struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	in   *cdp.Ingest
	prof *cdp.Processor
	now  time.Time
}

func newShop(t *testing.T, now time.Time) *shop {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cw.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWorkspace(ctx, store.Workspace{ID: ws, Name: "Scores", SiteKey: "sk", Timezone: "UTC",
		Currency: "EUR", Locale: "en", AllowedOrigins: []string{}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	return &shop{t: t, ctx: ctx, st: st, in: cdp.NewIngest(st, log, clock), prof: cdp.NewProcessor(st, log, clock), now: now}
}

// event logs a tracker event of a visitor.
func (s *shop) event(typ, visitor, session string, at time.Time, props map[string]any) {
	s.t.Helper()
	raw, _ := json.Marshal(props)
	if err := s.st.AppendEvents(s.ctx, []store.Event{{WorkspaceID: ws, Type: typ, Source: "test", VisitorID: visitor,
		SessionID: session, OccurredAt: at, ReceivedAt: at, Props: raw}}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *shop) order(visitor, id string, at time.Time, value float64) {
	s.t.Helper()
	if err := s.in.RecordOrder(s.ctx, commerce.Order{WorkspaceID: ws, ShopID: "shop", ID: id, ExternalID: id,
		VisitorID: visitor, Currency: "EUR", TotalMinor: int64(value * 100), PlacedAt: at, UpdatedAt: at,
		Items: []commerce.LineItem{{ProductID: "beans", Title: "Beans", Quantity: 1, PriceMinor: int64(value * 100)}}},
		"test"); err != nil {
		s.t.Fatal(err)
	}
}

func (s *shop) contactOf(visitor string) string {
	s.t.Helper()
	c, err := s.st.ContactByIdentity(s.ctx, ws, cdp.KindVisitor, visitor)
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID
}

// The scheduled refit (RefitDue) fits the workspace's models on a
// simulated history, stores its parameters, and gives every buyer an RFM
// cell and a prediction with its confidence; it does not run again until
// RefitEvery has passed. The processor then keeps engagement from the log.
func TestRefitJobRunsAndScores(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newShop(t, now)
	sim := predict.Simulation{Customers: 160, BGNBD: predict.BGNBD{R: 1.2, Alpha: 30, A: 0.5, B: 3},
		Value: predict.GammaGamma{P: 6, Q: 4, Gamma: 15}, Start: predict.DayOf(now) - 400, Days: 300, Horizon: 99, Seed: 3}
	n := 0
	for i, c := range predict.Simulate(sim) {
		v := fmt.Sprint("v", i)
		s.event(cdp.EventPageView, v, "s0", now.Add(-500*24*time.Hour), nil)
		for k, o := range c.Orders {
			if at := predict.DayTime(o.Day).Add(10 * time.Hour); at.Before(now) {
				s.order(v, fmt.Sprintf("o%d-%d", i, k), at, o.Value)
				n++
			}
		}
	}
	if err := s.prof.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	clock := now
	sc := NewScorer(s.st, slog.New(slog.DiscardHandler), Options{}, func() time.Time { return clock })
	p := NewProcessor(s.st, sc, slog.New(slog.DiscardHandler))
	if err := p.RefitDue(s.ctx); err != nil { // the first check waits a minute after start
		t.Fatal(err)
	}
	if _, _, err := s.st.ScoreModel(s.ctx, ws); err == nil {
		t.Fatal("refitted at start")
	}
	clock = now.Add(time.Minute)
	now = clock
	if err := p.RefitDue(s.ctx); err != nil {
		t.Fatal(err)
	}
	params, ok, err := sc.LoadParams(s.ctx, ws)
	if err != nil || !ok || params.Model == nil {
		t.Fatalf("stored fit %+v %v %v", params, ok, err)
	}
	cells, err := s.st.RFMCells(s.ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range cells {
		total += c
	}
	if total != 160 || len(cells) < 5 {
		t.Fatalf("cells %v (total %d, want 160 buyers)", cells, total)
	}
	sc0, err := s.st.ContactScores(s.ctx, ws, s.contactOf("v0"))
	if err != nil || sc0.RFMCell == nil || sc0.ExpectedOrders90 == nil || sc0.Confidence == nil || sc0.CLV == nil {
		t.Fatalf("v0 scores %+v %v", sc0, err)
	}

	// Not due again within RefitEvery: the stored fit stays.
	clock = now.Add(2 * time.Hour)
	p.lastCheck = time.Time{}
	if err := p.RefitDue(s.ctx); err != nil {
		t.Fatal(err)
	}
	if _, at, _ := s.st.ScoreModel(s.ctx, ws); !at.Equal(now) {
		t.Fatalf("refitted after 2 hours (at %v)", at)
	}
	clock = now.Add(25 * time.Hour)
	p.lastCheck = time.Time{}
	if err := p.RefitDue(s.ctx); err != nil {
		t.Fatal(err)
	}
	if _, at, _ := s.st.ScoreModel(s.ctx, ws); !at.Equal(clock) {
		t.Fatalf("not refitted after 25 hours (at %v)", at)
	}

	// Engagement from the log: two visits and a click; a machine-flagged
	// open adds nothing. The replay of the whole log counts the orders too.
	v := "v0"
	s.event(cdp.EventPageView, v, "s1", clock, nil)
	s.event(cdp.EventPageView, v, "s1", clock, nil)
	s.event(cdp.EventPageView, v, "s2", clock, nil)
	s.event(evEmailOpen, v, "", clock, map[string]any{"machine": true})
	if err := s.prof.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := s.st.ContactScores(s.ctx, ws, s.contactOf(v))
	s.event(evEmailOpen, v, "", clock, map[string]any{"machine": true})
	if err := s.prof.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := s.st.ContactScores(s.ctx, ws, s.contactOf(v))
	if after.Engagement != before.Engagement || before.Engagement < 2*WeightVisit {
		t.Fatalf("engagement %v then %v after a machine open", before.Engagement, after.Engagement)
	}
}
