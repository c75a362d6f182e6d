package webpush

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MaxEndpointLen bounds a subscription's endpoint. Real endpoints (FCM,
// Mozilla autopush, Apple, Edge) are a few hundred bytes; the bound keeps a
// hostile client from storing megabytes per row.
const MaxEndpointLen = 2048

// Subscription is a browser's push subscription as PushSubscription.toJSON()
// gives it: the push resource URL, the user agent's ECDH public key (p256dh)
// and its 16-byte auth secret, both base64url.
//
// It marshals to and from that JSON shape, so what the browser posted can be
// stored and read back unchanged; unmarshalling validates like
// ParseSubscription.
type Subscription struct {
	Endpoint string
	P256dh   string
	Auth     string
}

// wireSubscription is the JSON of PushSubscription.toJSON().
type wireSubscription struct {
	Endpoint       string `json:"endpoint"`
	ExpirationTime *int64 `json:"expirationTime,omitempty"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// ParseSubscription decodes and validates the JSON a browser's
// PushSubscription.toJSON() produces. The endpoint must be https (http only
// for loopback hosts, which is what tests use), p256dh a point on P-256 and
// auth 16 bytes. This is the syntax only: whether the server may post to
// the endpoint is EndpointPolicy's decision. The returned subscription has
// a canonical endpoint (lower case host, no default port) and unpadded
// keys.
func ParseSubscription(b []byte) (Subscription, error) {
	var w wireSubscription
	if err := json.Unmarshal(b, &w); err != nil {
		return Subscription{}, fmt.Errorf("webpush: subscription: %w", err)
	}
	return Subscription{Endpoint: w.Endpoint, P256dh: w.Keys.P256dh, Auth: w.Keys.Auth}.normalize()
}

// Validate checks a subscription that did not come through ParseSubscription
// (for example one read back from storage).
func (s Subscription) Validate() error {
	_, err := s.normalize()
	return err
}

// MarshalJSON writes the PushSubscription.toJSON() shape.
func (s Subscription) MarshalJSON() ([]byte, error) {
	var w wireSubscription
	w.Endpoint, w.Keys.P256dh, w.Keys.Auth = s.Endpoint, s.P256dh, s.Auth
	return json.Marshal(w)
}

// UnmarshalJSON reads the PushSubscription.toJSON() shape and validates it.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	v, err := ParseSubscription(b)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// normalize validates s and returns it in canonical form.
func (s Subscription) normalize() (Subscription, error) {
	n, _, _, err := s.parse()
	return n, err
}

// parse is normalize that also hands back the decoded keys, so that Send
// does not decode them a second time to encrypt.
func (s Subscription) parse() (Subscription, *ecdh.PublicKey, []byte, error) {
	endpoint, err := canonicalEndpoint(s.Endpoint)
	if err != nil {
		return Subscription{}, nil, nil, fmt.Errorf("webpush: subscription endpoint: %w", err)
	}
	pub, err := decodePoint(s.P256dh)
	if err != nil {
		return Subscription{}, nil, nil, fmt.Errorf("webpush: subscription p256dh: %w", err)
	}
	auth, err := decodeB64(s.Auth)
	if err != nil {
		return Subscription{}, nil, nil, fmt.Errorf("webpush: subscription auth: %w", err)
	}
	if len(auth) != 16 {
		return Subscription{}, nil, nil, fmt.Errorf("webpush: subscription auth: want 16 bytes, got %d", len(auth))
	}
	return Subscription{
		Endpoint: endpoint,
		P256dh:   base64.RawURLEncoding.EncodeToString(pub.Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}, pub, auth, nil
}

// canonicalEndpoint checks an endpoint and rewrites its origin the way RFC
// 6454 serialises it. The VAPID "aud" claim is built as
// scheme + "://" + URL.Host verbatim (origin), so an endpoint written with an upper
// case host or an explicit default port would yield an aud the push service
// does not recognise as its origin and a 403.
func canonicalEndpoint(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("missing")
	}
	if len(raw) > MaxEndpointLen {
		return "", fmt.Errorf("longer than %d bytes", MaxEndpointLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "":
		return "", errors.New("no host")
	case u.User != nil:
		return "", errors.New("must not carry user info")
	case u.Fragment != "":
		return "", errors.New("must not have a fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(host):
		// Only for tests against a local fake push service.
	default:
		return "", fmt.Errorf("scheme %q: must be https", u.Scheme)
	}
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	return u.String(), nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// origin is the endpoint's RFC 6454 origin, the only part of it that may be
// logged: the rest is a capability that lets anyone push to the browser.
func origin(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "invalid"
	}
	return u.Scheme + "://" + u.Host
}
