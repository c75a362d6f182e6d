package shopify

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signSessionToken makes a token as App Bridge would.
func signSessionToken(t *testing.T, secret string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifySessionToken(t *testing.T) {
	const key, secret = "app-api-key", "app-client-secret"
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "https://kawa.myshopify.com/admin", "dest": "https://kawa.myshopify.com", "aud": key,
			"sub": "42", "exp": now.Add(50 * time.Second).Unix(), "nbf": now.Add(-10 * time.Second).Unix(),
			"iat": now.Add(-10 * time.Second).Unix(), "jti": "abc", "sid": "s1"}
	}
	c, err := VerifySessionToken(signSessionToken(t, secret, good()), key, secret, now)
	if err != nil || c.Shop != "kawa.myshopify.com" || c.UserID != "42" || c.SessionID != "s1" {
		t.Fatalf("a good token: %+v %v", c, err)
	}
	// A few seconds of clock skew are forgiven.
	skew := good()
	skew["nbf"] = now.Add(3 * time.Second).Unix()
	if _, err := VerifySessionToken(signSessionToken(t, secret, skew), key, secret, now); err != nil {
		t.Errorf("nbf 3 s ahead: %v", err)
	}
	for name, mutate := range map[string]func(jwt.MapClaims){
		"expired":          func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() },
		"not yet valid":    func(c jwt.MapClaims) { c["nbf"] = now.Add(30 * time.Second).Unix() },
		"no expiry":        func(c jwt.MapClaims) { delete(c, "exp") },
		"wrong audience":   func(c jwt.MapClaims) { c["aud"] = "another-app" },
		"issuer elsewhere": func(c jwt.MapClaims) { c["iss"] = "https://other.myshopify.com/admin" },
		"dest not a shop":  func(c jwt.MapClaims) { c["dest"] = "https://evil.example"; c["iss"] = "https://evil.example/admin" },
		"no staff member":  func(c jwt.MapClaims) { delete(c, "sub") },
	} {
		c := good()
		mutate(c)
		if _, err := VerifySessionToken(signSessionToken(t, secret, c), key, secret, now); !errors.Is(err, ErrSessionToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := VerifySessionToken(signSessionToken(t, "another-secret", good()), key, secret, now); !errors.Is(err, ErrSessionToken) {
		t.Errorf("wrongly signed: %v", err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, good())
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if _, err := VerifySessionToken(unsigned, key, secret, now); !errors.Is(err, ErrSessionToken) {
		t.Errorf("alg none: %v", err)
	}
	if _, err := VerifySessionToken("not.a.jwt", key, secret, now); !errors.Is(err, ErrSessionToken) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := VerifySessionToken(signSessionToken(t, secret, good()), "", "", now); !errors.Is(err, ErrSessionToken) {
		t.Errorf("no app configured: %v", err)
	}
}
