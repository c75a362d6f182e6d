package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/store"
)

// The demo storefront through the real server: the Fiber mount, the root
// redirect and the tracker script, which the demo package's own tests
// (plain net/http) cannot see.
func TestDemoThroughServer(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	key := inst.demo.Workspace.SiteKey
	ps, _, err := inst.st.Products(context.Background(), inst.demo.Workspace.ID, store.ProductFilter{Limit: 1})
	if err != nil || len(ps) == 0 {
		t.Fatalf("demo catalogue: %v", err)
	}
	cats, _ := inst.st.Categories(context.Background(), inst.demo.Workspace.ID)
	if len(cats) < 8 {
		t.Fatalf("%d categories", len(cats))
	}
	total := 0
	for _, c := range cats {
		total += c.Count
	}
	if total < 200 {
		t.Fatalf("%d products", total)
	}
	for _, path := range []string{"/", "/demo", "/demo/", "/demo/p/" + ps[0].Handle, "/demo/search?q=coffee", "/demo/cart", "/demo/checkout"} {
		code, body, _ := get(t, inst.url(path))
		if code != 200 {
			t.Errorf("GET %s = %d", path, code)
			continue
		}
		if !strings.Contains(body, `data-site-key="`+key+`"`) || !strings.Contains(body, `/t.js"`) {
			t.Errorf("GET %s: no tracker tag with the demo site key", path)
		}
	}
	// The tag's script is really served.
	resp, err := http.Get(inst.url("/t.js"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") || resp.Header.Get("ETag") == "" {
		t.Errorf("/t.js: %d %q etag %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("ETag"))
	}
	// A second start does not create a second demo workspace.
	inst.stop()
	inst2, _ := startTest(t, inst.cfg)
	if inst2.demo.Workspace.ID != inst.demo.Workspace.ID {
		t.Errorf("demo workspace changed on restart: %s → %s", inst.demo.Workspace.ID, inst2.demo.Workspace.ID)
	}
	ws, _ := inst2.ws.List(context.Background())
	if len(ws) != 1 {
		t.Errorf("%d workspaces after a restart with --demo", len(ws))
	}
}
