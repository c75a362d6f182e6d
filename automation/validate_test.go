package automation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// isInvalid reports whether err is marked as the caller's fault, the way
// the server tells a 400 from a 500.
func isInvalid(err error) bool {
	var inv interface{ InvalidInput() }
	return errors.As(err, &inv)
}

const validFlow = `{
	"name": "Abandoned checkout",
	"trigger": {"event": "checkout_updated", "filters": [{"field": "email", "op": "exists"}]},
	"steps": [
		{"id": "wait", "kind": "wait", "wait": {"duration": "1h"}},
		{"id": "vip", "kind": "branch", "branch": {"condition": [{"field": "orders", "op": "gte", "value": 3}], "else": "email"}},
		{"id": "push", "kind": "send_push", "params": {"title": "Your cart"}, "next": "end"},
		{"id": "email", "kind": "send_email", "params": {"template": "cart"}}
	],
	"goal": {"event": "order_placed"},
	"reentry": {"mode": "every_n_days", "days": 7}
}`

func TestDecodeValidFlow(t *testing.T) {
	f, err := DecodeFlow([]byte(validFlow))
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != FlowDraft || len(f.Steps) != 4 || time.Duration(f.Steps[0].Wait.Duration) != time.Hour {
		t.Fatalf("decoded %+v", f)
	}
	// The stored definition reads back the same.
	def, err := f.definition()
	if err != nil {
		t.Fatal(err)
	}
	var back Flow
	if err := decodeDefinition(&back, def); err != nil {
		t.Fatal(err)
	}
	again, _ := back.definition()
	if string(again) != string(def) {
		t.Fatalf("round trip\n%s\n%s", def, again)
	}
}

func TestDurationJSON(t *testing.T) {
	for in, want := range map[string]time.Duration{`"90m"`: 90 * time.Minute, `"5d"`: 5 * 24 * time.Hour, `"1h30m"`: 90 * time.Minute} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v", in, time.Duration(d), err)
		}
	}
	for _, bad := range []string{`"5 days"`, `"-1d"`, `3600`, `"x"`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	b, _ := json.Marshal(Duration(48 * time.Hour))
	if string(b) != `"2d"` {
		t.Errorf("2 days written %s", b)
	}
}

// Every way a flow can be wrong is refused with an error that names the
// field and is marked as the caller's fault.
func TestValidationErrors(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown kind", `"kind": "send_email"`, `"kind": "send_fax"`, `"send_fax" is not a step kind`},
		{"dangling branch", `"else": "email"`, `"else": "nowhere"`, `steps[1].branch.else: no step has id "nowhere"`},
		{"dangling next", `"next": "end"`, `"next": "nowhere"`, `steps[2].next: no step has id "nowhere"`},
		{"cycle", `"next": "end"`, `"next": "wait"`, `leads back to itself`},
		{"unreachable", `"else": "email"`, `"else": "end"`, `no path leads to step "email"`},
		{"unknown field", `"goal":`, `"gaol": {}, "goal":`, `unknown field "gaol"`},
		{"duplicate id", `"id": "push"`, `"id": "wait"`, `"wait" is used by two steps`},
		{"reserved id", `"id": "push"`, `"id": "end"`, `steps[2].id`},
		{"no name", `"name": "Abandoned checkout"`, `"name": ""`, `name: is required`},
		{"bad status", `"name":`, `"status": "running", "name":`, `"running" is not draft`},
		{"bad trigger", `"event": "checkout_updated"`, `"event": "Checkout Updated"`, `trigger.event`},
		{"bad op", `"op": "exists"`, `"op": "like"`, `op "like"`},
		{"gte on bool", `"value": 3`, `"value": true`, `gte compares with a number or a string`},
		{"eq without value", `"op": "exists"`, `"op": "eq"`, `eq needs a value`},
		{"empty wait", `"wait": {"duration": "1h"}`, `"wait": {}`, `needs a duration, an until_hour or both`},
		{"hour 24", `"wait": {"duration": "1h"}`, `"wait": {"until_hour": 24}`, `from 0 to 23`},
		{"bad duration", `"duration": "1h"`, `"duration": "soon"`, `duration "soon"`},
		{"wait without settings", `"kind": "wait", "wait": {"duration": "1h"}`, `"kind": "wait"`, `steps[0].wait: is set for wait steps`},
		{"branch settings on a send", `"kind": "send_push",`, `"kind": "send_push", "branch": {"condition": []},`, `steps[2].branch`},
		{"branch with next", `"else": "email"}`, `"else": "email"}, "next": "email"`, `steps[1].next: a branch goes on`},
		{"empty condition", `[{"field": "orders", "op": "gte", "value": 3}]`, `[]`, `needs at least one filter`},
		{"no steps", `"steps": [`, `"steps": [], "x": [`, `unknown field "x"`},
		{"days without mode", `"mode": "every_n_days", "days": 7`, `"mode": "once", "days": 7`, `only for every_n_days`},
		{"zero days", `"days": 7`, `"days": 0`, `reentry.days`},
		{"bad mode", `"mode": "every_n_days", "days": 7`, `"mode": "sometimes"`, `"sometimes" is not once`},
		{"webhook without url", `"kind": "send_email", "params": {"template": "cart"}`, `"kind": "webhook", "params": {"url": "ftp://x"}`, `http or https URL`},
		{"tag without tag", `"kind": "send_email", "params": {"template": "cart"}`, `"kind": "tag_add"`, `params.tag`},
		{"trailing data", `"days": 7}
}`, `"days": 7}
} {}`, `trailing data`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(validFlow, c.from) {
				t.Fatalf("test case does not apply: %q not in the flow", c.from)
			}
			_, err := DecodeFlow([]byte(strings.Replace(validFlow, c.from, c.to, 1)))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to say %q", err, c.want)
			}
			if !isInvalid(err) {
				t.Fatalf("error %v is not marked as invalid input", err)
			}
		})
	}
	var f Flow
	if err := f.Validate(); err == nil || !isInvalid(err) {
		t.Fatalf("empty flow: %v", err)
	}
	f = Flow{Name: "x", Trigger: Trigger{Event: "page_view"}}
	if err := f.Validate(); err == nil || !strings.Contains(err.Error(), "1 to 100 steps") {
		t.Fatalf("no steps: %v", err)
	}
}

