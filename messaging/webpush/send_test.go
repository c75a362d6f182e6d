package webpush_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

const subject = "mailto:ops@shop.example"

var quiet = slog.New(slog.DiscardHandler)

// allowLoopback lets a Sender post to pushtest, which listens on loopback.
var allowLoopback = webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true})

// sleepRecorder replaces the Sender's wait: it records the durations and
// returns at once.
type sleepRecorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.d)
}

type fixture struct {
	srv    *pushtest.Server
	keys   webpush.Keys
	sender *webpush.Sender
	sleeps *sleepRecorder
}

func newFixture(t testing.TB, opts ...webpush.Option) *fixture {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: pushtest.NewServer(t), keys: keys, sleeps: &sleepRecorder{}}
	opts = append([]webpush.Option{webpush.WithLogger(quiet), webpush.WithSleep(f.sleeps.sleep), allowLoopback}, opts...)
	f.sender = webpush.NewSender(keys, subject, opts...)
	return f
}

func TestSendRoundTrip(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()
	f.srv.Restrict(recv.ID, f.keys.Public)
	payload, err := webpush.Message{Title: "Your cart is waiting", URL: "/cart", ClickID: "c1"}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	res, err := f.sender.Send(context.Background(), sub, payload, webpush.SendOptions{
		TTL: 90 * time.Minute, Urgency: webpush.UrgencyLow, Topic: "cart_reminder-42",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res != (webpush.Result{Status: http.StatusCreated, Attempts: 1}) {
		t.Fatalf("result %+v", res)
	}
	ds := f.srv.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries", len(ds))
	}
	d := ds[0]
	if !bytes.Equal(d.Plaintext, payload) {
		t.Fatalf("decrypted %q, want %q", d.Plaintext, payload)
	}
	if d.SubscriptionID != recv.ID || d.TTL != 90*time.Minute || d.Urgency != "low" || d.Topic != "cart_reminder-42" {
		t.Fatalf("delivery headers %+v", d)
	}
	// Every record is padded to the 4096 bytes a push service must take.
	if d.BodyLen != 4096 {
		t.Fatalf("body %d bytes, want 4096", d.BodyLen)
	}
	if d.VAPIDKey != f.keys.Public {
		t.Fatalf("k = %s, want %s", d.VAPIDKey, f.keys.Public)
	}
	// The library prepends "mailto:" itself; the subject must not double it.
	if d.Claims.Subject != subject || d.Claims.Audience != f.srv.URL() {
		t.Fatalf("claims %+v", d.Claims)
	}
	if exp := d.Claims.Expiry.Sub(before); exp < 11*time.Hour || exp > 24*time.Hour {
		t.Fatalf("JWT expires in %s", exp)
	}
}

func TestSendHTTPSSubjectAndDefaults(t *testing.T) {
	keys, _ := webpush.GenerateKeys()
	srv := pushtest.NewServer(t)
	s := webpush.NewSender(keys, "https://shop.example/contact", webpush.WithLogger(quiet), allowLoopback)
	sub, _ := srv.Subscribe()
	for _, ttl := range []time.Duration{0, 1500 * time.Millisecond} {
		if _, err := s.Send(context.Background(), sub, []byte(`{"title":"x"}`), webpush.SendOptions{TTL: ttl}); err != nil {
			t.Fatal(err)
		}
	}
	ds := srv.Deliveries()
	if ds[0].Claims.Subject != "https://shop.example/contact" {
		t.Fatalf("sub = %q", ds[0].Claims.Subject)
	}
	if ds[0].TTL != webpush.DefaultTTL || ds[1].TTL != 2*time.Second {
		t.Fatalf("TTLs %s, %s; want %s (zero → default), 2s (rounded up)", ds[0].TTL, ds[1].TTL, webpush.DefaultTTL)
	}
	if ds[0].Urgency != "" || ds[0].Topic != "" {
		t.Fatalf("unset urgency/topic sent: %+v", ds[0])
	}
}

func TestSendPayloadBoundary(t *testing.T) {
	f := newFixture(t)
	sub, _ := f.srv.Subscribe()
	largest := bytes.Repeat([]byte("x"), webpush.MaxPayload)
	if _, err := f.sender.Send(context.Background(), sub, largest, webpush.SendOptions{}); err != nil {
		t.Fatalf("largest payload: %v", err)
	}
	if d := f.srv.Deliveries()[0]; !bytes.Equal(d.Plaintext, largest) || d.BodyLen != 4096 {
		t.Fatalf("largest payload arrived as %d bytes in a %d-byte body", len(d.Plaintext), d.BodyLen)
	}
	_, err := f.sender.Send(context.Background(), sub, append(largest, 'x'), webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrPayloadTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
	if n := f.srv.Requests(); n != 1 {
		t.Fatalf("%d requests; the oversized payload must not be posted", n)
	}
}

func TestSendGone(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()
	f.srv.Expire(recv.ID)
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrGone) || !res.Gone || res.Status != http.StatusGone || res.Attempts != 1 {
		t.Fatalf("410: %+v, %v", res, err)
	}
	// An endpoint the service never issued answers 404, which is gone too.
	unknown := sub
	unknown.Endpoint = f.srv.URL() + "/push/NOSUCHID"
	res, err = f.sender.Send(context.Background(), unknown, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrGone) || !res.Gone || res.Status != http.StatusNotFound {
		t.Fatalf("404: %+v, %v", res, err)
	}
	if s := f.sleeps.got(); len(s) != 0 {
		t.Fatalf("gone was retried: %v", s)
	}
}

func TestSendRetryAfter(t *testing.T) {
	// A fixed clock near the real one: the JWT's exp follows it and
	// pushtest checks exp against the real time.
	now := time.Now().Truncate(time.Second)
	f := newFixture(t, webpush.WithNow(func() time.Time { return now }))
	sub, recv := f.srv.Subscribe()
	f.srv.Fail(recv.ID, http.StatusTooManyRequests, 1, "2")
	f.srv.Fail(recv.ID, http.StatusTooManyRequests, 1, "2")
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusCreated || res.Attempts != 2 || f.srv.Count() != 1 {
		t.Fatalf("result %+v, %d deliveries", res, f.srv.Count())
	}
	if got := f.sleeps.got(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
		t.Fatalf("slept %v, want [2s]", got)
	}

	// Retry-After as an HTTP date, against the injected clock.
	f.srv.Fail(recv.ID, http.StatusServiceUnavailable, 1, now.Add(5*time.Second).Format(http.TimeFormat))
	if _, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := f.sleeps.got(); !slices.Equal(got, []time.Duration{2 * time.Second, 5 * time.Second}) {
		t.Fatalf("slept %v, want [2s 5s]", got)
	}
}

func TestSendServerErrorsExhaustAttempts(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()
	f.srv.Fail(recv.ID, http.StatusInternalServerError, webpush.DefaultMaxAttempts, "")
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	var se *webpush.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want a 500 StatusError", err)
	}
	if res.Attempts != webpush.DefaultMaxAttempts || res.Status != 500 || res.Gone || f.srv.Requests() != webpush.DefaultMaxAttempts {
		t.Fatalf("result %+v after %d requests", res, f.srv.Requests())
	}
	if got, want := f.sleeps.got(), []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("slept %v, want %v", got, want)
	}
	if !strings.Contains(err.Error(), "4 attempts") || !strings.Contains(err.Error(), "failing as told") {
		t.Fatalf("error %q should say how often it tried and what the service said", err)
	}

	// The limit is configurable, and the next message goes through.
	f2 := newFixture(t, webpush.WithMaxAttempts(2))
	sub2, recv2 := f2.srv.Subscribe()
	f2.srv.Fail(recv2.ID, http.StatusBadGateway, 2, "")
	if res, err := f2.sender.Send(context.Background(), sub2, []byte("{}"), webpush.SendOptions{}); err == nil || res.Attempts != 2 {
		t.Fatalf("max 2 attempts: %+v, %v", res, err)
	}
	if res, err := f2.sender.Send(context.Background(), sub2, []byte("{}"), webpush.SendOptions{}); err != nil || res.Attempts != 1 {
		t.Fatalf("after failures: %+v, %v", res, err)
	}
}

