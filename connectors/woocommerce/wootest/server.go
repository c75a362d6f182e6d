// Package wootest is a fake WooCommerce store for tests: an httptest server
// answering the REST v3 endpoints Cartwheel calls, with the payload shapes
// of the real API (its records are built from the documented examples in
// payloads/), Basic-auth checking, pagination headers, modified_after
// filtering, coupons, webhooks and general settings, plus failure injection
// and a log of requests. It also builds webhook deliveries as WooCommerce
// sends them (NewDelivery, NewPing) for handler tests.
//
// It is imported by other packages' tests; its API is kept stable.
package wootest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The only credentials the store accepts.
const (
	ConsumerKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	ConsumerSecret = "cs_0123456789abcdef0123456789abcdef01234567"
)

// apiPrefix is where WordPress serves the WooCommerce REST API.
const apiPrefix = "/wp-json/wc/v3/"

// Request is one request the store received.
type Request struct {
	Method string
	Path   string // e.g. /wp-json/wc/v3/orders
	Query  url.Values
	Body   []byte
	Status int // the status the store answered
}

// Server is the fake store. Its methods are safe for concurrent use.
type Server struct {
	// URL is the store's home URL, what NewClient takes.
	URL string

	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	nextID    int64
	clock     time.Time
	orders    []*record
	customers []*record
	products  []*record
	// variations of variable products, by product id
	variations map[int64][]*record
	coupons    []Coupon
	webhooks   []Webhook
	currency   string
	requests   []Request
	failAfter  int // requests to let through before failing; -1 when disarmed
	failCount  int // requests to fail once armed
	failCode   int
	ping       bool
}

// NewServer starts a store with no records, currency USD; it is closed when
// the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		nextID:    100,
		clock:     time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		currency:  "USD",
		failAfter: -1,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the store before the test ends (it is closed then anyway).
func (s *Server) Close() { s.srv.Close() }

// FailAfter makes the store answer 500 to the request after the next n,
// once; the requests after it succeed again. FailAfter(0) fails the next
// request.
func (s *Server) FailAfter(n int) { s.FailNext(n, 1, http.StatusInternalServerError) }

// FailNext lets skip requests through, then answers status to the count
// requests after them (a 429 carries Retry-After: 1).
func (s *Server) FailNext(skip, count, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if count < 1 || skip < 0 {
		s.failAfter = -1
		return
	}
	s.failAfter, s.failCount, s.failCode = skip, count, status
}

// SetCurrency sets woocommerce_currency.
func (s *Server) SetCurrency(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.currency = code
}

// EnablePing makes POST /webhooks ping the delivery URL with
// "webhook_id=N", as WooCommerce does. Only loopback delivery URLs are
// pinged; a failed ping, as in WooCommerce, does not fail the creation.
func (s *Server) EnablePing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ping = true
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and sends it.
func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.route(sw, r, body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, Status: sw.status})
	s.mu.Unlock()
}

// injected reports whether this request is one FailNext chose to fail.
func (s *Server) injected() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAfter < 0 {
		return 0, false
	}
	if s.failAfter > 0 {
		s.failAfter--
		return 0, false
	}
	s.failCount--
	if s.failCount <= 0 {
		s.failAfter = -1
	}
	return s.failCode, true
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	path, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}
	if code, fail := s.injected(); fail {
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, code, "internal_server_error", "<p>There has been a critical error on this website.</p>")
		return
	}
	if key, secret, ok := r.BasicAuth(); !ok || key != ConsumerKey || secret != ConsumerSecret {
		writeError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet && (parts[0] == "orders" || parts[0] == "customers" || parts[0] == "products"):
		s.list(w, r, parts[0])
	case len(parts) == 2 && r.Method == http.MethodGet && (parts[0] == "orders" || parts[0] == "customers" || parts[0] == "products"):
		s.get(w, parts[0], parts[1])
	case len(parts) == 3 && r.Method == http.MethodGet && parts[0] == "products" && parts[2] == "variations":
		s.listVariations(w, parts[1])
	case len(parts) == 1 && parts[0] == "coupons" && r.Method == http.MethodPost:
		s.createCoupon(w, body)
	case len(parts) == 1 && parts[0] == "webhooks" && r.Method == http.MethodGet:
		s.listWebhooks(w, r)
	case len(parts) == 1 && parts[0] == "webhooks" && r.Method == http.MethodPost:
		s.createWebhook(w, body)
	case len(parts) == 2 && parts[0] == "webhooks" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		s.updateWebhook(w, parts[1], body)
	case len(parts) == 2 && parts[0] == "settings" && parts[1] == "general" && r.Method == http.MethodGet:
		s.settings(w)
	default:
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

func (s *Server) settings(w http.ResponseWriter) {
	s.mu.Lock()
	cur := s.currency
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, []map[string]any{
		{"id": "woocommerce_specific_allowed_countries", "label": "Sell to specific countries", "type": "multiselect", "default": "", "value": []string{}},
		{"id": "woocommerce_currency", "label": "Currency", "type": "select", "default": "USD", "value": cur},
		{"id": "woocommerce_price_num_decimals", "label": "Number of decimals", "type": "number", "default": "2", "value": "2"},
	})
}

// writeError answers WooCommerce's error shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "data": map[string]any{"status": status}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, fmt.Sprintf("wootest: encode: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(bytes.TrimSpace(buf.Bytes()))
}
