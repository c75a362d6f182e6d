package automation

import (
	"fmt"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// With enough repeat purchases (three customers, six repeats, every 14
// days) the reminder follows the learned 14-day cycle, not the shop's
// declared 30; with too few the declared one still rules (see
// TestSweeperFiresOnceAndFlowsAct for the small-sample fallback).
func TestReplenishmentUsesLearnedInterval(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	if err := h.st.CreateWorkspace(h.ctx, store.Workspace{ID: ws, Name: "Test", SiteKey: "sk", Timezone: "UTC",
		Currency: "EUR", Locale: "en", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// a, b: 3 purchases each, 14 days apart, long past due now.
	// c: 3 purchases 14 days apart, the last 12 days ago: due in 2 days
	// on the learned cycle, in 18 on the declared one.
	for _, v := range []string{"a", "b", "c"} {
		h.event(cdp.EventPageView, v, map[string]any{}) // a contact for the visitor
	}
	for i, v := range []string{"a", "b"} {
		for k, ago := range []int{100, 86, 72} {
			h.order(v, fmt.Sprintf("o%d%d", i, k), ago)
		}
	}
	for k, ago := range []int{40, 26, 12} {
		h.order("c", fmt.Sprint("oc", k), ago)
	}
	if err := h.proc.CatchUp(h.ctx); err != nil {
		t.Fatal(err)
	}
	declared := map[string]int{"beans": 30}
	if err := h.st.UpsertProducts(h.ctx, []commerce.Product{{WorkspaceID: ws, ID: "beans", ShopID: "shop", Handle: "beans",
		Title: "Coffee beans", PriceMinor: 1200, Currency: "EUR", Status: "active", ReplenishDays: 30,
		CreatedAt: t0, UpdatedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.st.ReplenishDays(h.ctx, ws); err != nil || got["beans"] != 30 {
		t.Fatalf("declared cycle %v %v", got, err)
	}
	purchases, err := h.st.Purchases(h.ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(purchases) != 9 {
		t.Fatalf("%d purchases", len(purchases))
	}
	rec := &countingRecorder{in: cdp.NewIngest(h.st, h.log, h.clock.Now), seen: map[string][]map[string]any{}}
	sw := NewSweeper(h.st, h.eng, rec, h.log)
	if err := sw.sweepReplenishment(h.ctx, ws, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	got := rec.seen[EventReplenishmentDue]
	if len(got) != 1 || got[0]["cycle_days"] != 14.0 {
		t.Fatalf("replenishment events %v, want one on the learned 14-day cycle", got)
	}

	// The choice itself: learned, else declared, else the few-sample median.
	if d := cycleDays("beans", map[string]int{"beans": 14}, declared, map[string]int{"beans": 13}); d != 14 {
		t.Errorf("learned: %d", d)
	}
	if d := cycleDays("beans", map[string]int{}, declared, map[string]int{"beans": 13}); d != 30 {
		t.Errorf("declared: %d", d)
	}
	if d := cycleDays("beans", nil, nil, map[string]int{"beans": 13}); d != 13 {
		t.Errorf("few-sample: %d", d)
	}
}
