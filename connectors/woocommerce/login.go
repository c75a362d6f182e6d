package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The WordPress plugin's statement of the logged-in customer. It replaces
// the customer's email in the page source (which a page cache could serve
// to anybody) with an opaque reference that only this shop can sign:
//
//	wc1.{shop id}.{customer id}.{unix time}.{hex HMAC-SHA256}
//
// The HMAC is keyed with the shop's webhook secret over
// "cartwheel-login\n{shop}\n{customer}\n{visitor}\n{time}", so it names the
// browser (the tracker's cw_vid cookie) it was printed for: a cached page
// served to another browser proves nothing there. includes/identity.php
// signs it; the plugin tests check both sides agree.

// LoginMaxAge bounds how old a login statement may be; LoginClockSkew how
// far in the future.
const (
	LoginMaxAge    = time.Hour
	LoginClockSkew = 5 * time.Minute
)

// ErrBadLogin is a login statement that is malformed, not signed by the
// shop, for another browser, or stale.
var ErrBadLogin = errors.New("woocommerce: invalid login statement")

// Login is a parsed, not yet verified, login statement.
type Login struct {
	ShopID     string
	CustomerID string
	At         time.Time
	sig        string
}

var loginField = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ParseLogin splits a login statement; Verify then checks it.
func ParseLogin(ref string) (Login, error) {
	f := strings.Split(ref, ".")
	if len(f) != 5 || f[0] != "wc1" || !loginField.MatchString(f[1]) || !loginField.MatchString(f[2]) {
		return Login{}, ErrBadLogin
	}
	ts, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || len(f[4]) != 64 {
		return Login{}, ErrBadLogin
	}
	return Login{ShopID: f[1], CustomerID: f[2], At: time.Unix(ts, 0).UTC(), sig: f[4]}, nil
}

func loginMAC(secret, shop, customer, visitor string, ts int64) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("cartwheel-login\n" + shop + "\n" + customer + "\n" + visitor + "\n" + strconv.FormatInt(ts, 10)))
	return m.Sum(nil)
}

// SignLogin returns the statement the plugin prints for customer on the
// browser visitor; tests use it.
func SignLogin(secret, shop, customer, visitor string, at time.Time) string {
	ts := at.Unix()
	return "wc1." + shop + "." + customer + "." + strconv.FormatInt(ts, 10) + "." +
		hex.EncodeToString(loginMAC(secret, shop, customer, visitor, ts))
}

// Verify checks the statement's signature under the shop's secret for the
// browser presenting it, and its age.
func (l Login) Verify(secret, visitor string, now time.Time) error {
	got, err := hex.DecodeString(l.sig)
	if secret == "" || err != nil || !hmac.Equal(got, loginMAC(secret, l.ShopID, l.CustomerID, visitor, l.At.Unix())) {
		return ErrBadLogin
	}
	if now.Sub(l.At) > LoginMaxAge || l.At.Sub(now) > LoginClockSkew {
		return ErrBadLogin
	}
	return nil
}
