package webpush

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Urgency values of RFC 8030 §5.3, least urgent first. Marketing pushes
// should use UrgencyLow or UrgencyNormal so they do not wake a phone on
// battery.
const (
	UrgencyVeryLow = "very-low"
	UrgencyLow     = "low"
	UrgencyNormal  = "normal"
	UrgencyHigh    = "high"
)

// DefaultTTL is used when SendOptions.TTL is zero.
const DefaultTTL = 24 * time.Hour

// vapidTTL is the JWT lifetime: RFC 8292 allows at most 24 h; half of it
// leaves room for clock skew between us and the push service.
const vapidTTL = 12 * time.Hour

// maxErrorBody bounds what is kept of a push service's answer for an error
// message; maxDrain bounds what is read at all (so the connection can be
// reused without trusting the peer's Content-Length).
const (
	maxErrorBody = 512
	maxDrain     = 64 << 10
)

// Sender sends push messages signed with one VAPID key pair. It is safe for
// concurrent use.
type Sender struct {
	keys        Keys
	subject     string
	vapid       *vapidSigner
	client      *http.Client
	log         *slog.Logger
	sleep       func(context.Context, time.Duration) error
	now         func() time.Time
	maxAttempts int
	maxWait     time.Duration
	policy      EndpointPolicy
	// err is a configuration problem (bad keys or subject) found by
	// NewSender; every Send reports it.
	err error
}

// Option configures a Sender.
type Option func(*Sender)

// WithHTTPClient sets the client used to reach push services. The default has
// a 30 s timeout, keeps many idle connections per host (pushes go to a
// handful of services) and does not follow redirects.
func WithHTTPClient(c *http.Client) Option { return func(s *Sender) { s.client = c } }

// WithLogger sets the logger for retries and gone subscriptions.
func WithLogger(l *slog.Logger) Option { return func(s *Sender) { s.log = l } }

// WithSleep replaces the wait between attempts (tests record it instead of
// sleeping). It must return ctx's error when ctx ends first.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(s *Sender) { s.sleep = f }
}

// WithMaxAttempts sets how many requests Send makes at most for one message
// (default DefaultMaxAttempts; values below 1 mean 1).
func WithMaxAttempts(n int) Option { return func(s *Sender) { s.maxAttempts = max(n, 1) } }

// WithMaxWait sets the longest wait between attempts (default
// DefaultMaxWait). A push service asking for more ends Send early.
func WithMaxWait(d time.Duration) Option { return func(s *Sender) { s.maxWait = d } }

// WithEndpointPolicy sets which endpoints Send may post to. The default
// (the zero EndpointPolicy) allows public https endpoints only; tests
// against pushtest on loopback set AllowPrivate.
func WithEndpointPolicy(p EndpointPolicy) Option { return func(s *Sender) { s.policy = p } }

// WithNow sets the clock used for Retry-After dates and the VAPID expiry.
func WithNow(f func() time.Time) Option { return func(s *Sender) { s.now = f } }

// NewSender returns a Sender for keys. subject is the contact RFC 8292 puts
// in the JWT's "sub" claim, "mailto:ops@shop.example" or an https URL; Apple's
// push service refuses pushes without it. Invalid keys or subject do not
// fail here but make every Send return the error, so wiring stays simple;
// call keys.Valid at start-up to fail early.
func NewSender(keys Keys, subject string, opts ...Option) *Sender {
	s := &Sender{
		keys:        keys,
		log:         slog.Default(),
		sleep:       sleep,
		now:         time.Now,
		maxAttempts: DefaultMaxAttempts,
		maxWait:     DefaultMaxWait,
	}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = defaultClient()
	}
	if s.client, s.err = guardClient(s.client, s.policy); s.err != nil {
		return s
	}
	if err := keys.Valid(); err != nil {
		s.err = err
	} else if s.subject, err = checkSubject(subject); err != nil {
		s.err = err
	} else if s.vapid, err = newVAPIDSigner(keys); err != nil {
		s.err = err
	}
	return s
}

// SendOptions are the RFC 8030 headers of one push.
type SendOptions struct {
	// TTL is how long the push service keeps the message while the browser
	// is offline, rounded up to whole seconds. Zero means DefaultTTL: a
	// literal TTL of 0 ("deliver now or drop") is almost never what a
	// marketing message wants, so it is not the zero value's meaning.
	TTL time.Duration
	// Urgency is one of the Urgency constants, or empty for the push
	// service's default ("normal").
	Urgency string
	// Topic, when set, replaces an undelivered message with the same topic
	// (e.g. "latest cart reminder wins"): at most 32 base64url characters.
	Topic string
	// Subject, when set, replaces the Sender's VAPID subject for this push:
	// a workspace's own contact ("mailto:…" or an https URL).
	Subject string
}

