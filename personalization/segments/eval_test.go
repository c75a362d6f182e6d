package segments

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func doc(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func ago(d time.Duration) string { return now.Add(-d).Format(time.RFC3339Nano) }

// TestConditions evaluates definitions against a table of profiles. Every
// operator has a row on each side of its boundary, so an operator that is
// broken (inverted, off by one, ignoring its argument) fails a row.
func TestConditions(t *testing.T) {
	alice := `{"profile":{"visits":4,"orders":0,"tags":["vip","staff"],"device":{"kind":"mobile"},
		"last_order_at":"` + ago(60*day) + `","first_seen":"` + ago(400*day) + `",
		"categories":{"Shoes":{"views":5,"dwell_ms":0}},"revenue_minor":{"EUR":60000}},
		"contact":{"email":"a@example.com","locale":"pl","country":"PL"},"consents":{"email":true,"push":false},
		"cart_value_minor":2500,"interests":["Shoes"],"bought_categories":["Tea"],"first_order_at":"` + ago(300*day) + `"}`
	shoe := func(d time.Duration) Occurrence {
		return Occurrence{At: now.Add(-d), Props: map[string]any{"product": map[string]any{"category": "Shoes"}}}
	}
	events := map[string][]Occurrence{
		"product_view": {shoe(20 * day), shoe(13 * day), shoe(2 * day), shoe(time.Hour),
			{At: now.Add(-time.Hour), Props: map[string]any{"product": map[string]any{"category": "Hats"}}}},
		"email_opened": {{At: now.Add(-10 * day), Props: map[string]any{"machine": true}}},
		"add_to_cart":  {{At: now.Add(-3 * day)}},
	}
	f := &Facts{Doc: doc(t, alice), Events: events, Scores: map[string]any{"rfm_cell": "champions", "churn_risk": 0.2}}
	rows := []struct {
		name, def string
		want      bool
	}{
		{"gte at the bound", `{"field":"profile.visits","op":"gte","value":4}`, true},
		{"gte above", `{"field":"profile.visits","op":"gte","value":5}`, false},
		{"lte at the bound", `{"field":"profile.visits","op":"lte","value":4}`, true},
		{"lte below", `{"field":"profile.visits","op":"lte","value":3}`, false},
		{"eq", `{"field":"profile.orders","op":"eq","value":0}`, true},
		{"eq other", `{"field":"profile.orders","op":"eq","value":1}`, false},
		{"neq", `{"field":"contact.locale","op":"neq","value":"en"}`, true},
		{"neq same", `{"field":"contact.locale","op":"neq","value":"pl"}`, false},
		{"exists", `{"field":"profile.device.kind","op":"exists"}`, true},
		{"exists missing", `{"field":"profile.device.os","op":"exists"}`, false},
		{"exists false on missing", `{"field":"profile.device.os","op":"exists","value":false}`, true},
		{"contains tag", `{"field":"profile.tags","op":"contains","value":"staff"}`, true},
		{"contains no tag", `{"field":"profile.tags","op":"contains","value":"press"}`, false},
		{"device", `{"field":"profile.device.kind","op":"eq","value":"mobile"}`, true},
		{"country", `{"field":"contact.country","op":"eq","value":"DE"}`, false},
		{"consent", `{"field":"consents.email","op":"eq","value":true}`, true},
		{"push consent", `{"field":"consents.push","op":"eq","value":true}`, false},
		{"cart value", `{"field":"cart_value_minor","op":"gte","value":2500}`, true},
		{"cart value above", `{"field":"cart_value_minor","op":"gte","value":2501}`, false},
		{"interest", `{"field":"interests","op":"contains","value":"Shoes"}`, true},
		{"category bought", `{"field":"bought_categories","op":"contains","value":"Shoes"}`, false},
		{"revenue", `{"field":"profile.revenue_minor.EUR","op":"gte","value":50000}`, true},
		{"since gte at the bound", `{"since":{"field":"profile.last_order_at","op":"gte","days":60}}`, true},
		{"since gte before", `{"since":{"field":"profile.last_order_at","op":"gte","days":61}}`, false},
		{"since lt", `{"since":{"field":"profile.last_order_at","op":"lt","days":61}}`, true},
		{"since lt at the bound", `{"since":{"field":"profile.last_order_at","op":"lt","days":60}}`, false},
		{"since missing field", `{"since":{"field":"profile.nothing","op":"lt","days":60}}`, false},
		{"first order date", `{"since":{"field":"first_order_at","op":"gte","days":300}}`, true},
		{"viewed Shoes 3 times in 14 days", `{"event":{"type":"product_view","where":[{"field":"product.category","op":"eq","value":"Shoes"}],"within_days":14,"op":"gte","count":3}}`, true},
		{"viewed Shoes 4 times in 14 days", `{"event":{"type":"product_view","where":[{"field":"product.category","op":"eq","value":"Shoes"}],"within_days":14,"op":"gte","count":4}}`, false},
		{"viewed Shoes 4 times in 21 days", `{"event":{"type":"product_view","where":[{"field":"product.category","op":"eq","value":"Shoes"}],"within_days":21,"op":"gte","count":4}}`, true},
		{"window edge: 13 days is inside 14", `{"event":{"type":"product_view","within_days":13,"op":"lte","count":3}}`, true},
		{"no order in 7 days", `{"event":{"type":"order_placed","within_days":7,"op":"lte","count":0}}`, true},
		{"carted in 7 days", `{"event":{"type":"add_to_cart","within_days":7,"op":"lte","count":0}}`, false},
		{"machine opens are not opens", `{"event":{"type":"email_opened","within_days":90,"op":"lte","count":0}}`, true},
		{"score", `{"score":{"field":"rfm_cell","op":"eq","value":"champions"}}`, true},
		{"score number", `{"score":{"field":"churn_risk","op":"gte","value":0.5}}`, false},
		{"and", `{"and":[{"field":"profile.visits","op":"gte","value":4},{"field":"profile.orders","op":"eq","value":0}]}`, true},
		{"and one false", `{"and":[{"field":"profile.visits","op":"gte","value":4},{"field":"profile.orders","op":"eq","value":1}]}`, false},
		{"or", `{"or":[{"field":"profile.visits","op":"gte","value":9},{"field":"profile.orders","op":"eq","value":0}]}`, true},
		{"or none", `{"or":[{"field":"profile.visits","op":"gte","value":9},{"field":"profile.orders","op":"eq","value":1}]}`, false},
		{"not", `{"not":{"field":"profile.tags","op":"contains","value":"staff"}}`, false},
	}
	for _, r := range rows {
		n, err := Parse([]byte(r.def))
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if got := n.Eval(f, now).In; got != r.want {
			t.Errorf("%s: %s gave %v, want %v", r.name, r.def, got, r.want)
		}
	}
}

// TestNextChange checks the re-check times: when a since condition and a
// window condition can next flip.
func TestNextChange(t *testing.T) {
	f := &Facts{Doc: doc(t, `{"profile":{"last_order_at":"`+ago(50*day)+`"}}`),
		Events: map[string][]Occurrence{"add_to_cart": {{At: now.Add(-5 * day)}, {At: now.Add(-2 * day)}}}}
	n, _ := Parse([]byte(`{"since":{"field":"profile.last_order_at","op":"gte","days":60}}`))
	if r := n.Eval(f, now); r.In || !r.Next.Equal(now.Add(10*day)) {
		t.Errorf("since: %+v, want out until %v", r, now.Add(10*day))
	}
	n, _ = Parse([]byte(`{"event":{"type":"add_to_cart","within_days":7,"op":"gte","count":1}}`))
	if r := n.Eval(f, now); !r.In || !r.Next.Equal(now.Add(2*day)) {
		t.Errorf("window: %+v, want in, re-check at %v", r, now.Add(2*day))
	}
	// An and that is false because of a condition that never changes by
	// itself needs no re-check.
	n, _ = Parse([]byte(`{"and":[{"field":"profile.orders","op":"gte","value":1},{"since":{"field":"profile.last_order_at","op":"gte","days":60}}]}`))
	if r := n.Eval(f, now); r.In || !r.Next.IsZero() {
		t.Errorf("and: %+v, want out with no re-check", r)
	}
}

// TestValidate checks that a bad node is named by its path.
func TestValidate(t *testing.T) {
	for def, path := range map[string]string{
		`{}`: "definition",
		`{"and":[{"field":"profile.visits","op":"gte","value":1},{"event":{"type":"page_view","within_days":0,"op":"gte","count":1}}]}`: "and[1].event.within_days",
		`{"or":[{"not":{"field":"x","op":"bigger","value":1}}]}`:                                                                        "or[0].not.field",
		`{"field":"x","op":"eq","value":1,"since":{"field":"y","op":"gte","days":1}}`:                                                   "definition",
		`{"since":{"field":"profile.last_order_at","op":"gt","days":1}}`:                                                                "since.op",
		`{"score":{"field":"shoe_size","op":"eq","value":1}}`:                                                                           "score.field",
		`{"event":{"type":"Page View","within_days":1,"op":"gte","count":1}}`:                                                           "event.type",
		`{"event":{"type":"page_view","within_days":1,"op":"gte","count":0}}`:                                                           "event.count",
		`{"and":[]}`:     "and",
		`{"fields":"x"}`: "definition",
	} {
		_, err := Parse([]byte(def))
		var inv *InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%s: %v, want an InvalidError", def, err)
			continue
		}
		if inv.Path != path {
			t.Errorf("%s: path %q (%v), want %q", def, inv.Path, err, path)
		}
	}
	for _, rm := range ReadyMades() {
		if _, err := Parse(rm.Definition); err != nil {
			t.Errorf("ready-made %s: %v", rm.Key, err)
		}
	}
}

// FuzzParse checks that no definition panics the parser or evaluation.
func FuzzParse(f *testing.F) {
	for _, rm := range ReadyMades() {
		f.Add(string(rm.Definition))
	}
	f.Add(`{"not":{"not":{"field":"a","op":"exists"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse([]byte(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "segment: ") {
				t.Fatalf("error without the segment prefix: %v", err)
			}
			return
		}
		n.Eval(&Facts{Doc: map[string]any{}}, now)
	})
}
