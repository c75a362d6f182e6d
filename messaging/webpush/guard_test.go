package webpush_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// fakeDNS answers lookups from a map the test can change, as a DNS server
// an attacker controls would between subscribing and sending.
type fakeDNS struct {
	mu  sync.Mutex
	ans map[string][]netip.Addr
}

func (d *fakeDNS) set(host string, addrs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ans == nil {
		d.ans = map[string][]netip.Addr{}
	}
	d.ans[host] = nil
	for _, a := range addrs {
		d.ans[host] = append(d.ans[host], netip.MustParseAddr(a))
	}
}

func (d *fakeDNS) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.ans[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return a, nil
}

func TestEndpointPolicyRefusesNonPublic(t *testing.T) {
	dns := &fakeDNS{}
	dns.set("push.example.com", "142.250.74.10")
	dns.set("metadata.example.com", "169.254.169.254")
	dns.set("mixed.example.com", "142.250.74.10", "10.1.2.3")
	dns.set("v6private.example.com", "fd00::1")
	p := webpush.EndpointPolicy{Lookup: dns.lookup}
	ctx := context.Background()
	for _, ep := range []string{
		"http://push.example.com/p/1",         // not https
		"https://127.0.0.1/p",                 // loopback
		"https://127.1.2.3:8443/p",            // loopback range
		"https://[::1]/p",                     // loopback v6
		"https://169.254.169.254/latest",      // link-local (cloud metadata)
		"https://10.0.0.1/p",                  // private
		"https://172.16.5.4/p",                // private
		"https://192.168.1.1/p",               // private
		"https://100.64.0.1/p",                // CGNAT
		"https://[fc00::1]/p",                 // unique-local
		"https://[fd12:3456::1]/p",            // unique-local
		"https://[fe80::1]/p",                 // link-local v6
		"https://224.0.0.1/p",                 // multicast
		"https://[ff02::1]/p",                 // multicast v6
		"https://0.0.0.0/p",                   // unspecified
		"https://[::]/p",                      // unspecified v6
		"https://[::ffff:127.0.0.1]/p",        // IPv4-mapped loopback
		"https://[::ffff:10.0.0.1]/p",         // IPv4-mapped private
		"https://[::ffff:169.254.169.254]/p",  // IPv4-mapped link-local
		"https://[64:ff9b::a9fe:a9fe]/p",      // NAT64 of 169.254.169.254
		"https://255.255.255.255/p",           // broadcast
		"https://localhost/p",                 // loopback name
		"https://push.localhost/p",            // loopback name
		"https://metadata/computeMetadata/v1", // internal single-label name
		"https://admin.internal/p",            // internal suffix
		"https://metadata.example.com/p",      // resolves to link-local
		"https://mixed.example.com/p",         // one address private
		"https://v6private.example.com/p",     // resolves to unique-local
		"https://nxdomain.example.com/p",      // does not resolve
	} {
		err := p.Check(ctx, ep)
		if !errors.Is(err, webpush.ErrForbiddenEndpoint) {
			t.Errorf("%s: got %v, want ErrForbiddenEndpoint", ep, err)
		}
	}
	for _, ep := range []string{"https://push.example.com/p/1", "https://142.250.74.10/p", "https://[2607:f8b0:4004:c1b::5f]/p"} {
		if err := p.Check(ctx, ep); err != nil {
			t.Errorf("%s refused: %v", ep, err)
		}
	}
	// The test-only switch lets the local fake push service in.
	if err := (webpush.EndpointPolicy{AllowPrivate: true}).Check(ctx, "http://127.0.0.1:9/push/x"); err != nil {
		t.Errorf("AllowPrivate: %v", err)
	}
}

// A name that was public when the browser subscribed and resolves to a
// loopback address when the message is sent is refused by the dialer: no
// request reaches the address, and the send is not retried.
func TestSenderDialerRefusesPrivateAddressAtSendTime(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	dns := &fakeDNS{}
	dns.set("push.example.com", "142.250.74.10")
	endpoint := "https://push.example.com:" + u.Port() + "/push/abc"

	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	// Real receiver keys, so that only the address can stop the send.
	sub, _ := pushtest.NewServer(t).Subscribe()
	sub.Endpoint = endpoint
	policy := webpush.EndpointPolicy{Lookup: dns.lookup}
	if err := policy.Check(context.Background(), endpoint); err != nil {
		t.Fatalf("public at subscribe time: %v", err)
	}
	payload, _ := webpush.Message{Title: "hi"}.Encode()
	rec := &sleepRecorder{}

	dns.set("push.example.com", "127.0.0.1") // the DNS answer changes
	s := webpush.NewSender(keys, subject, webpush.WithLogger(quiet), webpush.WithHTTPClient(srv.Client()),
		webpush.WithEndpointPolicy(policy), webpush.WithSleep(rec.sleep))
	res, err := s.Send(context.Background(), sub, payload, webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrForbiddenEndpoint) {
		t.Fatalf("send to a name now resolving to loopback: %v, want ErrForbiddenEndpoint", err)
	}
	if hits.Load() != 0 || res.Attempts != 1 || len(rec.got()) != 0 {
		t.Fatalf("requests %d, attempts %d, sleeps %v: want none, 1, none", hits.Load(), res.Attempts, rec.got())
	}

	// The same send with the test-only switch on connects: what stopped it
	// above was the policy, not TLS or the fake name.
	open := webpush.NewSender(keys, subject, webpush.WithLogger(quiet), webpush.WithHTTPClient(srv.Client()),
		webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true, Lookup: dns.lookup}))
	if _, err := open.Send(context.Background(), sub, payload, webpush.SendOptions{}); err != nil || hits.Load() != 1 {
		t.Fatalf("with AllowPrivate: %v, %d requests", err, hits.Load())
	}
}

// Without the switch, an http or loopback endpoint is refused before any
// connection: pushtest sees nothing.
func TestSenderDefaultRefusesLoopbackEndpoint(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	srv := pushtest.NewServer(t)
	sub, _ := srv.Subscribe()
	payload, _ := webpush.Message{Title: "hi"}.Encode()
	_, err = webpush.NewSender(keys, subject, webpush.WithLogger(quiet)).Send(context.Background(), sub, payload, webpush.SendOptions{})
	if !errors.Is(err, webpush.ErrForbiddenEndpoint) || srv.Requests() != 0 {
		t.Fatalf("default sender to %s: %v, %d requests", sub.Endpoint, err, srv.Requests())
	}
}
