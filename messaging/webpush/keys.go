package webpush

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
)

// Keys is a VAPID key pair on P-256, both halves base64url without padding.
// Public is the 65-byte uncompressed point (0x04 || X || Y) that the browser
// takes as applicationServerKey; Private is the 32-byte scalar.
//
// Keys formats and logs without its private half, so a stray %v or slog
// attribute cannot leak it.
type Keys struct {
	Public  string
	Private string
}

// GenerateKeys makes a new VAPID key pair.
func GenerateKeys() (Keys, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("webpush: generate VAPID keys: %w", err)
	}
	return Keys{
		Public:  base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Private: base64.RawURLEncoding.EncodeToString(priv.Bytes()),
	}, nil
}

// Valid reports whether both halves decode, lie on P-256 and belong
// together. A key pair read back from storage is checked before use because a
// mismatched pair signs JWTs that every push service answers with 403.
func (k Keys) Valid() error {
	pub, err := decodePoint(k.Public)
	if err != nil {
		return fmt.Errorf("webpush: VAPID public key: %w", err)
	}
	raw, err := decodeB64(k.Private)
	if err != nil {
		return fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	priv, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	if subtle.ConstantTimeCompare(priv.PublicKey().Bytes(), pub.Bytes()) != 1 {
		return errors.New("webpush: VAPID private key does not match the public key")
	}
	return nil
}

// String shows the public half only.
func (k Keys) String() string { return "webpush.Keys{Public:" + k.Public + ", Private:<redacted>}" }

// GoString keeps %#v from printing the private half.
func (k Keys) GoString() string { return k.String() }

// LogValue keeps slog from printing the private half.
func (k Keys) LogValue() slog.Value {
	return slog.GroupValue(slog.String("public", k.Public))
}

// decodeB64 accepts base64url with or without padding: browsers send it
// unpadded, some server libraries pad it.
func decodeB64(s string) ([]byte, error) {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64url: %w", err)
	}
	return b, nil
}

// decodePoint decodes an uncompressed P-256 point and checks it is on the
// curve (ecdh rejects off-curve points and the point at infinity).
func decodePoint(s string) (*ecdh.PublicKey, error) {
	b, err := decodeB64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 65 || b[0] != 4 {
		return nil, fmt.Errorf("want a 65-byte uncompressed P-256 point, got %d bytes", len(b))
	}
	pub, err := ecdh.P256().NewPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("not a P-256 point: %w", err)
	}
	return pub, nil
}
