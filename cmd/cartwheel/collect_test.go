package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

type collectAnswer struct {
	Accepted int `json:"accepted"`
	Rejected []struct {
		Index   int    `json:"index"`
		Message string `json:"message"`
	} `json:"rejected"`
	Error struct{ Code, Message string } `json:"error"`
}

func postCollect(t *testing.T, inst *instance, body []byte, hdr map[string]string) (int, collectAnswer, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", inst.url("/collect"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("User-Agent", browsertest.UserAgent)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a collectAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer is not JSON (%d): %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, a, resp.Header
}

// visitorEvents counts the events the log holds for a visitor.
func visitorEvents(t *testing.T, admin apiClient, visitor string) int {
	t.Helper()
	var v struct {
		Recent []json.RawMessage `json:"recent_events"`
	}
	if code := admin.do("GET", "/api/v1/visitors/"+visitor, nil, &v); code == 404 {
		return 0
	}
	return len(v.Recent)
}

func TestCollectRejectsBadInputClearlyAndKeepsTheRest(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "shop", "allowed_origins": []string{"https://shop.example"}}, &w)
	admin.ws = w.ID
	now := time.Now().UnixMilli()
	batch := func(visitor string, events ...string) []byte {
		return fmt.Appendf(nil, `{"k":%q,"v":%q,"s":"sess1","n":%d,"c":{"tracking":true},"e":[%s]}`, w.SiteKey, visitor, now, strings.Join(events, ","))
	}
	pv := func(id string) string {
		return fmt.Sprintf(`{"t":"page_view","id":%q,"ts":%d,"u":"https://shop.example/","p":{"title":"Home"}}`, id, now)
	}

	// A batch with good and bad events: the bad ones are reported by
	// index, the good ones kept.
	code, a, _ := postCollect(t, inst, batch("visitor-mixed-1",
		pv("e1"),
		`{"t":"Not A Type!","id":"e2","ts":1}`,
		`{"t":"product_view","id":"e3","ts":1,"p":{"dwell_ms":5}}`,
		pv("e4"),
		`"not an object"`,
	), map[string]string{"Origin": "https://shop.example"})
	if code != 200 || a.Accepted != 2 || len(a.Rejected) != 3 {
		t.Fatalf("mixed batch: %d %+v", code, a)
	}
	for i, want := range []int{1, 2, 4} {
		if a.Rejected[i].Index != want || a.Rejected[i].Message == "" {
			t.Errorf("rejected[%d] = %+v, want index %d with a message", i, a.Rejected[i], want)
		}
	}
	if n := visitorEvents(t, admin, "visitor-mixed-1"); n != 2 {
		t.Errorf("%d events stored for the mixed batch, want 2", n)
	}
	// Sent again (a tracker retry), nothing is logged twice.
	postCollect(t, inst, batch("visitor-mixed-1", pv("e1"), pv("e4")), nil)
	if n := visitorEvents(t, admin, "visitor-mixed-1"); n != 2 {
		t.Errorf("%d events after a resend, want 2", n)
	}

	for _, tc := range []struct {
		name string
		body []byte
		hdr  map[string]string
		code int
		err  string
	}{
		{"malformed JSON", []byte(`{"k":`), nil, 400, "bad_request"},
		{"not an object", []byte(`[1,2]`), nil, 400, "bad_request"},
		{"oversized body", append(batch("visitor-big-1", pv("x")), bytes.Repeat([]byte(" "), 70<<10)...), nil, 413, "too_large"},
		{"wrong site key", []byte(strings.Replace(string(batch("visitor-key-1", pv("x"))), w.SiteKey, "pk_doesnotexist00", 1)), nil, 404, "not_found"},
		{"foreign origin", batch("visitor-origin-1", pv("x")), map[string]string{"Origin": "https://evil.example"}, 403, "forbidden"},
	} {
		code, a, _ := postCollect(t, inst, tc.body, tc.hdr)
		if code != tc.code || a.Error.Code != tc.err || a.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, code, a.Error, tc.code, tc.err)
		}
	}
	for _, v := range []string{"visitor-big-1", "visitor-key-1", "visitor-origin-1"} {
		if n := visitorEvents(t, admin, v); n != 0 {
			t.Errorf("%s: %d events stored from a refused batch", v, n)
		}
	}
	// Bots are answered but not stored.
	req, _ := http.NewRequest("POST", inst.url("/collect"), bytes.NewReader(batch("visitor-bot-1", pv("b1"))))
	req.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("bot: %v %v", resp, err)
	}
	if n := visitorEvents(t, admin, "visitor-bot-1"); n != 0 {
		t.Errorf("a bot's events were stored")
	}
}