// Result is what happened to one Send.
type Result struct {
	// Status is the push service's last HTTP status (0 if none answered).
	Status int
	// Gone is set on 404 or 410: delete the subscription.
	Gone bool
	// RetryAfter is the wait the push service asked for in its last answer
	// (zero when it did not ask), or the wait Send gave up on because it was
	// longer than the Sender's maximum: the caller reschedules after it.
	RetryAfter time.Duration
	// Attempts is the number of requests made.
	Attempts int
}

// Send encrypts payload for sub and posts it to sub's push service,
// retrying 429, 5xx and network errors up to the Sender's attempt limit.
// On 404/410 it returns Result.Gone and an error wrapping ErrGone; on 401/403
// one wrapping ErrVAPIDRejected; any other unexpected answer is a
// *StatusError. payload is at most MaxPayload bytes (see Message.Encode).
func (s *Sender) Send(ctx context.Context, sub Subscription, payload []byte, o SendOptions) (Result, error) {
	if s.err != nil {
		return Result{}, s.err
	}
	sub, uaPublic, auth, err := sub.parse()
	if err != nil {
		return Result{}, err
	}
	if _, err := s.policy.checkURL(sub.Endpoint); err != nil {
		return Result{}, err
	}
	if len(payload) > MaxPayload {
		return Result{}, fmt.Errorf("%w: %d bytes, at most %d", ErrPayloadTooLarge, len(payload), MaxPayload)
	}
	ttl, err := o.check()
	if err != nil {
		return Result{}, err
	}
	who := s.subject
	if o.Subject != "" {
		if who, err = checkSubject(o.Subject); err != nil {
			return Result{}, err
		}
	}
	org := origin(sub.Endpoint)
	// One encryption serves every attempt: a retry re-posts the same
	// record, which the browser decrypts the same way.
	body, err := encrypt(payload, uaPublic, auth)
	if err != nil {
		return Result{}, fmt.Errorf("webpush: send to %s: %w", org, err)
	}
	p := pushRequest{endpoint: sub.Endpoint, origin: org, body: body, ttl: strconv.Itoa(ttl), topic: o.Topic, urgency: o.Urgency}

	var res Result
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("webpush: send to %s: %w", org, err)
		}
		res.Attempts++
		status, header, errBody, err := s.post(ctx, p, who)

		var wait time.Duration
		var failure error
		if err != nil {
			if ctx.Err() != nil {
				return res, fmt.Errorf("webpush: send to %s: %w", org, ctx.Err())
			}
			if errors.Is(err, ErrForbiddenEndpoint) {
				// The address dialled is not public: no retry can change that.
				return res, fmt.Errorf("webpush: send to %s: %w", org, err)
			}
			var uerr *url.Error
			if !errors.As(err, &uerr) {
				// Not from the HTTP client: building the request or signing
				// failed, which another attempt would repeat.
				return res, fmt.Errorf("webpush: send to %s: %w", org, err)
			}
			res.Status, res.RetryAfter = 0, 0
			failure = fmt.Errorf("webpush: send to %s: %w", org, err)
			wait = backoff(res.Attempts)
		} else {
			ra, asked := parseRetryAfter(header.Get("Retry-After"), s.now())
			res.Status, res.RetryAfter = status, ra
			serr := &StatusError{Status: status, Body: errBody}
			switch {
			case status >= 200 && status < 300:
				return res, nil
			case status == http.StatusNotFound || status == http.StatusGone:
				res.Gone = true
				s.log.LogAttrs(ctx, slog.LevelDebug, "webpush: subscription gone",
					slog.String("origin", org), slog.Int("status", status))
				return res, fmt.Errorf("webpush: send to %s: %w", org, serr)
			case !retryable(status):
				return res, fmt.Errorf("webpush: send to %s: %w", org, serr)
			}
			failure = fmt.Errorf("webpush: send to %s: %w", org, serr)
			wait = backoff(res.Attempts)
			if asked {
				wait = ra
			}
		}
		if res.Attempts >= s.maxAttempts {
			return res, fmt.Errorf("giving up after %d attempts: %w", res.Attempts, failure)
		}
		if wait > s.maxWait {
			res.RetryAfter = wait
			return res, fmt.Errorf("push service asks to wait %s (more than %s): %w", wait, s.maxWait, failure)
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "webpush: retrying",
			slog.String("origin", org), slog.Int("status", res.Status),
			slog.Int("attempt", res.Attempts), slog.Duration("wait", wait))
		if err := s.sleep(ctx, wait); err != nil {
			return res, fmt.Errorf("webpush: send to %s: %w", org, err)
		}
	}
}

// pushRequest is what every attempt of one Send posts.
type pushRequest struct {
	endpoint, origin, ttl, topic, urgency string
	body                                  []byte
}

