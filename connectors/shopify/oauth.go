package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// DefaultScopes returns the access scopes Cartwheel asks for: orders (with
// checkouts and carts, whose webhooks need read_orders), customers and
// their consents, the catalogue and stock levels, and discount creation
// for flows that hand out codes. It returns a fresh slice each time so no
// caller can change another's list.
func DefaultScopes() []string {
	return []string{"read_orders", "read_customers", "read_products", "read_inventory", "write_discounts"}
}

// AuthorizeURL returns where to send the merchant to approve the app
// (https://{shop}/admin/oauth/authorize). grant_options[] is omitted, which
// asks for an offline token: the one a back-end service keeps using after
// the merchant has left. state must be an unguessable nonce the callback
// checks.
//
// It returns "" when shop is not a myshopify.com domain, so that a forged
// shop parameter can never turn the install handler into an open redirect.
func AuthorizeURL(shop, apiKey string, scopes []string, redirectURI, state string) string {
	if !ValidShopDomain(shop) {
		return ""
	}
	q := url.Values{
		"client_id":    {apiKey},
		"scope":        {strings.Join(scopes, ",")},
		"redirect_uri": {redirectURI},
		"state":        {state},
	}
	return "https://" + strings.ToLower(shop) + "/admin/oauth/authorize?" + q.Encode()
}

// Token is an access token granted by the OAuth exchange. It prints
// redacted, so that logging a Token by mistake leaks nothing.
type Token struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"` // comma-separated, as granted
}

// Scopes returns the granted scopes as a list.
func (t Token) Scopes() []string {
	var out []string
	for s := range strings.SplitSeq(t.Scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// String redacts the token.
func (t Token) String() string { return "shopify.Token{scope=" + t.Scope + "}" }

// LogValue redacts the token in slog output.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("scope", t.Scope))
}

// ExchangeToken trades the authorization code of an OAuth callback for an
// offline access token (POST {base}/admin/oauth/access_token). The caller
// must have checked the callback with VerifyQuery, its state nonce and its
// shop with ValidShopDomain first. A code is single-use: a failure is not
// retried.
func (c *Client) ExchangeToken(ctx context.Context, apiKey, apiSecret, code string) (Token, error) {
	if apiKey == "" || apiSecret == "" || code == "" {
		return Token{}, errors.New("shopify: token exchange needs the API key, the secret and a code")
	}
	payload, err := json.Marshal(map[string]string{"client_id": apiKey, "client_secret": apiSecret, "code": code})
	if err != nil {
		return Token{}, fmt.Errorf("shopify: encode token request: %w", err)
	}
	status, _, body, err := c.post(ctx, c.base+"/admin/oauth/access_token", payload, nil)
	if err != nil {
		return Token{}, fmt.Errorf("shopify: %s: token exchange: %w", c.shop, err)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return Token{}, fmt.Errorf("shopify: %s: token exchange: HTTP %d: %w", c.shop, status, ErrUnauthorized)
	case status != http.StatusOK:
		return Token{}, fmt.Errorf("shopify: %s: token exchange: %w", c.shop, &HTTPError{StatusCode: status, Body: snippet(body)})
	}
	var t Token
	if err := decodeJSON(body, &t); err != nil {
		return Token{}, fmt.Errorf("shopify: %s: decode token answer: %w", c.shop, err)
	}
	if t.AccessToken == "" {
		return Token{}, fmt.Errorf("shopify: %s: token answer has no access_token", c.shop)
	}
	return t, nil
}
