package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

type eventsAnswer struct {
	Accepted int `json:"accepted"`
	Errors   []struct {
		Index   int    `json:"index"`
		Message string `json:"message"`
	} `json:"errors"`
}

// countEvents counts a workspace's logged events of one type.
func countEvents(t *testing.T, inst *instance, ws, typ string) int {
	t.Helper()
	evs, err := inst.st.EventsAfter(context.Background(), ws, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// A request to /api/v1/events that was committed but whose answer was
// lost is sent again: events carrying an id are stored once (issue 12).
func TestAPIEventsIdempotentOnClientID(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, a, _ := newTenant(t, admin, "A", "a-shop.myshopify.com")
	batch := map[string]any{"events": []map[string]any{
		{"id": "evt-1", "type": "points_earned", "email": "ann@example.com", "properties": map[string]any{"points": 5}},
		{"id": "evt-2", "type": "points_earned", "visitor_id": "v-1"},
		{"id": "evt-2", "type": "points_earned", "visitor_id": "v-1"}, // the same event twice in one request
		{"type": "points_earned", "email": "bob@example.com"},         // no id: every copy is stored
	}}
	for i := range 2 {
		var out eventsAnswer
		if code := a.do("POST", "/api/v1/events", batch, &out); code != 202 || len(out.Errors) != 0 {
			t.Fatalf("attempt %d: %d %+v", i, code, out)
		}
	}
	if n := countEvents(t, inst, w.ID, "points_earned"); n != 4 {
		t.Errorf("%d events after a retried request, want 4 (two ids once each, the id-less one twice)", n)
	}
	var out eventsAnswer
	if code := a.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"id": "has space", "type": "points_earned", "email": "ann@example.com"}}}, &out); code != 400 {
		t.Errorf("bad id: %d", code)
	}
}

// A consent event with a non-boolean channel, and the types only the
// server logs, are refused by index with the reason; the good events of
// the batch are kept (issue 12). /collect refuses server-only names too.
func TestEventsRefuseServerOnlyTypesAndBadConsent(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, a, _ := newTenant(t, admin, "A", "a-shop.myshopify.com")
	var out eventsAnswer
	code := a.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "points_earned", "email": "ann@example.com"},
		{"type": "consent", "email": "ann@example.com", "properties": map[string]any{"email": "yes"}},
		{"type": "order_placed", "email": "ann@example.com", "properties": map[string]any{"total_minor": 100000}},
		{"type": "consent", "email": "ann@example.com", "properties": map[string]any{"channels": map[string]any{"push": 1}}},
		{"type": "email_clicked", "email": "ann@example.com"},
		{"type": "consent", "email": "ann@example.com", "properties": map[string]any{"email": true}},
	}}, &out)
	if code != 202 || out.Accepted != 2 || len(out.Errors) != 4 {
		t.Fatalf("mixed batch: %d %+v", code, out)
	}
	for i, want := range map[int]string{0: "properties.email", 1: "order_placed", 2: "properties.channels.push", 3: "email_clicked"} {
		if e := out.Errors[i]; e.Index != []int{1, 2, 3, 4}[i] || !strings.Contains(e.Message, want) {
			t.Errorf("error %d: %+v, want index %d naming %s", i, e, []int{1, 2, 3, 4}[i], want)
		}
	}
	if countEvents(t, inst, w.ID, "order_placed") != 0 || countEvents(t, inst, w.ID, "consent") != 1 || countEvents(t, inst, w.ID, "points_earned") != 1 {
		t.Errorf("stored events are not the good ones")
	}

	now := time.Now().UnixMilli()
	body := fmt.Appendf(nil, `{"k":%q,"v":"visitor-x","s":"s1","n":%d,"c":{"tracking":true},"e":[
		{"t":"page_view","id":"p1","ts":%d,"u":"https://a-shop.myshopify.com/"},
		{"t":"order_placed","id":"p2","ts":%d,"p":{"total":1}}]}`, w.SiteKey, now, now, now)
	ccode, ans, _ := postCollect(t, inst, body, map[string]string{"Origin": "https://a-shop.myshopify.com"})
	if ccode != 200 || ans.Accepted != 1 || len(ans.Rejected) != 1 || ans.Rejected[0].Index != 1 ||
		!strings.Contains(ans.Rejected[0].Message, "order_placed") {
		t.Fatalf("collect: %d %+v", ccode, ans)
	}
	if countEvents(t, inst, w.ID, "custom") != 0 || countEvents(t, inst, w.ID, "page_view") != 1 {
		t.Errorf("collect stored the forged order")
	}
}