// post makes one request, signed for subject sub, and reads a bounded
// amount of the answer.
func (s *Sender) post(ctx context.Context, p pushRequest, sub string) (int, http.Header, string, error) {
	authz, err := s.vapid.header(p.origin, sub, s.now())
	if err != nil {
		return 0, nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(p.body))
	if err != nil {
		return 0, nil, "", fmt.Errorf("webpush: request: %w", err)
	}
	req.Header["Content-Encoding"] = []string{"aes128gcm"}
	req.Header["Content-Type"] = []string{"application/octet-stream"}
	req.Header["Ttl"] = []string{p.ttl}
	req.Header["Authorization"] = []string{authz}
	if p.topic != "" {
		req.Header["Topic"] = []string{p.topic}
	}
	if p.urgency != "" {
		req.Header["Urgency"] = []string{p.urgency}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	var body string
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		body = strings.TrimSpace(strings.ToValidUTF8(string(b), string(utf8.RuneError)))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return resp.StatusCode, resp.Header, body, nil
}

// Validate reports options a push service would refuse (an unknown
// urgency, a topic outside RFC 8030 §5.4, a negative TTL), so that a
// caller can refuse them before there is anything to send.
func (o SendOptions) Validate() error {
	_, err := o.check()
	return err
}

// check validates the options and returns the TTL header's seconds.
func (o SendOptions) check() (int, error) {
	switch o.Urgency {
	case "", UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
	default:
		return 0, fmt.Errorf("webpush: urgency %q: want very-low, low, normal or high", o.Urgency)
	}
	if err := checkTopic(o.Topic); err != nil {
		return 0, err
	}
	switch {
	case o.TTL < 0:
		return 0, fmt.Errorf("webpush: negative TTL %s", o.TTL)
	case o.TTL == 0:
		return int(DefaultTTL / time.Second), nil
	}
	secs := (o.TTL + time.Second - 1) / time.Second
	return int(min(secs, math.MaxInt32)), nil
}

// checkTopic enforces RFC 8030 §5.4: a push service answers 400 to anything
// else, which is better found before the request.
func checkTopic(t string) error {
	if len(t) > 32 {
		return fmt.Errorf("webpush: topic longer than 32 characters")
	}
	for _, c := range []byte(t) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("webpush: topic %q: only base64url characters (A-Z a-z 0-9 - _) allowed", t)
		}
	}
	return nil
}

// ValidSubject checks a VAPID subject: "mailto:" and a plain address, or
// an https URL (RFC 8292 §2.1).
func ValidSubject(subject string) error {
	_, err := checkSubject(subject)
	return err
}

// checkSubject returns subject as the JWT's "sub" claim carries it, or why
// a push service would refuse it.
func checkSubject(subject string) (string, error) {
	if addr, ok := strings.CutPrefix(subject, "mailto:"); ok {
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || a.Name != "" {
			return "", fmt.Errorf("webpush: VAPID subject %q: not a plain e-mail address", subject)
		}
		return subject, nil
	}
	if u, err := url.Parse(subject); err == nil && u.Scheme == "https" && u.Host != "" && strings.HasPrefix(subject, "https:") {
		return subject, nil
	}
	return "", fmt.Errorf("webpush: VAPID subject %q: want mailto:address or an https URL", subject)
}

// guardClient returns c with its transport's dialer refusing the addresses
// p refuses. The check has to sit in the dialer, on the address really
// connected to, so a transport it cannot be put into is refused unless p
// allows private addresses anyway.
func guardClient(c *http.Client, p EndpointPolicy) (*http.Client, error) {
	var tr *http.Transport
	switch t := c.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		if p.AllowPrivate {
			return c, nil
		}
		return nil, fmt.Errorf("webpush: HTTP client transport %T: need an *http.Transport to check the addresses dialled", t)
	}
	//lint:ignore SA1019 the deprecated hooks would bypass the check, so they must be looked at
	if tr.DialTLSContext != nil || tr.Dial != nil || tr.DialTLS != nil {
		if p.AllowPrivate {
			return c, nil
		}
		return nil, errors.New("webpush: HTTP client transport has its own dialer: the endpoint policy cannot check the addresses dialled")
	}
	if !p.AllowPrivate {
		tr.Proxy = nil // a proxy would connect on our behalf, past the check
	}
	tr.DialContext = p.dialContext(&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second})
	g := *c
	g.Transport = tr
	return &g, nil
}

// defaultClient is tuned for many concurrent posts to a few push services.
func defaultClient() *http.Client {
	var tr *http.Transport
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = t.Clone()
	} else {
		tr = &http.Transport{}
	}
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{
		Transport: tr,
		Timeout:   30 * time.Second,
		// A push service has no reason to redirect, and following one
		// would re-post the message elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
