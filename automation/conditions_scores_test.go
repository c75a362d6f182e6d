package automation

import (
	"encoding/json"
	"testing"

	"github.com/cartwheelhq/cartwheel/store"
)

// Conditions over the stored scores (the "scores" facts the actions'
// ContactFacts give, as the API's JSON): each row fails when its operator
// or the stored field is broken.
func TestConditionsOnScores(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	cell, tier := "champions", "high"
	pAlive, clv := 0.25, 420.0
	champ := store.OrderScores{RFMCell: &cell, PAlive: &pAlive, CLV: &clv, CLVTier: &tier, OrderCount: 6}
	err := h.st.InTx(h.ctx, func(tx *store.Tx) error {
		if err := tx.PutOrderScores(ws, "ct_champ", champ, t0); err != nil {
			return err
		}
		if err := tx.PutActivityScores(ws, "ct_champ", store.ActivityScores{Engagement: 12.5, EngagementAt: t0,
			TopCats: json.RawMessage(`["Coffee","Tea"]`)}, t0); err != nil {
			return err
		}
		return tx.PutOrderScores(ws, "ct_new", store.OrderScores{OrderCount: 1}, t0)
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := func(contact string) any {
		sc, err := h.st.ContactScores(h.ctx, ws, contact)
		if err != nil {
			t.Fatal(err)
		}
		d, err := normalize(map[string]any{"scores": sc})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	champDoc, newDoc := doc("ct_champ"), doc("ct_new")
	for _, c := range []struct {
		f    Filter
		d    any
		want bool
	}{
		{Filter{Field: "scores.rfm_cell", Op: OpEq, Value: "champions"}, champDoc, true},
		{Filter{Field: "scores.rfm_cell", Op: OpEq, Value: "lost"}, champDoc, false},
		{Filter{Field: "scores.rfm_cell", Op: OpNeq, Value: "lost"}, champDoc, true},
		{Filter{Field: "scores.p_alive", Op: OpLte, Value: 0.3}, champDoc, true},
		{Filter{Field: "scores.p_alive", Op: OpLte, Value: 0.2}, champDoc, false},
		{Filter{Field: "scores.clv", Op: OpGte, Value: 200}, champDoc, true},
		{Filter{Field: "scores.clv", Op: OpGte, Value: 500}, champDoc, false},
		{Filter{Field: "scores.clv_tier", Op: OpEq, Value: "high"}, champDoc, true},
		{Filter{Field: "scores.engagement", Op: OpGte, Value: 10}, champDoc, true},
		{Filter{Field: "scores.top_categories", Op: OpContains, Value: "Coffee"}, champDoc, true},
		{Filter{Field: "scores.top_categories", Op: OpContains, Value: "Wine"}, champDoc, false},
		// No prediction is not a low one: the condition does not hold.
		{Filter{Field: "scores.p_alive", Op: OpLte, Value: 0.3}, newDoc, false},
		{Filter{Field: "scores.p_alive", Op: OpExists, Value: false}, newDoc, true},
		{Filter{Field: "scores.p_alive", Op: OpExists}, champDoc, true},
	} {
		if got := matchAll([]Filter{c.f}, c.d); got != c.want {
			t.Errorf("%s %s %v: %v, want %v", c.f.Field, c.f.Op, c.f.Value, got, c.want)
		}
	}
}
