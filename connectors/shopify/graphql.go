package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrUnauthorized means Shopify refused the access token (HTTP 401 or 403):
// the app was uninstalled or the token revoked. Callers should mark the
// shop disconnected rather than retry.
var ErrUnauthorized = errors.New("shopify: access token rejected")

// ErrThrottled is what a call returns, wrapped, when Shopify still
// throttled it after every allowed attempt.
var ErrThrottled = errors.New("shopify: throttled")

// maxResponse bounds how much of an answer is read: a product page is a few
// hundred kilobytes, anything far larger is not an Admin API answer.
const maxResponse = 32 << 20

// HTTPError is a non-2xx answer that is neither an auth failure nor a
// retryable one (or a retryable one after the last attempt).
type HTTPError struct {
	StatusCode int
	Body       string // the first bytes of the answer, for diagnosis
}

// Error reports the status and the start of the answer.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("shopify: HTTP %d: %s", e.StatusCode, e.Body)
}

// GraphQLError lists the top-level errors of a GraphQL answer (syntax
// errors, unknown fields, access denied, cost exceeded).
type GraphQLError struct {
	Errors []GraphQLErrorEntry
}

// GraphQLErrorEntry is one entry of a GraphQL answer's errors array.
type GraphQLErrorEntry struct {
	Message string
	Code    string // extensions.code, e.g. "ACCESS_DENIED", "MAX_COST_EXCEEDED"
	Path    []any
}

// Error lists every entry with its path and code.
func (e *GraphQLError) Error() string {
	parts := make([]string, 0, len(e.Errors))
	for _, x := range e.Errors {
		s := x.Message
		if x.Code != "" {
			s += " (" + x.Code + ")"
		}
		if len(x.Path) > 0 {
			s = fmt.Sprint(x.Path...) + ": " + s
		}
		parts = append(parts, s)
	}
	return "shopify: graphql: " + strings.Join(parts, "; ")
}

// ThrottleStatus is the shop's query-cost bucket as the last answer
// reported it (extensions.cost). Shopify charges each query its cost in
// points from a bucket of MaximumAvailable points that refills at
// RestoreRate points per second.
type ThrottleStatus struct {
	MaximumAvailable   float64
	CurrentlyAvailable float64
	RestoreRate        float64
	RequestedCost      float64 // of the last query
	ActualCost         float64 // of the last query; 0 when it was throttled
	At                 time.Time
}

// Throttle returns the last known bucket state, for progress reports and
// logs. At is zero before the first answer.
func (c *Client) Throttle() ThrottleStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.throttle
}

type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Path       []any  `json:"path"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
	Extensions struct {
		Cost *struct {
			RequestedQueryCost float64  `json:"requestedQueryCost"`
			ActualQueryCost    *float64 `json:"actualQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

// Do runs one GraphQL query or mutation and decodes its data into out
// (which may be nil). Numbers under interface{} values stay json.Number, so
// ids survive. It paces itself on the cost bucket, retries THROTTLED
// answers, 429 and 5xx a bounded number of times, and returns ErrUnauthorized
// (wrapped) for 401/403. When the answer has top-level errors, data that
// came with them is still decoded into out and a *GraphQLError is returned.
//
// A mutation retried after a 5xx may already have been applied; the
// mutations used here are create-if-absent, so a retry at worst reports
// the object as taken.
func (c *Client) Do(ctx context.Context, query string, vars map[string]any, out any) error {
	payload, err := json.Marshal(gqlRequest{Query: query, Variables: vars})
	if err != nil {
		return fmt.Errorf("shopify: encode request: %w", err)
	}
	endpoint := c.base + "/admin/api/" + c.version + "/graphql.json"
	var last error
	for attempt := 1; ; attempt++ {
		if err := c.waitForBudget(ctx); err != nil {
			return fmt.Errorf("shopify: waiting for the query budget: %w", err)
		}
		wait, err := c.attempt(ctx, endpoint, payload, attempt, out)
		if wait < 0 {
			return err
		}
		last = err
		if attempt >= c.maxAttempts {
			return fmt.Errorf("shopify: %s: giving up after %d attempts: %w", c.shop, attempt, last)
		}
		c.log.DebugContext(ctx, "shopify: retrying", "shop", c.shop, "attempt", attempt, "wait", wait, "reason", last.Error())
		if err := c.wait(ctx, wait); err != nil {
			// Both stay in the chain: the caller tells "unreachable" (the
			// last attempt's dial error) from "timed out" (only ctx).
			return fmt.Errorf("shopify: %s: waiting to retry (%w): %w", c.shop, last, err)
		}
	}
}

