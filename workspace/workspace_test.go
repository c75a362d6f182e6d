package workspace

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

func newService(t *testing.T) *Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.New(make([]byte, 32))
	return New(st, box, log, nil)
}

func ptr[T any](v T) *T { return &v }

func TestSettingsValidation(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	for _, in := range []Settings{
		{},                // no name
		{Name: ptr("  ")}, // blank name
		{Name: ptr("x"), Timezone: ptr("Mars/Olympus")},
		{Name: ptr("x"), Timezone: ptr("Local")}, // the server's zone is not a setting
		{Name: ptr("x"), Currency: ptr("eur")},
		{Name: ptr("x"), Locale: ptr("english")},
		{Name: ptr("x"), AllowedOrigins: &[]string{"shop.example"}},
		{Name: ptr("x"), AllowedOrigins: &[]string{"https://shop.example/path"}},
	} {
		_, err := s.Create(ctx, in)
		var inv *InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%+v: error %v, want an InvalidError", in, err)
		}
	}
	w, err := s.Create(ctx, Settings{Name: ptr(" Acme "), Timezone: ptr("Europe/Warsaw"), Currency: ptr("PLN"),
		Locale: ptr("pl-PL"), AllowedOrigins: &[]string{"https://acme.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "Acme" || w.AllowedOrigins[0] != "https://acme.example" || w.SiteKey == "" {
		t.Errorf("created %+v", w)
	}
	// An update changes only what it names.
	w2, err := s.Update(ctx, w.ID, Settings{RequireConsent: ptr(true)})
	if err != nil || !w2.RequireConsent || w2.Currency != "PLN" || w2.Name != "Acme" {
		t.Errorf("update: %+v %v", w2, err)
	}
}

func TestPrincipalCanAccess(t *testing.T) {
	admin := Principal{Scope: store.ScopeAdmin}
	key := Principal{Scope: store.ScopeWorkspace, WorkspaceID: "ws_a"}
	broken := Principal{Scope: store.ScopeWorkspace}
	for _, tc := range []struct {
		p    Principal
		ws   string
		want bool
	}{
		{admin, "ws_a", true}, {admin, "ws_b", true},
		{key, "ws_a", true}, {key, "ws_b", false}, {key, "", false},
		{broken, "", false}, {Principal{}, "ws_a", false},
	} {
		if got := tc.p.CanAccess(tc.ws); got != tc.want {
			t.Errorf("%+v.CanAccess(%q) = %v", tc.p, tc.ws, got)
		}
	}
}

func TestAdminTokenRotation(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	if _, err := s.BootstrapAdmin(ctx, "short"); err == nil {
		t.Error("a short admin token was accepted")
	}
	for _, tok := range []string{"first-admin-token-123", "second-admin-token-456"} {
		if gen, err := s.BootstrapAdmin(ctx, tok); err != nil || gen != "" {
			t.Fatalf("set %s: %q %v", tok, gen, err)
		}
	}
	if _, err := s.Authenticate(ctx, "first-admin-token-123"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("the replaced token still works: %v", err)
	}
	p, err := s.Authenticate(ctx, "second-admin-token-456")
	if err != nil || !p.IsAdmin() {
		t.Errorf("the new token: %+v %v", p, err)
	}
	// With a configured token present, nothing is generated.
	if gen, _ := s.BootstrapAdmin(ctx, ""); gen != "" {
		t.Error("a token was generated although an admin token exists")
	}
}

func TestConnectShopRules(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	w, _ := s.Create(ctx, Settings{Name: ptr("A")})
	for _, in := range []ShopInput{
		{Platform: "magento", Domain: "x.example"},
		{Platform: "shopify", Domain: "shop.example"}, // not a myshopify.com domain
		{Platform: "custom", Domain: "bad domain/"},
	} {
		var inv *InvalidError
		if _, err := s.ConnectShop(ctx, w.ID, in); !errors.As(err, &inv) {
			t.Errorf("%+v: %v, want an InvalidError", in, err)
		}
	}
	sh, err := s.ConnectShop(ctx, w.ID, ShopInput{Platform: "shopify", Domain: "HTTPS://Acme.myshopify.com/", AccessToken: "shpat_1"})
	if err != nil || sh.Domain != "acme.myshopify.com" {
		t.Fatalf("connect: %+v %v", sh, err)
	}
	if _, err := s.ConnectShop(ctx, w.ID, ShopInput{Platform: "shopify", Domain: "acme.myshopify.com"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second connection of the same shop: %v", err)
	}
	if _, err := s.ConnectShop(ctx, "ws_missing0000", ShopInput{Platform: "custom", Domain: "x.example"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("shop for a missing workspace: %v", err)
	}
}
