package server

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/config"
)

// app.Test's connections come from 0.0.0.0, which plays the proxy here.
func TestClientIPFromForwardedFor(t *testing.T) {
	for _, tc := range []struct {
		trusted, xff, want string
	}{
		{"", "192.0.2.1", "0.0.0.0"},                                           // no trusted proxies: the header is ignored
		{"10.0.0.0/8", "192.0.2.1", "0.0.0.0"},                                 // the peer is not a trusted proxy
		{"0.0.0.0/32", "", "0.0.0.0"},                                          // trusted, but no header
		{"0.0.0.0/32", "192.0.2.1", "192.0.2.1"},                               // one hop
		{"0.0.0.0/32", "6.6.6.6, 192.0.2.1", "192.0.2.1"},                      // the rightmost untrusted, not the spoofable left
		{"0.0.0.0/32,10.0.0.0/8", "192.0.2.1, 10.1.2.3", "192.0.2.1"},          // a chain of trusted proxies is skipped
		{"0.0.0.0/32,10.0.0.0/8", "10.9.9.9, 10.1.2.3", "10.9.9.9"},            // all trusted: the leftmost
		{"0.0.0.0/32", "[2001:db8::1]:4711", "2001:db8::1"},                    // bracketed IPv6 with a port
		{"0.0.0.0/32", "192.0.2.9:80", "192.0.2.9"},                            // IPv4 with a port
		{"0.0.0.0/32", "nonsense, 192.0.2.1", "192.0.2.1"},                     // garbage further left is never reached
		{"0.0.0.0/32,10.0.0.0/8", "192.0.2.1, nonsense, 10.1.2.3", "10.1.2.3"}, // garbage stops the walk
	} {
		nets, err := config.ParseCIDRs(tc.trusted)
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{opt: Options{Config: config.Config{TrustedProxyNets: nets}}}
		app := fiber.New()
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString(s.clientIP(c)) })
		req := httptest.NewRequest("GET", "/", nil)
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != tc.want {
			t.Errorf("trusted %q, X-Forwarded-For %q: client %q, want %q", tc.trusted, tc.xff, b, tc.want)
		}
	}
}