func TestSendLongRetryAfterIsLeftToCaller(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()
	f.srv.Fail(recv.ID, http.StatusTooManyRequests, 1, "3600")
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	if err == nil || res.RetryAfter != time.Hour || res.Attempts != 1 || res.Status != 429 {
		t.Fatalf("%+v, %v", res, err)
	}
	if s := f.sleeps.got(); len(s) != 0 {
		t.Fatalf("slept %v in process", s)
	}
}

func TestSendNonRetryable(t *testing.T) {
	cases := []struct {
		status int
		is     error
		say    string
	}{
		{http.StatusForbidden, webpush.ErrVAPIDRejected, "VAPID key"},
		{http.StatusUnauthorized, webpush.ErrVAPIDRejected, "VAPID key"},
		{http.StatusBadRequest, nil, "400 Bad Request"},
		{http.StatusRequestEntityTooLarge, webpush.ErrPayloadTooLarge, "too large"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			f := newFixture(t)
			sub, recv := f.srv.Subscribe()
			f.srv.Fail(recv.ID, c.status, 1, "")
			res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
			if err == nil || res.Attempts != 1 || res.Status != c.status || res.Gone {
				t.Fatalf("%+v, %v", res, err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("err %v is not %v", err, c.is)
			}
			if errors.Is(err, webpush.ErrGone) || !strings.Contains(err.Error(), c.say) {
				t.Fatalf("err %q", err)
			}
			if len(f.sleeps.got()) != 0 {
				t.Fatal("retried")
			}
		})
	}
}

