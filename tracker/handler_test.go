package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

type sinkStub struct {
	mu   sync.Mutex
	got  []Collected
	fail error
}

func (s *sinkStub) collect(_ context.Context, c Collected) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, c)
	return nil
}

func postCollect(t *testing.T, url, ua, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Origin", "https://shop.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, m
}

func TestCollectHandler(t *testing.T) {
	sink := &sinkStub{}
	h := NewCollectHandler(sink.collect)
	srv := httptest.NewServer(h)
	defer srv.Close()
	good := string(batchJSON(ev("page_view", `{}`), ev("bad type!", `{}`)))

	status, hdr, body := postCollect(t, srv.URL, browserUA, good)
	if status != 200 || body["accepted"] != float64(1) || len(body["rejected"].([]any)) != 1 {
		t.Errorf("mixed batch: %d %v, want 200 with one accepted and one rejected", status, body)
	}
	if hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("no CORS header: the tracker's fetch would fail and retry forever")
	}
	if len(sink.got) != 1 {
		t.Fatalf("sink called %d times", len(sink.got))
	}
	c := sink.got[0]
	if c.Batch.SiteKey != "site_1" || c.Client.Browser != "Chrome" || c.IP != "127.0.0.1" || c.Origin != "https://shop.example" || c.UserAgent != browserUA {
		t.Errorf("collected %+v", c)
	}

	// Bots: valid, answered as accepted, never stored.
	status, _, body = postCollect(t, srv.URL, "curl/8.5.0", good)
	if status != 200 || body["ignored"] != "bot" || len(sink.got) != 1 {
		t.Errorf("bot batch: %d %v, sink calls %d", status, body, len(sink.got))
	}

	for name, tc := range map[string]struct {
		body string
		fail error
		want int
	}{
		"not json":     {"hello", nil, 400},
		"no site key":  {`{"v":"v1","e":[]}`, nil, 400},
		"too large":    {`{"k":"a","v":"v1","p":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413},
		"unknown site": {good, ErrUnknownSite, 404},
		"wrong origin": {good, ErrForbidden, 403},
		"no consent":   {good, fmt.Errorf("%w: this shop requires tracking consent", ErrForbidden), 403},
		"rate limited": {good, ErrRateLimited, 429},
		"busy":         {good, fmt.Errorf("%w: writer overloaded", ErrBusy), 503},
		"store down":   {good, errors.New("database is locked"), 500},
	} {
		t.Run(name, func(t *testing.T) {
			sink.mu.Lock()
			sink.fail = tc.fail
			sink.mu.Unlock()
			status, hdr, body := postCollect(t, srv.URL, browserUA, tc.body)
			e, _ := body["error"].(map[string]any)
			if status != tc.want || e["code"] == nil || e["message"] == "" {
				t.Fatalf("status %d body %v, want %d with an error code and message", status, body, tc.want)
			}
			if msg := e["message"].(string); strings.Contains(msg, "database") || strings.Contains(msg, "overloaded") {
				t.Errorf("internal error leaked: %v", msg)
			}
			if tc.fail != nil && errors.Is(tc.fail, ErrForbidden) && tc.fail != ErrForbidden && !strings.Contains(e["message"].(string), "requires tracking consent") {
				t.Errorf("the sink's reason for a 403 is not shown: %v", e["message"])
			}
			if hdr.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("no CORS header on a %d", status)
			}
		})
	}
}

func TestCollectHandlerMethods(t *testing.T) {
	srv := httptest.NewServer(NewCollectHandler(nil))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL, nil)
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Errorf("GET: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
