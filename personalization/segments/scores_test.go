package segments

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// A score condition reads what the scores processor stored: a champion
// with a known next order date is in "rfm_cell eq champions" and in
// "next_order_at before a later instant", a contact never scored is in
// neither.
func TestStoredScoresFeedScoreConditions(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ws := store.Workspace{ID: "ws_scores", Name: "Scores", SiteKey: "sk_scores", Timezone: "UTC", Currency: "EUR"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	cell, next := "champions", now.Add(10*24*time.Hour)
	r := 5
	if err := st.PutOrderScores(ctx, ws.ID, []store.ScoredContact{{ContactID: "c_champ",
		OrderScores: store.OrderScores{RFMR: &r, RFMCell: &cell, OrderCount: 6, NextOrderAt: &next}}}, now); err != nil {
		t.Fatal(err)
	}
	src := StoredScores{Store: st}
	for _, c := range []struct {
		def     string
		contact string
		want    bool
	}{
		{`{"score": {"field": "rfm_cell", "op": "eq", "value": "champions"}}`, "c_champ", true},
		{`{"score": {"field": "rfm_r", "op": "gte", "value": 4}}`, "c_champ", true},
		{`{"score": {"field": "rfm_cell", "op": "eq", "value": "lost"}}`, "c_champ", false},
		{`{"score": {"field": "next_order_at", "op": "lte", "value": ` + strconv.FormatInt(now.Add(11*24*time.Hour).UnixMilli(), 10) + `}}`, "c_champ", true},
		{`{"score": {"field": "next_order_at", "op": "lte", "value": ` + strconv.FormatInt(now.Add(9*24*time.Hour).UnixMilli(), 10) + `}}`, "c_champ", false},
		{`{"score": {"field": "rfm_cell", "op": "eq", "value": "champions"}}`, "c_never", false},
	} {
		n, err := Parse([]byte(c.def))
		if err != nil {
			t.Fatalf("%s: %v", c.def, err)
		}
		sc, err := src.ContactScores(ctx, ws.ID, c.contact)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Eval(&Facts{Doc: map[string]any{}, Scores: sc}, now).In; got != c.want {
			t.Errorf("%s for %s: in = %v, want %v (scores %v)", c.def, c.contact, got, c.want, sc)
		}
	}
}