func TestFilters(t *testing.T) {
	var doc any
	_ = json.Unmarshal([]byte(`{"email": "a@b.c", "total": 120.5, "items": [{"sku": "A"}, {"sku": "B"}],
		"tags": ["vip", "eu"], "none": null, "date": "2026-03-01"}`), &doc)
	cases := []struct {
		f    Filter
		want bool
	}{
		{Filter{Field: "email", Op: OpExists}, true},
		{Filter{Field: "phone", Op: OpExists}, false},
		{Filter{Field: "none", Op: OpExists}, false},
		{Filter{Field: "phone", Op: OpExists, Value: false}, true},
		{Filter{Field: "email", Op: OpEq, Value: "a@b.c"}, true},
		{Filter{Field: "total", Op: OpEq, Value: 120.5}, true},
		{Filter{Field: "total", Op: OpGte, Value: 100}, true},
		{Filter{Field: "total", Op: OpLte, Value: 100}, false},
		{Filter{Field: "total", Op: OpGte, Value: "100"}, false},
		{Filter{Field: "date", Op: OpGte, Value: "2026-02-28"}, true},
		{Filter{Field: "items.1.sku", Op: OpEq, Value: "B"}, true},
		{Filter{Field: "items.2.sku", Op: OpExists}, false},
		{Filter{Field: "tags", Op: OpContains, Value: "vip"}, true},
		{Filter{Field: "email", Op: OpContains, Value: "@b."}, true},
		{Filter{Field: "email", Op: OpNeq, Value: "x"}, true},
		{Filter{Field: "missing", Op: OpNeq, Value: "x"}, true},
		{Filter{Field: "email.x", Op: OpExists}, false},
	}
	for _, c := range cases {
		if got := c.f.match(doc); got != c.want {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
	if !matchProps(nil, json.RawMessage(`not json`)) || matchProps([]Filter{cases[0].f}, json.RawMessage(`not json`)) {
		t.Error("no filters match anything; filters never match unreadable props")
	}
}

func TestNextHour(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at   time.Time
		hour int
		want time.Time
	}{
		// 13:00 UTC is 08:00 in New York: 09:00 is the same day.
		{time.Date(2026, 1, 10, 13, 0, 0, 0, time.UTC), 9, time.Date(2026, 1, 10, 14, 0, 0, 0, time.UTC)},
		// 15:00 UTC is 10:00 there: 09:00 is tomorrow.
		{time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC), 9, time.Date(2026, 1, 11, 14, 0, 0, 0, time.UTC)},
		// Exactly 09:00 is now.
		{time.Date(2026, 1, 10, 14, 0, 0, 0, time.UTC), 9, time.Date(2026, 1, 10, 14, 0, 0, 0, time.UTC)},
		// Across the spring DST change (8 March 2026): 09:00 EDT is 13:00 UTC.
		{time.Date(2026, 3, 7, 20, 0, 0, 0, time.UTC), 9, time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := nextHour(c.at, c.hour, ny); !got.Equal(c.want) {
			t.Errorf("nextHour(%v, %d) = %v, want %v", c.at, c.hour, got.UTC(), c.want)
		}
	}
}
