package webpush

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// DefaultMaxAttempts is how many requests Send makes for one message
	// when the push service keeps answering 429 or 5xx.
	DefaultMaxAttempts = 4
	// DefaultMaxWait is the longest Send sleeps between two attempts. A
	// longer Retry-After ends Send with Result.RetryAfter set, so that the
	// caller's durable job waits instead of a goroutine.
	DefaultMaxWait = time.Minute

	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
)

// retryable reports whether a status is worth another attempt: the push
// service is rate limiting (429) or failing (5xx).
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// backoff is the wait before attempt n+1 when the push service did not say:
// 1s, 2s, 4s… capped at maxBackoff.
func backoff(n int) time.Duration {
	d := firstBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3). ok is false when the header is absent or malformed.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
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
