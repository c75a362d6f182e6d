package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Claims are the VAPID JWT claims RFC 8292 §2 defines.
type Claims struct {
	Audience string
	Expiry   time.Time
	Subject  string
}

// parseVAPID splits "vapid t=<JWT>, k=<key>" (RFC 8292 §3); unknown
// parameters are ignored as the RFC requires.
func parseVAPID(header string) (token, key string, err error) {
	scheme, params, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return "", "", errors.New(`authorization scheme is not "vapid"`)
	}
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			token = value
		case "k":
			key = value
		}
	}
	if token == "" || key == "" {
		return "", "", errors.New("vapid authorization needs both t and k")
	}
	return token, key, nil
}

// verifyJWT checks an ES256 JWT under the uncompressed P-256 key k and the
// claims RFC 8292 requires of it at time now for a push service at origin.
func verifyJWT(token, k, origin string, now time.Time) (Claims, error) {
	rawKey, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return Claims{}, fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return Claims{}, fmt.Errorf("k: %w", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("JWT must have three parts")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return Claims{}, fmt.Errorf("JWT header: %w", err)
	}
	if hdr.Alg != "ES256" {
		return Claims{}, fmt.Errorf("JWT alg %q, want ES256", hdr.Alg)
	}
	// JWS ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4), not DER.
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return Claims{}, errors.New("JWT signature is not 64 bytes of base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return Claims{}, errors.New("JWT signature does not verify under k")
	}
	var body struct {
		Aud json.RawMessage `json:"aud"`
		Exp *int64          `json:"exp"`
		Sub string          `json:"sub"`
	}
	if err := decodeSegment(parts[1], &body); err != nil {
		return Claims{}, fmt.Errorf("JWT claims: %w", err)
	}
	c := Claims{Subject: body.Sub}
	if !audienceIncludes(body.Aud, origin) {
		return Claims{}, fmt.Errorf("JWT aud %s does not include %s", body.Aud, origin)
	}
	c.Audience = origin
	if body.Exp == nil {
		return Claims{}, errors.New("JWT has no exp")
	}
	c.Expiry = time.Unix(*body.Exp, 0)
	if !c.Expiry.After(now) {
		return Claims{}, fmt.Errorf("JWT expired at %s", c.Expiry.UTC())
	}
	if c.Expiry.Sub(now) > 24*time.Hour {
		return Claims{}, fmt.Errorf("JWT exp %s is more than 24 h ahead", c.Expiry.UTC())
	}
	if err := checkSubject(c.Subject); err != nil {
		return Claims{}, err
	}
	return c, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// audienceIncludes accepts aud as a string or an array of strings (RFC 7519
// §4.1.3).
func audienceIncludes(aud json.RawMessage, origin string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == origin
	}
	var many []string
	if json.Unmarshal(aud, &many) == nil {
		for _, a := range many {
			if a == origin {
				return true
			}
		}
	}
	return false
}

// checkSubject wants a contact URI: mailto with a plain address (which also
// catches a doubled "mailto:mailto:") or an https URL.
func checkSubject(sub string) error {
	if addr, ok := strings.CutPrefix(sub, "mailto:"); ok {
		if a, err := mail.ParseAddress(addr); err == nil && a.Address == addr {
			return nil
		}
		return fmt.Errorf("JWT sub %q is not a mailto: address", sub)
	}
	if u, err := url.Parse(sub); err == nil && u.Scheme == "https" && u.Host != "" {
		return nil
	}
	return fmt.Errorf("JWT sub %q is neither a mailto: address nor an https URL", sub)
}
