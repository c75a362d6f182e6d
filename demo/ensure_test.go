package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

func productCount(t *testing.T, st *store.Store, ws string) int {
	t.Helper()
	_, n, err := st.Products(context.Background(), ws, store.ProductFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnsureCreatesOnceAndFindsAgainAfterRestart(t *testing.T) {
	ctx, dir := t.Context(), t.TempDir()
	const publicURL = "http://localhost:8080/"

	st := openStore(t, dir)
	first, err := Ensure(ctx, newWorkspaces(t, st), st, publicURL, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ws, sh := first.Workspace, first.Shop
	if ws.Name != WorkspaceName || ws.Currency != "EUR" || ws.Timezone != "Europe/Warsaw" ||
		!slices.Equal(ws.AllowedOrigins, []string{"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"}) {
		t.Errorf("workspace %+v", ws)
	}
	if sh.Platform != "custom" || sh.Domain != "localhost:8080" || sh.WorkspaceID != ws.ID {
		t.Errorf("shop %+v", sh)
	}
	if n := productCount(t, st, ws.ID); n < 200 {
		t.Fatalf("%d products after Ensure, want at least 200", n)
	}
	p, err := st.ProductByHandle(ctx, ws.ID, sh.ID, Catalog(ws.ID, sh.ID, "EUR", publicURL, testNow)[0].Handle)
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "http://localhost:8080/demo/p/"+p.Handle {
		t.Errorf("product url %q", p.URL)
	}

	// Same process, second call.
	again, err := Ensure(ctx, newWorkspaces(t, st), st, publicURL, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if again.Workspace.ID != ws.ID || again.Shop.ID != sh.ID {
		t.Fatalf("second Ensure made %s/%s, want %s/%s", again.Workspace.ID, again.Shop.ID, ws.ID, sh.ID)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart: a new process opens the same file.
	st = openStore(t, dir)
	defer st.Close()
	restarted, err := Ensure(ctx, newWorkspaces(t, st), st, publicURL, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if restarted.Workspace.ID != ws.ID || restarted.Shop.ID != sh.ID {
		t.Fatalf("after restart Ensure made %s/%s, want %s/%s", restarted.Workspace.ID, restarted.Shop.ID, ws.ID, sh.ID)
	}
	all, err := st.Workspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("%d workspaces after three Ensures, want 1", len(all))
	}
	if n := productCount(t, st, ws.ID); n != len(Catalog("", "", "", "", testNow)) {
		t.Errorf("%d products, want the catalogue's %d", n, len(Catalog("", "", "", "", testNow)))
	}
}

func TestEnsureFollowsANewPublicURL(t *testing.T) {
	ctx := t.Context()
	st := openStore(t, t.TempDir())
	defer st.Close()
	wsvc := newWorkspaces(t, st)
	first, err := Ensure(ctx, wsvc, st, "http://localhost:8080", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	moved, err := Ensure(ctx, wsvc, st, "https://demo.example.com", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if moved.Workspace.ID != first.Workspace.ID || moved.Shop.ID != first.Shop.ID {
		t.Fatal("a new public URL made a new workspace or shop")
	}
	if !slices.Contains(moved.Workspace.AllowedOrigins, "https://demo.example.com") {
		t.Errorf("origins %v lack the new public URL", moved.Workspace.AllowedOrigins)
	}
	p, err := st.Product(ctx, first.Workspace.ID, "demo-p-001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.URL, "https://demo.example.com/demo/p/") || !strings.HasPrefix(p.ImageURL, "https://demo.example.com/demo/img/") {
		t.Errorf("product links not moved to the new public URL: %s %s", p.URL, p.ImageURL)
	}
}

func TestEnsureAdoptsItsShopWhenTheSettingIsLost(t *testing.T) {
	ctx := t.Context()
	st := openStore(t, t.TempDir())
	defer st.Close()
	wsvc := newWorkspaces(t, st)
	first, err := Ensure(ctx, wsvc, st, "http://localhost:8080", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, SettingWorkspaceID, "ws_doesnotexist"); err != nil {
		t.Fatal(err)
	}
	again, err := Ensure(ctx, wsvc, st, "http://localhost:8080", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if again.Workspace.ID != first.Workspace.ID {
		t.Fatalf("made workspace %s instead of adopting %s", again.Workspace.ID, first.Workspace.ID)
	}
	if id, _ := st.Setting(ctx, SettingWorkspaceID); id != first.Workspace.ID {
		t.Errorf("setting is %q, want %q", id, first.Workspace.ID)
	}
}

func TestEnsureNeverTakesOverARealShop(t *testing.T) {
	ctx := t.Context()
	st := openStore(t, t.TempDir())
	defer st.Close()
	wsvc := newWorkspaces(t, st)
	name := "Real Shop"
	ws, err := wsvc.Create(ctx, workspace.Settings{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wsvc.ConnectShop(ctx, ws.ID, workspace.ShopInput{Platform: "custom", Domain: "localhost:8080"}); err != nil {
		t.Fatal(err)
	}
	_, err = Ensure(ctx, wsvc, st, "http://localhost:8080", testLogger(t))
	if err == nil || !strings.Contains(err.Error(), ws.ID) {
		t.Fatalf("Ensure over a real shop's host: err %v, want one naming %s", err, ws.ID)
	}
	if n := productCount(t, st, ws.ID); n != 0 {
		t.Errorf("the real shop got %d demo products", n)
	}
}

func TestEnsureRejectsBadPublicURL(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	for _, u := range []string{"", "localhost:8080", "ftp://x.example", "http://"} {
		if _, err := Ensure(t.Context(), newWorkspaces(t, st), st, u, testLogger(t)); err == nil {
			t.Errorf("Ensure(%q) succeeded", u)
		}
	}
	if _, err := st.Setting(t.Context(), SettingWorkspaceID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed Ensure left the setting behind: %v", err)
	}
}

func TestLoopbackAliases(t *testing.T) {
	for origin, want := range map[string][]string{
		"http://localhost:8080":   {"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"},
		"http://127.0.0.1:9000":   {"http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"},
		"http://[::1]":            {"http://[::1]", "http://localhost", "http://127.0.0.1"},
		"https://shop.example":    {"https://shop.example"},
		"http://localhost.evil:1": {"http://localhost.evil:1"},
	} {
		if got := loopbackAliases(origin); !slices.Equal(got, want) {
			t.Errorf("loopbackAliases(%q) = %v, want %v", origin, got, want)
		}
	}
}
