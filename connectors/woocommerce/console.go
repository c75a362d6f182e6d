package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// ConsoleEntry is the WordPress plugin's signed link into the admin
// console: the shop's own statement that one of its WordPress users, who
// may manage the shop, opens Cartwheel now. It is signed with the shop's
// webhook secret, lives two minutes and carries a nonce, so the console can
// take each link once.
type ConsoleEntry struct {
	ShopID string
	// UserID is the WordPress user; Name is what the console calls them.
	UserID, Name string
	At           time.Time
	Nonce        string
	sig          string
}

// ConsoleEntryMaxAge is how long a console link works after the plugin
// made it (a redirect the browser follows at once).
const ConsoleEntryMaxAge = 2 * time.Minute

// ErrBadConsoleEntry is a console link that proves nothing.
var ErrBadConsoleEntry = errors.New("woocommerce: console link not valid")

var (
	consoleField = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	consoleSig   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func consoleMAC(secret, shop, user, name, nonce string, ts int64) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("cartwheel-console\n" + shop + "\n" + user + "\n" + name + "\n" + strconv.FormatInt(ts, 10) + "\n" + nonce))
	return m.Sum(nil)
}

// SignConsoleEntry returns the query string of a console link, as the
// plugin makes it; tests use it.
func SignConsoleEntry(secret, shop, user, name, nonce string, at time.Time) string {
	ts := at.Unix()
	return url.Values{"shop": {shop}, "user": {user}, "name": {name}, "ts": {strconv.FormatInt(ts, 10)},
		"nonce": {nonce}, "sig": {hex.EncodeToString(consoleMAC(secret, shop, user, name, nonce, ts))}}.Encode()
}

// ParseConsoleEntry reads a console link's query; Verify then checks it.
func ParseConsoleEntry(q url.Values) (ConsoleEntry, error) {
	e := ConsoleEntry{ShopID: q.Get("shop"), UserID: q.Get("user"), Name: q.Get("name"), Nonce: q.Get("nonce"), sig: q.Get("sig")}
	ts, err := strconv.ParseInt(q.Get("ts"), 10, 64)
	if err != nil || !consoleField.MatchString(e.ShopID) || !consoleField.MatchString(e.UserID) ||
		!consoleField.MatchString(e.Nonce) || len(e.Nonce) < 16 || len(e.Name) > 200 || !consoleSig.MatchString(e.sig) {
		return ConsoleEntry{}, ErrBadConsoleEntry
	}
	e.At = time.Unix(ts, 0).UTC()
	return e, nil
}

// Verify checks the signature under the shop's webhook secret and the
// link's age.
func (e ConsoleEntry) Verify(secret string, now time.Time) error {
	got, err := hex.DecodeString(e.sig)
	if secret == "" || err != nil || !hmac.Equal(got, consoleMAC(secret, e.ShopID, e.UserID, e.Name, e.Nonce, e.At.Unix())) {
		return ErrBadConsoleEntry
	}
	if now.Sub(e.At) > ConsoleEntryMaxAge || e.At.Sub(now) > LoginClockSkew {
		return ErrBadConsoleEntry
	}
	return nil
}
