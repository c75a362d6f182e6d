package demo

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// testShop is a demo shop on a real SQLite file, served over real HTTP.
type testShop struct {
	t    *testing.T
	st   *store.Store
	wsvc *workspace.Service
	site Site
	url  string
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openStore opens and migrates a database file in dir.
func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "cartwheel.db"), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newWorkspaces(t *testing.T, st *store.Store) *workspace.Service {
	box, err := secrets.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return workspace.New(st, box, testLogger(t), nil)
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	st := openStore(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	wsvc := newWorkspaces(t, st)
	// The listener exists before the server starts, so the public URL is
	// known when Ensure and the storefront need it.
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	site, err := Ensure(t.Context(), wsvc, st, publicURL, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = NewStorefront(st, cdp.NewIngest(st, testLogger(t), nil), site, publicURL, testLogger(t))
	srv.Start()
	t.Cleanup(srv.Close)
	return &testShop{t: t, st: st, wsvc: wsvc, site: site, url: publicURL}
}

// shopper is one browser: a cookie jar, and redirects left for the test to
// follow so it can check them.
type shopper struct {
	shop *testShop
	c    *http.Client
}

func (s *testShop) shopper(visitorID string) *shopper {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if visitorID != "" {
		u, _ := url.Parse(s.url)
		// Set by the tracker's script in a real browser, on the whole site.
		jar.SetCookies(u, []*http.Cookie{{Name: tracker.VisitorCookie, Value: visitorID, Path: "/"}})
	}
	return &shopper{shop: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *shopper) do(req *http.Request) response {
	b.shop.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.shop.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.shop.t.Fatal(err)
	}
	return response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), header: res.Header}
}

func (b *shopper) get(path string) response {
	b.shop.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.shop.url+path, nil)
	if err != nil {
		b.shop.t.Fatal(err)
	}
	return b.do(req)
}

func (b *shopper) post(path string, form url.Values) response {
	b.shop.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.shop.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.shop.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow GETs a redirect's target, failing unless r is a 303.
func (b *shopper) follow(r response) response {
	b.shop.t.Helper()
	if r.status != http.StatusSeeOther || r.location == "" {
		b.shop.t.Fatalf("want a 303 redirect, got %d: %.300s", r.status, r.body)
	}
	return b.get(r.location)
}

func (b *shopper) cookie(name string) string {
	u, _ := url.Parse(b.shop.url + "/demo/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *shopper) setCookie(name, value string) {
	u, _ := url.Parse(b.shop.url + "/demo/")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/demo/"}})
}

// events returns the workspace's event log.
func (s *testShop) events() []store.Event {
	s.t.Helper()
	evs, err := s.st.EventsAfter(context.Background(), s.site.Workspace.ID, 0, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	return evs
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%.600s", what, r.status, status, r.body)
	}
}
