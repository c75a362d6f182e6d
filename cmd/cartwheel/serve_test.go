package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cartwheelhq/cartwheel/config"
)

const testAdminToken = "test-admin-token-0123456789"

// syncBuffer is a concurrency-safe writer for captured output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv configures an instance on a free loopback port and a temp data dir.
func testEnv(t *testing.T, dataDir string, extra map[string]string) config.Config {
	t.Helper()
	env := map[string]string{
		"CARTWHEEL_ADDR":        "127.0.0.1:0",
		"CARTWHEEL_DATA_DIR":    dataDir,
		"CARTWHEEL_ADMIN_TOKEN": testAdminToken,
	}
	for k, v := range extra {
		env[k] = v
	}
	return mustConfig(t, env)
}

func mustConfig(tb testing.TB, env map[string]string) config.Config {
	tb.Helper()
	cfg, err := config.Load("serve", nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// startTest starts a real instance, stopped when the test ends (stop is
// idempotent, so a test may stop it earlier).
func startTest(t *testing.T, cfg config.Config, opts ...startOption) (*instance, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	inst, err := start(context.Background(), cfg, log, out, opts...)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := inst.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return inst, out
}

func (i *instance) url(path string) string { return "http://" + i.ln.Addr().String() + path }

type apiClient struct {
	t     *testing.T
	inst  *instance
	token string
	ws    string
}

// do sends a request and decodes a JSON answer into out (if non-nil),
// returning the status.
func (c apiClient) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.inst.url(path), rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.ws != "" {
		req.Header.Set("X-Cartwheel-Workspace", c.ws)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServerAnswers(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	for path, want := range map[string]string{
		"/healthz": `"ok"`, "/readyz": `"ready"`, "/": `"cartwheel"`,
	} {
		code, body, _ := get(t, inst.url(path))
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
	code, body, hdr := get(t, inst.url("/metrics"))
	if code != 200 || !strings.Contains(body, "cartwheel_http_requests_total") || !strings.Contains(body, "go_goroutines") ||
		!strings.Contains(body, "cartwheel_ingest_queued_events") {
		t.Errorf("metrics: %d %.200s", code, body)
	}
	if !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Errorf("metrics content type %q", hdr.Get("Content-Type"))
	}
	code, body, hdr = get(t, inst.url("/nope"))
	if code != 404 || !strings.Contains(body, `"not_found"`) || hdr.Get("X-Request-Id") == "" {
		t.Errorf("unknown path: %d %q request id %q", code, body, hdr.Get("X-Request-Id"))
	}
}

func TestAdminAPIRequiresToken(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	for _, tok := range []string{"", "wrong-token-wrong-token", "Basic abc"} {
		var e struct {
			Error struct{ Code, Message string }
		}
		code := apiClient{t: t, inst: inst, token: tok}.do("GET", "/api/v1/workspaces", nil, &e)
		if code != 401 || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Errorf("token %q: %d %+v", tok, code, e)
		}
	}
	if code := (apiClient{t: t, inst: inst, token: testAdminToken}).do("GET", "/api/v1/workspaces", nil, nil); code != 200 {
		t.Errorf("admin token: %d", code)
	}
}

func TestBadInputIsAClear4xx(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"name":`, 400},
		{`{"name":"x","bogus":1}`, 400},
		{`{"name":"x","currency":"euro"}`, 400},
		{`{"name":"x","timezone":"Mars/Base"}`, 400},
		{`[]`, 400},
		{``, 400},
	} {
		req, _ := http.NewRequest("POST", inst.url("/api/v1/workspaces"), strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+admin.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !json.Valid(b) || !strings.Contains(string(b), `"message"`) {
			t.Errorf("body %q: %d %s", tc.body, resp.StatusCode, b)
		}
	}
}