// TestSendWrongVAPIDKey is the real-world 403: a subscription made with
// another applicationServerKey, refused by the (fake) push service itself.
func TestSendWrongVAPIDKey(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()
	old, _ := webpush.GenerateKeys()
	f.srv.Restrict(recv.ID, old.Public)
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrVAPIDRejected) || res.Status != http.StatusForbidden || res.Attempts != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestSendContextCancelled(t *testing.T) {
	f := newFixture(t)
	sub, recv := f.srv.Subscribe()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := f.sender.Send(ctx, sub, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, context.Canceled) || res.Attempts != 0 || f.srv.Requests() != 0 {
		t.Fatalf("cancelled before: %+v, %v, %d requests", res, err, f.srv.Requests())
	}

	// Cancelled while waiting to retry, with the real sleep.
	real := webpush.NewSender(f.keys, subject, webpush.WithLogger(quiet), allowLoopback)
	f.srv.Fail(recv.ID, http.StatusServiceUnavailable, 1, "30")
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	res, err = real.Send(ctx, sub, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, context.Canceled) || res.Attempts != 1 || res.Status != 503 {
		t.Fatalf("cancelled in sleep: %+v, %v", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %s", d)
	}

	// Cancelled while the push service is slow to answer.
	hold := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hold }))
	defer slow.Close()
	defer close(hold)
	slowSub := sub
	slowSub.Endpoint = slow.URL + "/push/x"
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err = f.sender.Send(ctx, slowSub, []byte("{}"), webpush.SendOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || res.Attempts != 1 || len(f.sleeps.got()) != 0 {
		t.Fatalf("cancelled in flight: %+v, %v", res, err)
	}
}

func TestSendNetworkErrorRetried(t *testing.T) {
	f := newFixture(t, webpush.WithMaxAttempts(3))
	sub, _ := f.srv.Subscribe()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	sub.Endpoint = closed.URL + "/push/x"
	res, err := f.sender.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	if err == nil || res.Attempts != 3 || res.Status != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if got := f.sleeps.got(); !slices.Equal(got, []time.Duration{time.Second, 2 * time.Second}) {
		t.Fatalf("slept %v", got)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	var hits int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		_, _ = io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	f := newFixture(t)
	sub, _ := f.srv.Subscribe()
	sub.Endpoint = srv.URL + "/push/x"
	// The default client, whose redirect policy is under test.
	s := webpush.NewSender(f.keys, subject, webpush.WithLogger(quiet), allowLoopback)
	res, err := s.Send(context.Background(), sub, []byte("{}"), webpush.SendOptions{})
	var se *webpush.StatusError
	mu.Lock()
	defer mu.Unlock()
	if !errors.As(err, &se) || se.Status != http.StatusTemporaryRedirect || res.Attempts != 1 || hits != 1 {
		t.Fatalf("%+v, %v, %d hits", res, err, hits)
	}
}

func TestSendRejectsBadInput(t *testing.T) {
	f := newFixture(t)
	sub, _ := f.srv.Subscribe()
	ctx := context.Background()
	badOpts := map[string]webpush.SendOptions{
		"urgency":        {Urgency: "urgent"},
		"topic too long": {Topic: strings.Repeat("a", 33)},
		"topic charset":  {Topic: "cart reminder"},
		"topic padding":  {Topic: "abc="},
		"negative TTL":   {TTL: -time.Second},
	}
	for name, o := range badOpts {
		if _, err := f.sender.Send(ctx, sub, []byte("{}"), o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := f.sender.Send(ctx, sub, []byte("{}"), webpush.SendOptions{Topic: strings.Repeat("a", 32)}); err != nil {
		t.Errorf("32-character topic refused: %v", err)
	}
	badSub := sub
	badSub.Auth = "short"
	if _, err := f.sender.Send(ctx, badSub, []byte("{}"), webpush.SendOptions{}); err == nil {
		t.Error("invalid subscription accepted")
	}
	other, _ := webpush.GenerateKeys()
	for name, s := range map[string]*webpush.Sender{
		"mismatched keys":  webpush.NewSender(webpush.Keys{Public: f.keys.Public, Private: other.Private}, subject),
		"no subject":       webpush.NewSender(f.keys, ""),
		"bare address":     webpush.NewSender(f.keys, "ops@shop.example"),
		"http subject":     webpush.NewSender(f.keys, "http://shop.example"),
		"mailto with name": webpush.NewSender(f.keys, "mailto:Ops <ops@shop.example>"),
	} {
		if _, err := s.Send(ctx, sub, []byte("{}"), webpush.SendOptions{}); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if n := f.srv.Requests(); n != 1 {
		t.Fatalf("%d requests reached the push service, want only the valid one", n)
	}
}

func TestSendConcurrent(t *testing.T) {
	f := newFixture(t)
	const n = 40
	subs := make([]webpush.Subscription, 4)
	for i := range subs {
		subs[i], _ = f.srv.Subscribe()
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			p := fmt.Appendf(nil, `{"title":"m%d"}`, i)
			if _, err := f.sender.Send(context.Background(), subs[i%len(subs)], p, webpush.SendOptions{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, d := range f.srv.Deliveries() {
		seen[string(d.Plaintext)] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct messages arrived, want %d", len(seen), n)
	}
}