func TestCollectConsentAndRateLimits(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_COLLECT_VISITOR_RATE": "0.1"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "strict", "require_consent": true}, &w)
	now := time.Now().UnixMilli()
	body := func(visitor, consent, id string) []byte {
		return fmt.Appendf(nil, `{"k":%q,"v":%q,"n":%d,"c":%s,"e":[{"t":"page_view","id":%q,"ts":%d}]}`, w.SiteKey, visitor, now, consent, id, now)
	}
	if code, a, _ := postCollect(t, inst, body("visitor-noconsent", `{}`, "a"), nil); code != 403 || a.Error.Code != "forbidden" {
		t.Errorf("no consent on a consent-required shop: %d %+v", code, a)
	}
	if code, _, _ := postCollect(t, inst, body("visitor-consent", `{"tracking":true}`, "a"), nil); code != 200 {
		t.Errorf("with consent: %d", code)
	}
	// Rate 0.1/s with a burst of 1: the second batch right away is refused.
	code, a, hdr := postCollect(t, inst, body("visitor-consent", `{"tracking":true}`, "b"), nil)
	if code != 429 || a.Error.Code != "rate_limited" || hdr.Get("Retry-After") == "" {
		t.Errorf("over the visitor rate: %d %+v retry-after %q", code, a, hdr.Get("Retry-After"))
	}
}

func TestAPIEvents(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	_, a, _ := newTenant(t, admin, "A", "a-shop.myshopify.com")
	_, b, _ := newTenant(t, admin, "B", "b-shop.myshopify.com")
	var out struct {
		Accepted int `json:"accepted"`
		Errors   []struct {
			Index   int    `json:"index"`
			Message string `json:"message"`
		} `json:"errors"`
		Error struct {
			Details []struct{ Index int } `json:"details"`
		} `json:"error"`
	}
	code := a.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "loyalty_points_earned", "email": "Ann@Example.com", "properties": map[string]any{"points": 50}},
		{"type": "Bad Name", "email": "ann@example.com"},
		{"type": "no_person"},
		{"type": "x", "email": "not-an-email"},
		{"type": "x", "contact_id": "ct_notthereatall0"},
	}}, &out)
	if code != 202 || out.Accepted != 1 || len(out.Errors) != 4 || out.Errors[0].Index != 1 {
		t.Fatalf("mixed API batch: %d %+v", code, out)
	}
	if code := a.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "Bad"}}}, &out); code != 400 || len(out.Error.Details) != 1 {
		t.Errorf("all-invalid batch: %d %+v", code, out)
	}
	// The event identifies Ann in A, and only in A.
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(found.Contacts) == 0 && time.Now().Before(deadline) {
		a.do("GET", "/api/v1/contacts?email=ann@example.com", nil, &found)
		time.Sleep(50 * time.Millisecond)
	}
	if len(found.Contacts) != 1 {
		t.Fatal("contact not created from an API event")
	}
	var other struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	b.do("GET", "/api/v1/contacts?email=ann@example.com", nil, &other)
	if len(other.Contacts) != 0 {
		t.Error("workspace B sees A's contact")
	}
	for _, path := range []string{"/api/v1/contacts/" + found.Contacts[0].ID, "/api/v1/contacts/" + found.Contacts[0].ID + "/timeline"} {
		if code := b.do("GET", path, nil, nil); code != 404 {
			t.Errorf("B: GET %s = %d, want 404", path, code)
		}
	}
	// B cannot send events about A's contact either.
	if code := b.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "x", "contact_id": found.Contacts[0].ID}}}, nil); code != 400 {
		t.Errorf("B posting about A's contact: %d", code)
	}
	var tl struct {
		Events []struct {
			Type  string          `json:"type"`
			Props json.RawMessage `json:"props"`
		} `json:"events"`
	}
	a.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID+"/timeline", nil, &tl)
	if len(tl.Events) != 1 || tl.Events[0].Type != "loyalty_points_earned" || !strings.Contains(string(tl.Events[0].Props), `"points":50`) {
		t.Errorf("timeline %+v", tl.Events)
	}
}
