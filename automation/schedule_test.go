package automation

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// countingRecorder logs through the real ingest and counts what it logged.
type countingRecorder struct {
	in   *cdp.Ingest
	mu   sync.Mutex
	seen map[string][]map[string]any
}

func (r *countingRecorder) RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, at time.Time, props any) error {
	r.mu.Lock()
	b, _ := json.Marshal(props)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	r.seen[typ] = append(r.seen[typ], m)
	r.mu.Unlock()
	return r.in.RecordFor(ctx, workspaceID, contactID, typ, source, at, props)
}

// order records an order of product "beans" by a visitor, days ago.
func (h *harness) order(visitor, id string, daysAgo int) {
	h.t.Helper()
	in := cdp.NewIngest(h.st, h.log, h.clock.Now)
	at := h.clock.Now().Add(-time.Duration(daysAgo) * 24 * time.Hour)
	if err := in.RecordOrder(h.ctx, commerce.Order{WorkspaceID: ws, ShopID: "shop", ID: id, ExternalID: id,
		Email: visitor + "@example.com", VisitorID: visitor, Currency: "EUR", TotalMinor: 1200, PlacedAt: at,
		Items: []commerce.LineItem{{ProductID: "beans", Title: "Coffee beans", Quantity: 1, PriceMinor: 1200}}},
		"test"); err != nil {
		h.t.Fatal(err)
	}
}

// The sweeper fires birthday, inactive, replenishment_due and
// browse_abandoned once each, however often it runs, and the ready-made
// flows on them act. The backfilled orders it learns from are too old to
// trigger the cross-sell.
func TestSweeperFiresOnceAndFlowsAct(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	if err := h.st.CreateWorkspace(h.ctx, store.Workspace{ID: ws, Name: "Test", SiteKey: "sk", Timezone: "Europe/Berlin",
		Currency: "EUR", Locale: "en", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, name := range []string{"birthday", "winback", "replenishment", "browse_abandonment", "cross_sell"} {
		f, err := h.eng.EnableTemplate(h.ctx, ws, name)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = f.ID
	}

	// The browser looked at a lamp for 200 s three hours before the sweep.
	h.event(cdp.EventProductView, "browser", map[string]any{"product": map[string]any{"id": "lamp", "title": "Lamp"},
		"dwell_ms": 200000})
	// And at a chair twice, but carted it.
	h.event(cdp.EventProductView, "browser", map[string]any{"product": map[string]any{"id": "chair"}})
	h.event(cdp.EventAddToCart, "browser", map[string]any{"product_id": "chair"})
	h.clock.Add(3 * time.Hour)

	// Beans every 30 days: regular buys at -87, -57 and -27 days (due in
	// 3 days), once bought at -80 and -50 (long past due). Lapsed last
	// ordered 200 days ago.
	h.order("regular", "o1", 87)
	h.order("regular", "o2", 57)
	h.order("regular", "o3", 27)
	h.order("once", "o4", 80)
	h.order("once", "o5", 50)
	h.order("lapsed", "o6", 200)
	// Born on this day (13:00 in Berlin on 2 March), in the contact's attributes.
	h.event(cdp.EventPageView, "bday", map[string]any{})
	err := h.st.InTx(h.ctx, func(tx *store.Tx) error {
		c, err := tx.Contact(ws, h.contactOf("bday"))
		if err != nil {
			return err
		}
		c.Attributes = json.RawMessage(`{"birthday":"1990-03-02"}`)
		return tx.UpdateContact(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.proc.CatchUp(h.ctx); err != nil {
		t.Fatal(err)
	}

	rec := &countingRecorder{in: cdp.NewIngest(h.st, h.log, h.clock.Now), seen: map[string][]map[string]any{}}
	sw := NewSweeper(h.st, h.eng, rec, h.log)
	for range 2 {
		if err := sw.SweepOnce(h.ctx); err != nil {
			t.Fatal(err)
		}
	}
	for typ, n := range map[string]int{EventBirthday: 1, EventInactive: 1, EventReplenishmentDue: 1, EventBrowseAbandoned: 1} {
		if got := len(rec.seen[typ]); got != n {
			t.Fatalf("%d %s events, want %d: %v", got, typ, n, rec.seen)
		}
	}
	if p := rec.seen[EventReplenishmentDue][0]; p["product_id"] != "beans" || p["cycle_days"] != 30.0 {
		t.Fatalf("replenishment props %v", p)
	}
	if p := rec.seen[EventInactive][0]; p["days_since_order"] != 200.0 || p["lapse"] != "order" {
		t.Fatalf("inactive props %v", p)
	}
	if p := rec.seen[EventBrowseAbandoned][0]; p["product_id"] != "lamp" {
		t.Fatalf("browse props %v", p)
	}
	if p := rec.seen[EventBirthday][0]; p["date"] != "2026-03-02" {
		t.Fatalf("birthday props %v", p)
	}

	h.logEvent(cdp.EventPageView, "nobody", map[string]any{}) // moves the profile checkpoint past the fires
	if err := h.proc.CatchUp(h.ctx); err != nil {
		t.Fatal(err)
	}
	h.waitActed("bday", "discount", "email", "inbox")
	h.waitActed("lapsed", "discount", "email")
	h.waitActed("regular", "email", "push")
	h.waitActed("browser", "email", "push")
	if ens := h.enrollments(ids["cross_sell"]); len(ens) != 0 {
		t.Fatalf("old orders enrolled %d in the cross-sell", len(ens))
	}
}

func TestBirthdayToday(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		attr, today string
		want        bool
	}{
		{`{"birthday":"1990-03-02"}`, "2026-03-02", true},
		{`{"birthday":"03-02"}`, "2026-03-02", true},
		{`{"birthday":"03-02"}`, "2026-03-03", false},
		{`{"birthday":"2000-02-29"}`, "2027-02-28", true},
		{`{"birthday":"2000-02-29"}`, "2028-02-28", false},
		{`{"birthday":"2000-02-29"}`, "2028-02-29", true},
		{`{"birthday":"soon"}`, "2026-03-02", false},
		{`{}`, "2026-03-02", false},
	} {
		if _, got := birthdayToday(json.RawMessage(c.attr), day(c.today)); got != c.want {
			t.Errorf("%s on %s: %v", c.attr, c.today, got)
		}
	}
}
