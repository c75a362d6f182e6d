// Package messaging runs delivery for the whole instance: it holds the
// VAPID key pair web push is signed with and the browsers' push
// subscriptions. The protocols live in messaging/webpush and
// messaging/email; what to send, to whom and when is decided by automation
// and handed here.
package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// vapidSetting is where the sealed key pair is kept; vapidContext binds
// the ciphertext to that use.
const (
	vapidSetting = "vapid_keys"
	vapidContext = "setting:vapid_keys"
)

// Service is the delivery side's state.
type Service struct {
	st  *store.Store
	box *secrets.Box
	log *slog.Logger
	now func() time.Time
	// keys caches the VAPID pair once read: it never changes, and
	// /push/key is public, so no request should cost a read and a decrypt.
	mu   sync.Mutex
	keys *webpush.Keys
	// push decides which subscription endpoints are stored.
	push webpush.EndpointPolicy
	// Deliverability (see deliverability.go).
	verp     *bounce.VERP
	rec      Recorder
	resolver Resolver
	relay    string
	dkimMu   sync.Mutex
	dkim     map[string]*email.DKIMKey
}

// Option configures a Service.
type Option func(*Service)

// WithPushPolicy sets which push endpoints Subscribe accepts; the default
// (the zero policy) takes public https endpoints only.
func WithPushPolicy(p webpush.EndpointPolicy) Option { return func(s *Service) { s.push = p } }

// New returns a Service; now may be nil (time.Now).
func New(st *store.Store, box *secrets.Box, log *slog.Logger, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{st: st, box: box, log: log, now: now, resolver: net.DefaultResolver, dkim: map[string]*email.DKIMKey{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// VAPIDKeys returns the instance's VAPID key pair, generating and storing
// it (sealed) on first use. Every browser subscription is bound to the
// public key, so it must never change once subscriptions exist: two
// replicas starting at once both keep whichever pair was stored first.
func (s *Service) VAPIDKeys(ctx context.Context) (webpush.Keys, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys != nil {
		return *s.keys, nil
	}
	sealed, err := s.st.Setting(ctx, vapidSetting)
	if errors.Is(err, store.ErrNotFound) {
		k, err := webpush.GenerateKeys()
		if err != nil {
			return webpush.Keys{}, err
		}
		b, _ := json.Marshal(k)
		if sealed, err = s.st.SetSettingOnce(ctx, vapidSetting, s.box.Seal(string(b), vapidContext)); err != nil {
			return webpush.Keys{}, err
		}
		s.log.Info("VAPID key pair generated", "public_key", k.Public)
	} else if err != nil {
		return webpush.Keys{}, err
	}
	plain, err := s.box.Open(sealed, vapidContext)
	if err != nil {
		return webpush.Keys{}, fmt.Errorf("open VAPID keys: %w", err)
	}
	var k webpush.Keys
	if err := json.Unmarshal([]byte(plain), &k); err != nil {
		return webpush.Keys{}, fmt.Errorf("stored VAPID keys: %w", err)
	}
	if err := k.Valid(); err != nil {
		return webpush.Keys{}, fmt.Errorf("stored VAPID keys: %w", err)
	}
	s.keys = &k
	return k, nil
}

// InvalidSubscription is a subscription the browser sent that cannot be
// used; the HTTP layer answers 400.
type InvalidSubscription struct{ Err error }

func (e *InvalidSubscription) Error() string { return "push subscription: " + e.Err.Error() }

// InvalidInput marks the error as the caller's fault.
func (e *InvalidSubscription) InvalidInput() {}

// Subscribe validates a browser's PushSubscription (its toJSON form) and
// stores it for the visitor. The endpoint must be a public https URL: the
// server later posts to it, so anything else would let a page make the
// server reach its own network.
func (s *Service) Subscribe(ctx context.Context, workspaceID, visitorID string, raw json.RawMessage, userAgent string) (store.PushSubscription, error) {
	sub, err := webpush.ParseSubscription(raw)
	if err != nil {
		return store.PushSubscription{}, &InvalidSubscription{err}
	}
	if err := s.push.Check(ctx, sub.Endpoint); err != nil {
		return store.PushSubscription{}, &InvalidSubscription{err}
	}
	if len(userAgent) > 512 {
		userAgent = userAgent[:512]
	}
	p, err := s.st.SavePushSubscription(ctx, store.PushSubscription{ID: ids.New("push"), WorkspaceID: workspaceID,
		VisitorID: visitorID, Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, UserAgent: userAgent,
		UpdatedAt: s.now().UTC()})
	if err != nil {
		return p, err
	}
	s.log.Info("push subscription saved", "workspace", workspaceID, "subscription", p.ID)
	return p, nil
}

// Unsubscribe forgets a browser's subscription.
func (s *Service) Unsubscribe(ctx context.Context, workspaceID string, raw json.RawMessage) error {
	sub, err := webpush.ParseSubscription(raw)
	if err != nil {
		return &InvalidSubscription{err}
	}
	return s.st.DeletePushSubscription(ctx, workspaceID, sub.Endpoint)
}