// attempt sends the request once. A negative wait means the call is over
// (err is its result, nil on success); otherwise err says why it should be
// retried after wait.
func (c *Client) attempt(ctx context.Context, endpoint string, payload []byte, n int, out any) (time.Duration, error) {
	status, header, body, err := c.post(ctx, endpoint, payload, map[string]string{"X-Shopify-Access-Token": c.token})
	if err != nil {
		if ctx.Err() != nil {
			return -1, fmt.Errorf("shopify: %s: %w", c.shop, ctx.Err())
		}
		return backoff(n), fmt.Errorf("shopify: %s: %w", c.shop, err)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return -1, fmt.Errorf("shopify: %s: HTTP %d: %w", c.shop, status, ErrUnauthorized)
	case status == http.StatusTooManyRequests:
		if d, ok := retryAfter(header.Get("Retry-After")); ok {
			return d, ErrThrottled
		}
		return c.throttleWait(n), ErrThrottled
	case status >= 500:
		return backoff(n), &HTTPError{StatusCode: status, Body: snippet(body)}
	case status != http.StatusOK:
		return -1, &HTTPError{StatusCode: status, Body: snippet(body)}
	}
	var r gqlResponse
	if err := decodeJSON(body, &r); err != nil {
		return -1, fmt.Errorf("shopify: %s: decode answer: %w", c.shop, err)
	}
	c.observe(r)
	var gerr *GraphQLError
	for _, e := range r.Errors {
		if e.Extensions.Code == "THROTTLED" {
			return c.throttleWait(n), ErrThrottled
		}
		if gerr == nil {
			gerr = &GraphQLError{}
		}
		gerr.Errors = append(gerr.Errors, GraphQLErrorEntry{Message: e.Message, Code: e.Extensions.Code, Path: e.Path})
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := decodeJSON(r.Data, out); err != nil {
			return -1, fmt.Errorf("shopify: %s: decode data: %w", c.shop, err)
		}
	}
	if gerr != nil {
		return -1, gerr
	}
	return -1, nil
}

// post sends one JSON POST and reads the answer, bounded.
func (c *Client) post(ctx context.Context, endpoint string, payload []byte, headers map[string]string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "cartwheel (+https://github.com/cartwheelhq/cartwheel)")
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// observe records the cost bucket an answer reports.
func (c *Client) observe(r gqlResponse) {
	cost := r.Extensions.Cost
	if cost == nil {
		return
	}
	ts := ThrottleStatus{
		MaximumAvailable:   cost.ThrottleStatus.MaximumAvailable,
		CurrentlyAvailable: cost.ThrottleStatus.CurrentlyAvailable,
		RestoreRate:        cost.ThrottleStatus.RestoreRate,
		RequestedCost:      cost.RequestedQueryCost,
		At:                 time.Now(),
	}
	if cost.ActualQueryCost != nil {
		ts.ActualCost = *cost.ActualQueryCost
	}
	c.mu.Lock()
	c.throttle = ts
	c.slept = 0
	c.mu.Unlock()
}

// wait sleeps d through the configured sleep function and counts it
// towards the bucket's refill: with a fake sleep in tests (or a clock that
// jumps) wall time alone would not show that the wait happened.
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	err := c.sleep(ctx, d)
	if err == nil {
		c.mu.Lock()
		c.slept += d
		c.mu.Unlock()
	}
	return err
}

// deficitWait is how long the bucket needs to regain deficit points,
// rounded up to the millisecond so the refill is never a hair short.
func deficitWait(deficit, rate float64) time.Duration {
	if deficit <= 0 {
		return 0
	}
	ms := math.Ceil(deficit / rate * 1000)
	return time.Duration(min(ms, 60_000)) * time.Millisecond
}

// waitForBudget sleeps before a query when the bucket, refilled since the
// last answer, holds less than the last query cost: cheaper than sending a
// query Shopify would refuse.
func (c *Client) waitForBudget(ctx context.Context) error {
	c.mu.Lock()
	ts, slept := c.throttle, c.slept
	c.mu.Unlock()
	if ts.At.IsZero() || ts.RestoreRate <= 0 || ts.RequestedCost <= 0 {
		return nil
	}
	elapsed := max(time.Since(ts.At), slept)
	avail := min(ts.MaximumAvailable, ts.CurrentlyAvailable+ts.RestoreRate*elapsed.Seconds())
	need := min(ts.RequestedCost, ts.MaximumAvailable)
	d := deficitWait(need-avail, ts.RestoreRate)
	if d <= 0 {
		return nil
	}
	c.log.DebugContext(ctx, "shopify: pacing on query cost", "shop", c.shop, "available", avail, "cost", ts.RequestedCost, "wait", d)
	return c.wait(ctx, d)
}

// throttleWait is the wait after a refused query: what the bucket needs to
// afford it again, or a backoff when the bucket is unknown.
func (c *Client) throttleWait(attempt int) time.Duration {
	ts := c.Throttle()
	if ts.RestoreRate <= 0 || ts.RequestedCost <= 0 {
		return backoff(attempt)
	}
	need := min(ts.RequestedCost, ts.MaximumAvailable)
	if d := deficitWait(need-ts.CurrentlyAvailable, ts.RestoreRate); d > 0 {
		return d
	}
	return backoff(attempt)
}

// backoff is the wait before retry n of a failed request: 0.5 s doubling,
// capped at 16 s. No jitter: retries of one shop are already serialised by
// its sync worker.
func backoff(n int) time.Duration {
	return 500 * time.Millisecond << min(max(n-1, 0), 5)
}

// retryAfter parses a Retry-After header: seconds (Shopify sends "2.0") or
// an HTTP date.
func retryAfter(h string) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(h, 64); err == nil && s >= 0 && s < 3600 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// snippet returns the start of an error answer for an error message.
func snippet(b []byte) string {
	const n = 200
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// decodeJSON decodes one JSON value into v, keeping numbers in interface{}
// positions as json.Number, and rejects trailing data.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
