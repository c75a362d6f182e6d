package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrUnauthorized is wrapped by every Client method when the store rejects
// the consumer key and secret (401) or the key lacks the permission the
// call needs (403, e.g. a read-only key creating a coupon).
var ErrUnauthorized = errors.New("woocommerce: credentials rejected")

// ErrCouponExists matches (errors.Is) a CreateCoupon error caused by a code
// the store already has (woocommerce_rest_coupon_code_already_exists): the
// caller picks another code and tries again.
var ErrCouponExists = errors.New("woocommerce: coupon code already exists")

// APIError is an error answer of the REST API. WooCommerce's body is
// {"code": "...", "message": "...", "data": {"status": N}}.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error names the status, WooCommerce's error code and its message.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("woocommerce: HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("woocommerce: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap lets errors.Is match ErrUnauthorized and ErrCouponExists.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return ErrUnauthorized
	case e.Code == "woocommerce_rest_coupon_code_already_exists":
		return ErrCouponExists
	}
	return nil
}

// Client calls a store's REST API (wc/v3). It is safe for concurrent use.
//
// It sends the consumer key and secret as HTTP Basic credentials, which
// WooCommerce accepts only over HTTPS: a store on plain HTTP answers 401
// until it is moved to HTTPS. Stores without pretty permalinks serve the
// API at ?rest_route= only and are not supported.
type Client struct {
	api      string // https://shop.example/wp-json/wc/v3
	key      string
	secret   string
	http     *http.Client
	sleep    func(context.Context, time.Duration) error
	log      *slog.Logger
	currency string
	attempts int
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (timeouts, transport). The default
// has a 30 s timeout; nil keeps it.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithSleep replaces the wait between retries; tests pass one that returns
// at once. It must return ctx's error when ctx ends first. nil keeps the
// real wait.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if f != nil {
			c.sleep = f
		}
	}
}

// WithLogger sets where retries and skipped records are reported. Secrets
// and credentials are never logged. nil keeps the default, which discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// WithCurrency sets the store's currency (see Settings), used to read
// product and customer amounts, whose payloads do not name it.
func WithCurrency(code string) Option {
	return func(c *Client) { c.currency = strings.ToUpper(strings.TrimSpace(code)) }
}

// NewClient returns a client of the store at baseURL (its home URL, e.g.
// https://shop.example or https://example.com/shop).
func NewClient(baseURL, consumerKey, consumerSecret string, opts ...Option) *Client {
	c := &Client{
		api:      strings.TrimRight(strings.TrimSpace(baseURL), "/") + "/wp-json/wc/v3",
		key:      consumerKey,
		secret:   consumerSecret,
		http:     &http.Client{Timeout: 30 * time.Second},
		sleep:    sleepCtx,
		log:      slog.New(slog.DiscardHandler),
		attempts: 4,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxBody bounds what is read from one answer (100 orders are well under).
const maxBody = 32 << 20

// do sends one API call, retrying with backoff while the store is
// overloaded or failing. GET and PUT are retried on 429, 5xx and transport
// errors; POST only on 429 and 503, which say the request was not
// processed, because a retried POST that had succeeded would create a
// second coupon or webhook. out, when non-nil, receives the JSON answer.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) (http.Header, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("woocommerce: encode %s %s: %w", method, path, err)
		}
	}
	u := c.api + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var lastErr error
	for attempt := 0; attempt < c.attempts; attempt++ {
		if attempt > 0 {
			wait := backoff(attempt, lastErr)
			c.log.WarnContext(ctx, "woocommerce: retrying", "method", method, "path", path, "attempt", attempt+1, "wait", wait, "error", lastErr)
			if err := c.sleep(ctx, wait); err != nil {
				// The last attempt's error stays in the chain with ctx's.
				return nil, fmt.Errorf("woocommerce: %s %s: waiting to retry (%w): %w", method, path, lastErr, err)
			}
		}
		h, retry, err := c.once(ctx, method, u, body, out)
		if err == nil {
			return h, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("woocommerce: %s %s: %w", method, path, lastErr)
}

// retryAfter carries a Retry-After delay through the error of one attempt.
type retryAfter struct {
	error
	wait time.Duration
}

// Unwrap exposes the attempt's *APIError.
func (r retryAfter) Unwrap() error { return r.error }

// backoff is 0.5 s, 1 s, 2 s… capped at 8 s, or the store's Retry-After
// (capped at 60 s) when it sent one.
func backoff(attempt int, err error) time.Duration {
	var ra retryAfter
	if errors.As(err, &ra) && ra.wait > 0 {
		return min(ra.wait, time.Minute)
	}
	return min(500*time.Millisecond<<(attempt-1), 8*time.Second)
}

func (c *Client) once(ctx context.Context, method, u string, body []byte, out any) (http.Header, bool, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, false, err
	}
	req.SetBasicAuth(c.key, c.secret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Cartwheel")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, method != http.MethodPost, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, method != http.MethodPost, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(out); err != nil {
				return nil, false, fmt.Errorf("decode answer: %w", err)
			}
		}
		return resp.Header, false, nil
	}
	apiErr := apiError(resp.StatusCode, data)
	retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable ||
		(resp.StatusCode >= 500 && method != http.MethodPost)
	if !retry {
		return nil, false, apiErr
	}
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return nil, true, retryAfter{apiErr, time.Duration(secs) * time.Second}
}

// apiError reads WooCommerce's error body; proxies and PHP fatals answer
// with HTML, whose text is kept short.
func apiError(status int, data []byte) *APIError {
	e := &APIError{Status: status}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil && (body.Code != "" || body.Message != "") {
		e.Code, e.Message = body.Code, plainText(body.Message)
	} else {
		e.Message = plainText(string(data))
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if r := []rune(e.Message); len(r) > 200 {
		e.Message = string(r[:200]) + "…"
	}
	return e
}
