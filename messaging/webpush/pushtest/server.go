// Package pushtest is a fake Web Push service for tests: an httptest server
// that checks requests the way a real push service does (VAPID per RFC 8292,
// the TTL, Urgency and Topic headers of RFC 8030, an aes128gcm body per RFC
// 8291), decrypts them with the subscription's receiver keys and records
// what arrived. It answers 201, or whatever a test tells it to (Fail,
// Expire, Restrict).
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// maxBody is what RFC 8030 §7.2 obliges a push service to accept; the fake
// accepts no more, so a sender that relies on more fails here first.
const maxBody = 4096

// Receiver is the browser's side of one subscription: the ECDH key pair
// whose public half is the subscription's p256dh and the auth secret.
type Receiver struct {
	ID      string
	Private *ecdh.PrivateKey
	Auth    []byte
}

// Decrypt opens a push body sent to this receiver.
func (r *Receiver) Decrypt(body []byte) ([]byte, error) {
	return Decrypt(r.Private, r.Auth, body)
}

// Delivery is one accepted push message.
type Delivery struct {
	SubscriptionID string
	Plaintext      []byte
	// BodyLen is the size of the encrypted body on the wire.
	BodyLen int
	TTL     time.Duration
	Urgency string
	Topic   string
	Claims  Claims
	// VAPIDKey is the k parameter: the sender's VAPID public key.
	VAPIDKey string
}

// Server is the fake push service. Its methods are safe for concurrent use.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	origin string

	mu         sync.Mutex
	subs       map[string]*subState
	deliveries []Delivery
	requests   int
}

type subState struct {
	recv       *Receiver
	failStatus int
	failN      int
	retryAfter string
	expired    bool
	restrictTo string
}

// NewServer starts a fake push service that stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, subs: make(map[string]*subState)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.origin = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the service's origin, which is also the VAPID audience it expects.
func (s *Server) URL() string { return s.origin }

// Subscribe creates a subscription with fresh receiver keys, as a browser's
// pushManager.subscribe would, with the endpoint {URL}/push/{id}.
func (s *Server) Subscribe() (webpush.Subscription, *Receiver) {
	s.t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		s.t.Fatalf("pushtest: receiver key: %v", err)
	}
	r := &Receiver{ID: rand.Text(), Private: priv, Auth: make([]byte, 16)}
	_, _ = rand.Read(r.Auth)
	s.mu.Lock()
	s.subs[r.ID] = &subState{recv: r}
	s.mu.Unlock()
	return webpush.Subscription{
		Endpoint: s.origin + "/push/" + r.ID,
		P256dh:   base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(r.Auth),
	}, r
}

// Fail makes the next n requests for subscription id answer status, with a
// Retry-After header when retryAfter is not empty.
func (s *Server) Fail(id string, status, n int, retryAfter string) {
	s.with(id, func(st *subState) { st.failStatus, st.failN, st.retryAfter = status, n, retryAfter })
}

// Expire makes every later request for subscription id answer 410 Gone.
func (s *Server) Expire(id string) { s.with(id, func(st *subState) { st.expired = true }) }

// Restrict makes subscription id accept only pushes signed with the VAPID
// public key applicationServerKey and answer others 403, as a push service
// does for a subscription created with that key.
func (s *Server) Restrict(id, applicationServerKey string) {
	s.with(id, func(st *subState) { st.restrictTo = applicationServerKey })
}

// Deliveries returns the accepted messages in arrival order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Count is the number of accepted messages.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.deliveries)
}

// Requests is the number of requests received, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) with(id string, f func(*subState)) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.subs[id]
	if st == nil {
		s.t.Errorf("pushtest: unknown subscription %q", id)
		return
	}
	f(st)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.requests++
	st := s.subs[id]
	var recv *Receiver
	var restrictTo string
	switch {
	case st == nil:
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	case st.expired:
		s.mu.Unlock()
		http.Error(w, "subscription expired", http.StatusGone)
		return
	case st.failN > 0:
		st.failN--
		status, ra := st.failStatus, st.retryAfter
		s.mu.Unlock()
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, "pushtest: failing as told", status)
		return
	default:
		recv, restrictTo = st.recv, st.restrictTo
		s.mu.Unlock()
	}

	d, status, err := s.check(r, recv, restrictTo)
	if err != nil {
		s.t.Logf("pushtest: %d for %s: %v", status, id, err)
		http.Error(w, err.Error(), status)
		return
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	n := len(s.deliveries)
	s.mu.Unlock()
	w.Header().Set("Location", s.origin+"/message/"+strconv.Itoa(n))
	w.Header().Set("TTL", strconv.Itoa(int(d.TTL/time.Second)))
	w.WriteHeader(http.StatusCreated)
}

// check validates one push request and decrypts it; on failure it returns
// the status a push service would answer.
func (s *Server) check(r *http.Request, recv *Receiver, restrictTo string) (Delivery, int, error) {
	d := Delivery{SubscriptionID: recv.ID}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return d, http.StatusUnauthorized, fmt.Errorf("no Authorization header")
	}
	token, key, err := parseVAPID(authz)
	if err != nil {
		return d, http.StatusUnauthorized, err
	}
	if d.Claims, err = verifyJWT(token, key, s.origin, time.Now()); err != nil {
		return d, http.StatusForbidden, err
	}
	d.VAPIDKey = key
	if restrictTo != "" && key != restrictTo {
		return d, http.StatusForbidden, fmt.Errorf("VAPID key %s is not the subscription's applicationServerKey", key)
	}
	ttl := r.Header.Values("TTL")
	if len(ttl) != 1 {
		return d, http.StatusBadRequest, fmt.Errorf("want one TTL header, got %d", len(ttl))
	}
	secs, err := strconv.ParseUint(ttl[0], 10, 63)
	if err != nil {
		return d, http.StatusBadRequest, fmt.Errorf("TTL %q: %w", ttl[0], err)
	}
	d.TTL = time.Duration(min(secs, 1<<31)) * time.Second
	if urg := r.Header.Values("Urgency"); len(urg) > 1 {
		return d, http.StatusBadRequest, fmt.Errorf("%d Urgency headers", len(urg))
	} else if len(urg) == 1 {
		switch d.Urgency = urg[0]; d.Urgency {
		case "very-low", "low", "normal", "high":
		default:
			return d, http.StatusBadRequest, fmt.Errorf("urgency %q", d.Urgency)
		}
	}
	d.Topic = r.Header.Get("Topic")
	if !validTopic(d.Topic) {
		return d, http.StatusBadRequest, fmt.Errorf("topic %q: at most 32 base64url characters", d.Topic)
	}
	if ce := r.Header.Values("Content-Encoding"); len(ce) != 1 || ce[0] != "aes128gcm" {
		return d, http.StatusBadRequest, fmt.Errorf("Content-Encoding %q, want aes128gcm", ce)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return d, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBody {
		return d, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", maxBody)
	}
	d.BodyLen = len(body)
	if d.Plaintext, err = recv.Decrypt(body); err != nil {
		return d, http.StatusBadRequest, err
	}
	return d, 0, nil
}

func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for _, c := range []byte(t) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
