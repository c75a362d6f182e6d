package webpush_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// fakeClock is a settable clock for WithNow.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// The VAPID header is signed once per push service and subject and reused
// for 11 of its 12 hours, then signed again; each subject keeps its own, and
// every push still decrypts and verifies at the push service.
func TestSendReusesVAPIDHeader(t *testing.T) {
	keys, _ := webpush.GenerateKeys()
	srv := pushtest.NewServer(t)
	// Start 6 h in the past so that a header renewed 11 h later still has
	// an exp within the 24 h pushtest accepts against the real clock.
	start := time.Now().Add(-6 * time.Hour).Truncate(time.Second)
	clock := &fakeClock{now: start}
	s := webpush.NewSender(keys, "mailto:ops@instance.example", webpush.WithLogger(quiet), allowLoopback, webpush.WithNow(clock.Now))
	sub, _ := srv.Subscribe()
	ctx := context.Background()
	send := func(subject string) pushtest.Delivery {
		t.Helper()
		if _, err := s.Send(ctx, sub, []byte(`{"title":"x"}`), webpush.SendOptions{Subject: subject}); err != nil {
			t.Fatal(err)
		}
		ds := srv.Deliveries()
		if string(ds[len(ds)-1].Plaintext) != `{"title":"x"}` {
			t.Fatalf("decrypted %q", ds[len(ds)-1].Plaintext)
		}
		return ds[len(ds)-1]
	}

	first := send("")
	if want := start.Add(12 * time.Hour); !first.Claims.Expiry.Equal(want) {
		t.Fatalf("exp %s, want %s (12 h after the injected clock)", first.Claims.Expiry, want)
	}
	shop := send("mailto:sklep@kawiarnia.example")
	if shop.Claims.Subject != "mailto:sklep@kawiarnia.example" {
		t.Fatalf("workspace subject %q", shop.Claims.Subject)
	}

	clock.Add(10*time.Hour + 59*time.Minute)
	// A freshly signed JWT would expire 12 h from the clock's new time.
	if d := send(""); !d.Claims.Expiry.Equal(first.Claims.Expiry) || d.Claims.Subject != "mailto:ops@instance.example" {
		t.Fatalf("within its lifetime the header was not reused: exp %s sub %q, first exp %s", d.Claims.Expiry, d.Claims.Subject, first.Claims.Expiry)
	}
	if d := send("mailto:sklep@kawiarnia.example"); !d.Claims.Expiry.Equal(shop.Claims.Expiry) || d.Claims.Subject != "mailto:sklep@kawiarnia.example" {
		t.Fatalf("workspace header: exp %s sub %q", d.Claims.Expiry, d.Claims.Subject)
	}

	clock.Add(2 * time.Minute) // 11 h 01 min after signing: renew
	renewed := send("")
	if want := clock.Now().Add(12 * time.Hour); !renewed.Claims.Expiry.Equal(want) {
		t.Fatalf("near expiry: exp %s, want a new header expiring %s", renewed.Claims.Expiry, want)
	}
	if d := send(""); !d.Claims.Expiry.Equal(renewed.Claims.Expiry) {
		t.Fatalf("renewed header not reused: exp %s", d.Claims.Expiry)
	}
	if d := send("https://kawiarnia.example/kontakt"); d.Claims.Subject != "https://kawiarnia.example/kontakt" {
		t.Fatalf("https subject %q", d.Claims.Subject)
	}
}

// A clock set back (NTP step, a test) gets a fresh header rather than one
// signed "in the future".
func TestSendVAPIDClockBack(t *testing.T) {
	keys, _ := webpush.GenerateKeys()
	srv := pushtest.NewServer(t)
	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	s := webpush.NewSender(keys, "mailto:ops@instance.example", webpush.WithLogger(quiet), allowLoopback, webpush.WithNow(clock.Now))
	sub, _ := srv.Subscribe()
	for range 2 {
		if _, err := s.Send(context.Background(), sub, []byte(`{}`), webpush.SendOptions{}); err != nil {
			t.Fatal(err)
		}
		clock.Add(-time.Hour)
	}
	ds := srv.Deliveries()
	if ds[0].Claims.Expiry.Equal(ds[1].Claims.Expiry) {
		t.Fatalf("header signed at a later clock reused after the clock went back")
	}
}
