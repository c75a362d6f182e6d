package webpush_test

import (
	"context"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// A push's own subject (a workspace's contact) replaces the Sender's in
// the VAPID JWT; a bad one is refused before anything is sent.
func TestSendSubjectOverride(t *testing.T) {
	keys, _ := webpush.GenerateKeys()
	srv := pushtest.NewServer(t)
	s := webpush.NewSender(keys, "mailto:ops@instance.example", webpush.WithLogger(quiet), allowLoopback)
	sub, _ := srv.Subscribe()
	ctx := context.Background()
	for _, subject := range []string{"mailto:sklep@kawiarnia.example", "https://kawiarnia.example/kontakt", ""} {
		if _, err := s.Send(ctx, sub, []byte(`{"title":"x"}`), webpush.SendOptions{Subject: subject}); err != nil {
			t.Fatal(err)
		}
	}
	ds := srv.Deliveries()
	for i, want := range []string{"mailto:sklep@kawiarnia.example", "https://kawiarnia.example/kontakt", "mailto:ops@instance.example"} {
		if ds[i].Claims.Subject != want {
			t.Errorf("push %d: sub %q, want %q", i, ds[i].Claims.Subject, want)
		}
	}
	for _, bad := range []string{"sklep@kawiarnia.example", "mailto:Sklep <sklep@kawiarnia.example>", "http://kawiarnia.example"} {
		if _, err := s.Send(ctx, sub, []byte(`{}`), webpush.SendOptions{Subject: bad}); err == nil {
			t.Errorf("subject %q was taken", bad)
		}
		if webpush.ValidSubject(bad) == nil {
			t.Errorf("ValidSubject(%q) = nil", bad)
		}
	}
	if srv.Count() != 3 {
		t.Errorf("%d pushes reached the service, want 3", srv.Count())
	}
}
