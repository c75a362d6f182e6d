// Package shopifytest is an in-memory fake of the part of Shopify's Admin
// API that connectors/shopify calls: the OAuth token exchange and a GraphQL
// endpoint answering shop info, product pages, webhook subscriptions and
// discount code creation, with Shopify's cost-based throttling and
// injectable failures. Tests of any package point a shopify.Client at it
// with shopify.WithBaseURL(srv.URL()).
//
// It is a fake of the API surface, not a GraphQL engine: it answers by the
// operation's root field (the first field of the selection, after an alias
// if any), reads arguments only from the request's variables, and always
// returns the full shape the client selects. Queries written with literal
// arguments, or several root fields, are not understood.
//
// Throttling runs on a virtual clock: the bucket refills only when time is
// advanced through Server.Sleep, so a client built with
// shopify.WithSleep(srv.Sleep) waits without real delays and tests stay
// deterministic.
//
// This package does not import connectors/shopify, so the shopify package's
// own tests can use it.
package shopifytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the access token the fake accepts until SetToken.
const DefaultToken = "shpat_test_token"

// Server is the fake Shopify shop. Its methods are safe to call while
// requests are being served.
type Server struct {
	srv *httptest.Server

	mu sync.Mutex

	token                        string
	clientID, clientSecret, code string
	scope                        string

	shop      Shop
	products  []Product
	webhooks  []Subscription
	discounts []Discount
	nextID    int64
	maxPage   int

	requests     int
	throttled    int
	productPages int
	failAfter    int // products pages served before one 500; -1: never
	failed       bool
	limited      int // 429 answers still to give
	retryAfter   string
	versions     []string

	bucket    bool // throttling enabled
	maximum   float64
	restore   float64
	available float64
	clock     time.Duration // virtual time, advanced by Sleep
	refilled  time.Duration // clock at the last refill
	sleeps    []time.Duration
}

// NewServer starts a fake shop, closed when the test ends. It accepts
// DefaultToken, has a USD shop named "Test Shop" and no products.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		token:     DefaultToken,
		scope:     "read_orders,read_customers,read_products,read_inventory,write_discounts",
		shop:      Shop{Name: "Test Shop", Currency: "USD", Domain: "shop.example.com", MyshopifyDomain: "test-shop.myshopify.com", Timezone: "America/New_York"},
		nextID:    1000,
		maxPage:   250,
		failAfter: -1,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/oauth/access_token", s.serveToken)
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.serveGraphQL)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the fake's origin, for shopify.WithBaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the fake (plain HTTP, so any client
// works; this is for symmetry with httptest).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetToken sets the access token the GraphQL endpoint accepts and the
// token exchange hands out. Requests with another token get 401.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Token returns the accepted access token.
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SetOAuth configures the token exchange: it succeeds once for this client
// id, secret and code (codes are single-use, as on Shopify), granting scope
// (a comma-separated list; empty keeps the default).
func (s *Server) SetOAuth(clientID, clientSecret, code, scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientID, s.clientSecret, s.code = clientID, clientSecret, code
	if scope != "" {
		s.scope = scope
	}
}

// SetShop replaces what the shop query answers.
func (s *Server) SetShop(sh Shop) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shop = sh
}

// SetMaxPageSize caps every page (products, webhook subscriptions) at n
// items, whatever the client asks, to exercise pagination with little data.
func (s *Server) SetMaxPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPage = max(n, 1)
}

// Throttle turns on cost-based throttling with a bucket of maximum points
// refilling at restoreRate points per second of virtual time. The bucket
// starts full. Costs: products is 2 + 10 per requested product, every
// other operation 10. A query costing more than maximum fails with
// MAX_COST_EXCEEDED; one costing more than what is available gets
// THROTTLED, as on Shopify.
func (s *Server) Throttle(maximum, restoreRate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket, s.maximum, s.restore, s.available = true, maximum, restoreRate, maximum
	s.refilled = s.clock
}

// SetAvailable sets the points currently in the bucket (Throttle first), to
// start a test with a drained bucket.
func (s *Server) SetAvailable(points float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.available = points
	s.refilled = s.clock
}

// Sleep advances the fake's virtual clock by d, refilling the bucket, and
// records d. Pass it to shopify.WithSleep.
func (s *Server) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock += max(d, 0)
	s.sleeps = append(s.sleeps, d)
	return nil
}

// Sleeps returns every wait requested through Sleep, in order.
func (s *Server) Sleeps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

// FailAfter makes the products query answer HTTP 500 once, after n pages
// were served successfully (so on page n+1); the retry then succeeds.
func (s *Server) FailAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAfter, s.failed = n, false
}

// RateLimit makes the next times GraphQL requests answer HTTP 429 with the
// given Retry-After header ("" for none).
func (s *Server) RateLimit(times int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited, s.retryAfter = times, retryAfter
}

// Requests is the number of GraphQL requests received, refused ones
// included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ThrottledResponses is the number of THROTTLED and 429 answers given.
func (s *Server) ThrottledResponses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// ProductPages is the number of product pages answered successfully.
func (s *Server) ProductPages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.productPages
}

// APIVersions returns the API version of every GraphQL request, in order.
func (s *Server) APIVersions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.versions...)
}

// Webhooks returns the webhook subscriptions, in creation order.
func (s *Server) Webhooks() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Subscription(nil), s.webhooks...)
}

// AddWebhook adds a subscription as if created earlier (topic in GraphQL
// enum form, e.g. "ORDERS_CREATE").
func (s *Server) AddWebhook(topic, uri string) Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addWebhook(topic, uri)
}

func (s *Server) addWebhook(topic, uri string) Subscription {
	s.nextID++
	w := Subscription{ID: gid("WebhookSubscription", s.nextID), Topic: topic, URI: uri, Format: "JSON"}
	s.webhooks = append(s.webhooks, w)
	return w
}

// Discounts returns the discount codes created, in creation order.
func (s *Server) Discounts() []Discount {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Discount(nil), s.discounts...)
}
