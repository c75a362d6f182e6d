package accounts

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

func newService(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cw.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return New(st, log), st
}

func TestPasswordHashVerifies(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(h, pw); ok != want || err != nil {
			t.Errorf("verify %q = %v, %v", pw, ok, err)
		}
	}
	if ok, err := VerifyPassword("$2a$10$bcryptstyle", "x"); ok || err == nil {
		t.Error("a foreign hash verified")
	}
}

func TestSetupLinkWorksOnceAndOnlyTheLatest(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	old, err := s.SetupLink(ctx)
	if err != nil || old == "" {
		t.Fatalf("setup link: %q %v", old, err)
	}
	tok, _ := s.SetupLink(ctx) // a restart prints a new one
	if _, _, err := s.CompleteSetup(ctx, old, "owner@shop.example", "Olga", "long enough password"); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("the previous start's link still works: %v", err)
	}
	var fe FieldError
	if _, _, err := s.CompleteSetup(ctx, tok, "owner@shop.example", "Olga", "short"); !errors.As(err, &fe) || fe.Field != "password" {
		t.Errorf("short password: %v", err)
	}
	sess, u, err := s.CompleteSetup(ctx, tok, " Owner@Shop.example ", "Olga", "long enough password")
	if err != nil || sess == "" || !u.InstanceAdmin || u.Email != "owner@shop.example" {
		t.Fatalf("setup: %q %+v %v", sess, u, err)
	}
	if _, _, err := s.CompleteSetup(ctx, tok, "evil@x.example", "", "long enough password"); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("setup link used twice: %v", err)
	}
	if l, _ := s.SetupLink(ctx); l != "" {
		t.Error("a set-up link is offered once the instance has a user")
	}
	got, _, err := s.Session(ctx, sess)
	if err != nil || got.ID != u.ID {
		t.Errorf("session: %+v %v", got, err)
	}
	if role, _ := s.Role(ctx, u, "ws_any"); role != RoleOwner {
		t.Errorf("instance owner's role = %q", role)
	}
}

func TestSignInThrottledAndLockedOut(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	tok, _ := s.SetupLink(ctx)
	if _, _, err := s.CompleteSetup(ctx, tok, "owner@shop.example", "", "long enough password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SignIn(ctx, "nobody@shop.example", "whatever password", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown email: %v", err)
	}
	for i := 0; i < 4; i++ {
		if _, _, err := s.SignIn(ctx, "owner@shop.example", "wrong password!", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	var locked LockedError
	if _, _, err := s.SignIn(ctx, "owner@shop.example", "wrong password!", "1.2.3.4"); !errors.As(err, &locked) {
		t.Fatalf("fifth failure not locked: %v", err)
	}
	// Locked even with the right password, from another address.
	if _, _, err := s.SignIn(ctx, "OWNER@shop.example", "long enough password", "5.6.7.8"); !errors.As(err, &locked) {
		t.Errorf("right password during lock-out: %v", err)
	}
	now = now.Add(16 * time.Minute)
	if sess, _, err := s.SignIn(ctx, "owner@shop.example", "long enough password", "5.6.7.8"); err != nil || sess == "" {
		t.Errorf("after the lock-out: %v", err)
	}
	// Sessions expire.
	sess, _, _ := s.SignIn(ctx, "owner@shop.example", "long enough password", "5.6.7.8")
	now = now.Add(SessionLifetime + time.Minute)
	if _, _, err := s.Session(ctx, sess); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
}

func TestInvitationAndResetLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	tok, _ := s.SetupLink(ctx)
	_, owner, err := s.CompleteSetup(ctx, tok, "owner@shop.example", "", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invite(ctx, owner, "ws_a", "viewer@shop.example", "admin"); err == nil {
		t.Error("invented role accepted")
	}
	inv, err := s.Invite(ctx, owner, "ws_a", "Viewer@shop.example", RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	sess, v, err := s.AcceptInvite(ctx, inv, "Vera", "viewer's password")
	if err != nil || sess == "" {
		t.Fatalf("accept: %v", err)
	}
	if r, _ := s.Role(ctx, v, "ws_a"); r != RoleViewer || CanEdit(r) {
		t.Errorf("invited role %q", r)
	}
	if r, _ := s.Role(ctx, v, "ws_b"); r != "" {
		t.Errorf("role in a workspace not invited to: %q", r)
	}
	if _, _, err := s.AcceptInvite(ctx, inv, "Vera", "viewer's password"); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("invitation used twice: %v", err)
	}

	if _, _, ok, err := s.ResetLink(ctx, "nobody@shop.example"); ok || err != nil {
		t.Errorf("reset for an unknown email: %v %v", ok, err)
	}
	rst, _, ok, err := s.ResetLink(ctx, "viewer@shop.example")
	if !ok || err != nil {
		t.Fatal(err)
	}
	newSess, _, err := s.ResetPassword(ctx, rst, "a brand new password")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, sess); !errors.Is(err, ErrNoSession) {
		t.Errorf("the old session survived a password reset: %v", err)
	}
	if _, _, err := s.Session(ctx, newSess); err != nil {
		t.Errorf("the resetting browser is not signed in: %v", err)
	}
	if _, _, err := s.SignIn(ctx, "viewer@shop.example", "viewer's password", "9.9.9.9"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password still works: %v", err)
	}
}
