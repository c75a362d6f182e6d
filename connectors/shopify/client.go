package shopify

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultAPIVersion is the Admin API version the client asks for. Shopify
// supports each quarterly version for at least twelve months; bump it
// deliberately, after the decode tests pass against the new payloads.
const DefaultAPIVersion = "2026-01"

// defaultMaxAttempts bounds how often one call is sent: throttling, 429 and
// 5xx answers are retried, but a shop that keeps failing must not hold a
// sync worker forever.
const defaultMaxAttempts = 6

// Client calls one shop's Admin API with an offline access token. It is
// safe for concurrent use; the throttle state it learns from each answer is
// shared by all calls, which is what lets it pace itself instead of
// running into THROTTLED errors.
type Client struct {
	shop        string
	token       string
	base        string
	version     string
	http        *http.Client
	sleep       func(ctx context.Context, d time.Duration) error
	log         *slog.Logger
	maxAttempts int

	mu       sync.Mutex
	throttle ThrottleStatus
	slept    time.Duration // waited since throttle was observed
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL replaces https://{shop} as the API origin. Tests point it at
// an httptest server (shopifytest.Server.URL).
func WithBaseURL(u string) Option {
	return func(c *Client) { c.base = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the HTTP client. The default has a 30 s timeout, so a
// stalled connection cannot hang a sync.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithAPIVersion sets the Admin API version (default DefaultAPIVersion).
func WithAPIVersion(v string) Option {
	return func(c *Client) {
		if v != "" {
			c.version = v
		}
	}
}

// WithSleep replaces the function that waits between attempts and before
// a query the bucket cannot afford. Tests pass one that records the wait
// and returns at once (or advances a fake clock).
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if f != nil {
			c.sleep = f
		}
	}
}

// WithLogger sets where throttling and retries are reported (at debug and
// warn level). The access token is never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// WithMaxAttempts bounds how many times one call is sent, retries included
// (default 6).
func WithMaxAttempts(n int) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxAttempts = n
		}
	}
}

// NewClient returns a client for shop (a myshopify.com domain) using
// accessToken. The token may be empty for a client that is only used for
// ExchangeToken.
func NewClient(shop, accessToken string, opts ...Option) *Client {
	c := &Client{
		shop:        strings.ToLower(shop),
		token:       accessToken,
		base:        "https://" + strings.ToLower(shop),
		version:     DefaultAPIVersion,
		http:        &http.Client{Timeout: 30 * time.Second},
		sleep:       sleepContext,
		log:         slog.New(slog.DiscardHandler),
		maxAttempts: defaultMaxAttempts,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Shop returns the shop domain the client was made for.
func (c *Client) Shop() string { return c.shop }

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
