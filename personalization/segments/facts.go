package segments

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// FactsSource gives the document flow conditions test for a contact
// (automation/actions.Channels.ContactFacts): segments test the same
// document, so a field means the same thing in a flow and a segment.
type FactsSource interface {
	ContactFacts(ctx context.Context, workspaceID, contactID string) (map[string]any, error)
}

// ScoresSource gives a contact's stored scores and predictions by field
// (ScoreFields), nil when it has none. Optional: without it, score
// conditions see no scores.
type ScoresSource interface {
	ContactScores(ctx context.Context, workspaceID, contactID string) (map[string]any, error)
}

// maxEventsPerType bounds the events of one type read for one contact: a
// window condition's counts above it are not needed (count is at most 1000).
const maxEventsPerType = 1001

// loader builds Facts for the segments of one workspace.
type loader struct {
	st     *store.Store
	facts  FactsSource
	scores ScoresSource
}

// need is what a workspace's segments read beyond the facts document.
type need struct {
	window map[string]int // event type → longest window in days
	scores bool
}

func needOf(segs []compiled) need {
	n := need{window: map[string]int{}}
	for _, s := range segs {
		s.def.windows(n.window)
		n.scores = n.scores || s.def.usesScores()
	}
	return n
}

// windows records the longest window per event type.
func (n *Node) windows(into map[string]int) {
	for i := range n.And {
		n.And[i].windows(into)
	}
	for i := range n.Or {
		n.Or[i].windows(into)
	}
	if n.Not != nil {
		n.Not.windows(into)
	}
	if n.Event != nil && n.Event.WithinDays > into[n.Event.Type] {
		into[n.Event.Type] = n.Event.WithinDays
	}
}

// load reads one contact's facts; found is false for a contact that no
// longer exists (erased, or merged into another).
func (l *loader) load(ctx context.Context, ws, contact string, nd need, now time.Time) (f *Facts, found bool, err error) {
	c, err := l.st.Contact(ctx, ws, contact)
	if err != nil {
		if err == store.ErrNotFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	if c.ID != contact {
		return nil, false, nil // merged: its survivor is evaluated on its own
	}
	raw, err := l.facts.ContactFacts(ctx, ws, contact)
	if err != nil {
		return nil, false, fmt.Errorf("facts of %s: %w", contact, err)
	}
	doc, err := normalize(raw)
	if err != nil {
		return nil, false, fmt.Errorf("facts of %s: %w", contact, err)
	}
	f = &Facts{Doc: doc, Events: map[string][]Occurrence{}}
	if err := l.derive(ctx, ws, contact, doc); err != nil {
		return nil, false, err
	}
	for typ, days := range nd.window {
		evs, err := l.st.ContactEventsOfTypeSince(ctx, ws, contact, typ, now.Add(-time.Duration(days)*day), 0, maxEventsPerType)
		if err != nil {
			return nil, false, err
		}
		occ := make([]Occurrence, 0, len(evs))
		for _, e := range evs {
			var p any
			_ = json.Unmarshal(e.Props, &p)
			occ = append(occ, Occurrence{At: e.OccurredAt, Props: p})
		}
		f.Events[typ] = occ
	}
	if nd.scores && l.scores != nil {
		if f.Scores, err = l.scores.ContactScores(ctx, ws, contact); err != nil {
			return nil, false, fmt.Errorf("scores of %s: %w", contact, err)
		}
		if f.Scores != nil {
			s, err := normalize(f.Scores)
			if err != nil {
				return nil, false, err
			}
			f.Scores, _ = s.(map[string]any)
		}
	}
	return f, true, nil
}

func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// derive adds the fields segments need that the facts document holds
// only in parts (docs/segments.md): cart_value_minor, revenue_minor_total
// (every currency added up: meant for shops selling in one), interests,
// bought_categories, first_order_at.
func (l *loader) derive(ctx context.Context, ws, contact string, doc any) error {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	prof, _ := m["profile"].(map[string]any)
	m["cart_value_minor"] = cartValue(prof)
	var total float64
	rev, _ := prof["revenue_minor"].(map[string]any)
	for _, v := range rev {
		x, _ := v.(float64)
		total += x
	}
	m["revenue_minor_total"] = total
	m["interests"] = interests(prof, 5)
	m["bought_categories"] = boughtCategories(prof)
	if orders, _ := prof["orders"].(float64); orders > 0 {
		evs, err := l.st.ContactEventsOfTypeSince(ctx, ws, contact, "order_placed", time.UnixMilli(0), 0, 1)
		if err != nil {
			return err
		}
		if len(evs) > 0 {
			m["first_order_at"] = evs[0].OccurredAt.UTC().Format(time.RFC3339Nano)
		}
	}
	return nil
}

func cartValue(prof map[string]any) float64 {
	lines, _ := prof["last_cart"].([]any)
	var sum float64
	for _, l := range lines {
		lm, _ := l.(map[string]any)
		p, _ := lm["price_minor"].(float64)
		q, _ := lm["quantity"].(float64)
		sum += p * q
	}
	return sum
}

// interests ranks categories as cdp.Profile.Interests does: a view counts
// one, each minute of visible dwell one more.
func interests(prof map[string]any, n int) []any {
	cats, _ := prof["categories"].(map[string]any)
	type ranked struct {
		name  string
		score float64
	}
	var rs []ranked
	for name, v := range cats {
		cm, _ := v.(map[string]any)
		views, _ := cm["views"].(float64)
		dwell, _ := cm["dwell_ms"].(float64)
		rs = append(rs, ranked{name, views + dwell/60000})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].score != rs[j].score {
			return rs[i].score > rs[j].score
		}
		return rs[i].name < rs[j].name
	})
	out := []any{}
	for i := 0; i < len(rs) && i < n; i++ {
		out = append(out, rs[i].name)
	}
	return out
}

func boughtCategories(prof map[string]any) []any {
	ps, _ := prof["products"].(map[string]any)
	seen := map[string]bool{}
	for _, v := range ps {
		pm, _ := v.(map[string]any)
		bought, _ := pm["bought"].(float64)
		cat, _ := pm["category"].(string)
		if bought > 0 && cat != "" {
			seen[cat] = true
		}
	}
	out := make([]any, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].(string) < out[j].(string) })
	return out
}
