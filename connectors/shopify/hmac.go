package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Timestamp tolerances for signed install and callback queries.
//
// The official library rejects a query whose timestamp is more than 90 s
// away from now in either direction. The future bound is kept: it only has
// to absorb clock skew. The past bound is widened to a day, because the
// install link a merchant receives (App Store listing, partner dashboard,
// a support email) may be opened a while after Shopify signed it; a replayed
// query can do no more than start a fresh OAuth round, whose state nonce and
// single-use code protect the exchange itself.
const (
	QueryMaxAge    = 24 * time.Hour
	QueryClockSkew = 90 * time.Second
)

// Errors returned by VerifyQuery. They are sentinel values so that an
// install handler can answer 401 for a bad signature and explain a stale
// link differently.
var (
	ErrBadSignature = errors.New("shopify: signature does not match")
	ErrStaleQuery   = errors.New("shopify: signed query timestamp is outside the accepted window")
)

// shopDomainRE is the official library's production shop pattern: only
// *.myshopify.com hosts, which is what keeps a forged shop parameter from
// sending an OAuth redirect or an access-token request elsewhere.
var shopDomainRE = regexp.MustCompile(`^[a-z0-9][a-z0-9\-_]*\.myshopify\.com$`)

// ValidShopDomain reports whether s is a bare myshopify.com host name
// ("cool-shop.myshopify.com"): no scheme, no port, no path. Case does not
// matter; callers should store strings.ToLower(s).
func ValidShopDomain(s string) bool {
	return shopDomainRE.MatchString(strings.ToLower(s))
}

func sum(secret string, msg []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return m.Sum(nil)
}

// SignWebhook returns the X-Shopify-Hmac-Sha256 value Shopify would send
// with body: base64 of HMAC-SHA256 keyed with the app's client secret.
// Tests and the benchmark use it to produce deliveries.
func SignWebhook(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(sum(secret, body))
}

// VerifyWebhook reports whether header is the signature of the raw body
// under secret. The comparison is constant-time. An empty secret or header
// never verifies, so a shop whose secret is missing cannot accept anything.
func VerifyWebhook(secret string, body []byte, header string) bool {
	if secret == "" || header == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	return hmac.Equal(sum(secret, body), got)
}

// queryMessage is the string Shopify signs for admin (install, OAuth
// callback) queries, following the official library: drop hmac and
// signature, join repeated values with ",", sort keys, and encode as
// application/x-www-form-urlencoded (URLSearchParams) with spaces as %20.
//
// Keys are sorted by byte order where the library uses localeCompare; the
// two agree on the lower-case ASCII keys Shopify sends.
func queryMessage(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(formEncode(k))
		b.WriteByte('=')
		b.WriteString(formEncode(strings.Join(q[k], ",")))
	}
	return b.String()
}

// formEncode percent-encodes like URLSearchParams.toString followed by the
// library's "+" → "%20": only ASCII letters, digits and *-._ stay as they
// are. url.QueryEscape differs on '*' and '~', which would break signatures
// of values that contain them.
func formEncode(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// SignQuery returns the hmac parameter Shopify would add to q (hex
// HMAC-SHA256). Tests use it to forge valid install requests.
func SignQuery(secret string, q url.Values) string {
	return hex.EncodeToString(sum(secret, []byte(queryMessage(q))))
}

// VerifyQuery checks the hmac parameter of an install request or an OAuth
// callback, and, when the query carries a timestamp, that it is at most
// QueryMaxAge old and at most QueryClockSkew in the future. It returns nil
// when the query is authentic and fresh; ErrBadSignature or ErrStaleQuery
// (possibly wrapped) otherwise.
func VerifyQuery(secret string, q url.Values, now time.Time) error {
	if secret == "" {
		return fmt.Errorf("%w: no client secret configured", ErrBadSignature)
	}
	hs := q["hmac"]
	if len(hs) != 1 || hs[0] == "" {
		return fmt.Errorf("%w: the query needs exactly one hmac parameter", ErrBadSignature)
	}
	got, err := hex.DecodeString(hs[0])
	if err != nil || !hmac.Equal(got, sum(secret, []byte(queryMessage(q)))) {
		return ErrBadSignature
	}
	if ts := q.Get("timestamp"); ts != "" {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: timestamp %q is not a number", ErrStaleQuery, ts)
		}
		at := time.Unix(sec, 0)
		if now.Sub(at) > QueryMaxAge || at.Sub(now) > QueryClockSkew {
			return fmt.Errorf("%w: signed at %s", ErrStaleQuery, at.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// proxyMessage is the string Shopify signs for App Proxy requests: sorted
// k=v pairs with values decoded, repeated values joined with ",", and no
// separator at all between pairs.
func proxyMessage(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.Join(q[k], ","))
	}
	return b.String()
}

// SignProxy returns the signature parameter Shopify would add to an App
// Proxy request carrying q.
func SignProxy(secret string, q url.Values) string {
	return hex.EncodeToString(sum(secret, []byte(proxyMessage(q))))
}

// VerifyProxy reports whether the signature parameter of an App Proxy
// request (https://{shop}/apps/cartwheel/...) is valid under secret. It does
// not judge the timestamp: proxied requests such as the service worker
// script are idempotent reads, and a handler that cares can compare the
// timestamp itself.
func VerifyProxy(secret string, q url.Values) bool {
	if secret == "" {
		return false
	}
	// As in the official library, these must not repeat: a second shop or
	// timestamp would be folded into the signed message ("a,b") while a
	// handler reading q.Get sees only the first.
	for _, k := range [...]string{"hmac", "shop", "signature", "timestamp"} {
		if len(q[k]) > 1 {
			return false
		}
	}
	sig := q.Get("signature")
	if sig == "" {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(got, sum(secret, []byte(proxyMessage(q))))
}
