package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// bigEventsBatch is a request whose events need fresh database pages.
func bigEventsBatch(prefix string, n int) map[string]any {
	pad := strings.Repeat("x", 4000)
	evs := make([]map[string]any, n)
	for i := range evs {
		evs[i] = map[string]any{"id": fmt.Sprintf("%s-%d", prefix, i), "type": "note_taken", "visitor_id": "v-full",
			"properties": map[string]any{"pad": pad}}
	}
	return map[string]any{"events": evs}
}

// rawPost posts JSON with a bearer token and returns status and headers.
func rawPost(t *testing.T, url, token string, body any) (int, http.Header) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// A full disk (a real SQLITE_FULL: the writer connection's max_page_count
// capped at the file's size) through real HTTP: writes answer 503 with
// Retry-After, reads keep working, /readyz is not ready, the condition is
// logged once rather than per request, and everything comes back by
// itself once there is room (issue 12).
func TestDiskFullAnswers503AndRecovers(t *testing.T) {
	inst, logs := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, api, _ := newTenant(t, admin, "Full", "full-shop.myshopify.com")
	if code := api.do("POST", "/api/v1/events", bigEventsBatch("warm", 5), nil); code != 202 {
		t.Fatalf("before: %d", code)
	}
	ctx := context.Background()
	if _, err := inst.st.LimitPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	before := len(logs.String())

	const attempts = 30
	for i := range attempts {
		code, hdr := rawPost(t, inst.url("/api/v1/events"), api.token, bigEventsBatch(fmt.Sprint("full", i), 50))
		if code != 503 || hdr.Get("Retry-After") == "" {
			t.Fatalf("write %d on a full disk: %d, Retry-After %q", i, code, hdr.Get("Retry-After"))
		}
	}
	// The tracker's batch too: 503 with Retry-After, so it keeps the events.
	now := time.Now().UnixMilli()
	var evs []string
	for i := range 40 {
		evs = append(evs, fmt.Sprintf(`{"t":"page_view","id":"p%d","ts":%d,"u":"https://full-shop.myshopify.com/","p":{"title":%q}}`,
			i, now, strings.Repeat("t", 900)))
	}
	code, _, hdr := postCollect(t, inst, fmt.Appendf(nil, `{"k":%q,"v":"v-full","s":"s","n":%d,"c":{"tracking":true},"e":[%s]}`,
		w.SiteKey, now, strings.Join(evs, ",")), map[string]string{"Origin": "https://full-shop.myshopify.com"})
	if code != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("/collect on a full disk: %d, Retry-After %q", code, hdr.Get("Retry-After"))
	}
	if code, _, _ := get(t, inst.url("/readyz")); code != 503 {
		t.Errorf("/readyz while writes fail: %d", code)
	}
	if code, _, _ := get(t, inst.url("/healthz")); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	var contacts map[string]any
	if code := api.do("GET", "/api/v1/contacts?email=ann@example.com", nil, &contacts); code != 200 {
		t.Errorf("a read while the disk is full: %d", code)
	}
	// What an operator sees: the lines at warn and above.
	var loud []string
	for _, l := range strings.Split(logs.String()[before:], "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			loud = append(loud, l)
		}
	}
	during := strings.Join(loud, "\n")
	if n := strings.Count(during, "database cannot be written"); n != 1 {
		t.Errorf("%d 'cannot be written' lines for %d failed writes, want 1:\n%s", n, attempts, during)
	}
	if n := strings.Count(during, "request failed") + strings.Count(during, "event log write failed") +
		strings.Count(during, "status=503") + strings.Count(during, "answered 503"); n > 1 {
		t.Errorf("%d per-request lines:\n%s", n, during)
	}

	// Room again: the background probe brings readiness back, and writes
	// are taken.
	if err := inst.st.UnlimitPages(ctx); err != nil {
		t.Fatal(err)
	}
	waitReady(t, inst)
	if code := api.do("POST", "/api/v1/events", bigEventsBatch("after", 50), nil); code != 202 {
		t.Errorf("after recovery: %d", code)
	}
	if n := strings.Count(logs.String()[before:], "database writable again"); n != 1 {
		t.Errorf("%d recovery lines", n)
	}
}

// waitReady waits up to 10 s for /readyz to answer 200.
func waitReady(t *testing.T, inst *instance) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, _ := get(t, inst.url("/readyz"))
		if code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after the disk has room", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
