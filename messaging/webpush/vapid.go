package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// vapidReuse is how long a signed Authorization header is reused: RFC 8292
// §2 lets a JWT be used until its exp, and renewing an hour early keeps a
// header in flight (or waiting in a retry) from expiring on the way.
// Signing once per push service and subject instead of once per message
// was the largest avoidable cost of a push campaign.
const vapidReuse = vapidTTL - time.Hour

// maxVAPIDCache bounds the cached headers: one per push service origin and
// subject (a workspace's own contact), so a few per workspace.
const maxVAPIDCache = 4096

// vapidSigner signs RFC 8292 Authorization headers with one VAPID key and
// keeps each for vapidReuse. It is safe for concurrent use.
type vapidSigner struct {
	key *ecdsa.PrivateKey
	k   string // the public key as the header's k parameter

	mu    sync.Mutex
	cache map[vapidClaims]vapidHeader
}

type vapidClaims struct{ aud, sub string }

type vapidHeader struct {
	value    string
	signedAt time.Time
}

func newVAPIDSigner(keys Keys) (*vapidSigner, error) {
	raw, err := decodeB64(keys.Private)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	pub, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID public key: %w", err)
	}
	return &vapidSigner{key: key, k: base64.RawURLEncoding.EncodeToString(pub), cache: map[vapidClaims]vapidHeader{}}, nil
}

// header returns "vapid t=<JWT>, k=<key>" for a push service origin aud
// and subject sub at time now, from the cache while the cached one is
// younger than vapidReuse. A clock that went back also renews it.
func (v *vapidSigner) header(aud, sub string, now time.Time) (string, error) {
	c := vapidClaims{aud, sub}
	v.mu.Lock()
	h, ok := v.cache[c]
	v.mu.Unlock()
	if ok && !now.Before(h.signedAt) && now.Sub(h.signedAt) < vapidReuse {
		return h.value, nil
	}
	// Concurrent senders may both sign here; the loser's header is just as
	// valid, so no lock is held across the signature.
	value, err := v.sign(c, now)
	if err != nil {
		return "", err
	}
	v.mu.Lock()
	if len(v.cache) >= maxVAPIDCache {
		clear(v.cache)
	}
	v.cache[c] = vapidHeader{value: value, signedAt: now}
	v.mu.Unlock()
	return value, nil
}

// jwtHeader is the fixed ES256 JOSE header, base64url.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))

func (v *vapidSigner) sign(c vapidClaims, now time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{c.aud, now.Add(vapidTTL).Unix(), c.sub})
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID claims: %w", err)
	}
	input := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID signature: %w", err)
	}
	// JWS wants r || s, 32 bytes each (RFC 7518 §3.4), not ASN.1.
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return "vapid t=" + input + "." + base64.RawURLEncoding.EncodeToString(sig[:]) + ", k=" + v.k, nil
}
