package shopify

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SessionClaims is what an App Bridge session (ID) token says: which shop's
// admin the app is open in, and which staff member opened it.
type SessionClaims struct {
	// Shop is the shop's myshopify.com domain, from dest.
	Shop string
	// UserID is the Shopify staff member (sub).
	UserID string
	// SessionID is the Shopify admin session (sid).
	SessionID string
	Expires   time.Time
}

// sessionTokenLeeway is how far the clocks of Shopify and this server may
// disagree on exp and nbf: App Bridge tokens live one minute.
const sessionTokenLeeway = 5 * time.Second

// ErrSessionToken is a session token that cannot be trusted.
var ErrSessionToken = errors.New("shopify session token not valid")

// VerifySessionToken checks an App Bridge session token: an HS256 JWT
// signed with the app's client secret, for the app's API key (aud), not
// expired and already valid (with a few seconds' leeway), issued by the
// admin of the shop it names (iss = dest + "/admin").
func VerifySessionToken(token, apiKey, apiSecret string, now time.Time) (SessionClaims, error) {
	if apiKey == "" || apiSecret == "" {
		return SessionClaims{}, fmt.Errorf("%w: the Shopify app is not configured", ErrSessionToken)
	}
	var c struct {
		jwt.RegisteredClaims
		Dest string `json:"dest"`
		SID  string `json:"sid"`
	}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(apiKey),
		jwt.WithExpirationRequired(), jwt.WithLeeway(sessionTokenLeeway), jwt.WithTimeFunc(func() time.Time { return now }),
	).ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return []byte(apiSecret), nil })
	if err != nil {
		return SessionClaims{}, fmt.Errorf("%w: %w", ErrSessionToken, err)
	}
	shop, ok := strings.CutPrefix(c.Dest, "https://")
	if !ok || !ValidShopDomain(shop) {
		return SessionClaims{}, fmt.Errorf("%w: dest %q is not a shop", ErrSessionToken, c.Dest)
	}
	if c.Issuer != c.Dest+"/admin" {
		return SessionClaims{}, fmt.Errorf("%w: issuer %q is not %s's admin", ErrSessionToken, c.Issuer, shop)
	}
	if c.Subject == "" {
		return SessionClaims{}, fmt.Errorf("%w: no staff member (sub)", ErrSessionToken)
	}
	return SessionClaims{Shop: shop, UserID: c.Subject, SessionID: c.SID, Expires: c.ExpiresAt.Time}, nil
}
