package messaging

import (
	"strings"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/secrets"
)

// Signing purposes: a signature made for one kind of link never verifies
// as another (a click link cannot be replayed as an unsubscribe token).
const (
	purposeEmailTracking = "email-tracking"
	purposePushClick     = "push-click"
	purposeContactLink   = "email-contact-link"
	purposeConfirm       = "email-confirm"
)

// Links builds and verifies the URLs Cartwheel puts in messages. Routes:
//
//	/e/c/{message}/{n}?u=…&s=…   email click (redirects to u)
//	/e/o/{message}.gif?s=…       email open pixel
//	/e/u/{token}                 unsubscribe page; POST is RFC 8058 one-click
//	/e/p/{token}                 preference page
//	/e/confirm/{token}           double opt-in confirmation
//	/p/c/{message}/{n}?u=…&s=…   web push notification click (redirects to u)
type Links struct {
	base string
	box  *secrets.Box
}

// NewLinks returns the link builder for a server reachable at publicURL.
func NewLinks(publicURL string, box *secrets.Box) Links {
	return Links{base: strings.TrimRight(publicURL, "/"), box: box}
}

func (l Links) signer(purpose string) (func([]byte) string, func([]byte, string) bool) {
	return func(m []byte) string { return l.box.Sign(purpose, m) },
		func(m []byte, sig string) bool { return l.box.Verify(purpose, m, sig) }
}

// EmailTracker rewrites an email's links for click tracking and adds its
// open pixel, and verifies them when they come back.
func (l Links) EmailTracker() email.Tracker {
	sign, verify := l.signer(purposeEmailTracking)
	return email.Tracker{BaseURL: l.base + "/e", Sign: sign, Verify: verify}
}

// PushTracker makes and verifies the click URL a notification opens.
func (l Links) PushTracker() email.Tracker {
	sign, verify := l.signer(purposePushClick)
	return email.Tracker{BaseURL: l.base + "/p", Sign: sign, Verify: verify}
}

// Email returns the per-recipient links of one email.
func (l Links) Email(workspaceID, contactID, messageID string) email.Links {
	sign, _ := l.signer(purposeContactLink)
	tok := email.UnsubscribeToken(sign, workspaceID, contactID, messageID)
	return email.Links{Unsubscribe: l.base + "/e/u/" + tok, Preferences: l.base + "/e/p/" + tok}
}

// ParseContactToken verifies the token of an unsubscribe or preference
// link.
func (l Links) ParseContactToken(tok string) (email.UnsubscribeInfo, error) {
	_, verify := l.signer(purposeContactLink)
	return email.ParseUnsubscribeToken(verify, tok)
}

// Confirm is the double opt-in confirmation link for a contact.
func (l Links) Confirm(workspaceID, contactID, messageID string) string {
	sign, _ := l.signer(purposeConfirm)
	return l.base + "/e/confirm/" + email.UnsubscribeToken(sign, workspaceID, contactID, messageID)
}

// ParseConfirm verifies a confirmation token.
func (l Links) ParseConfirm(tok string) (email.UnsubscribeInfo, error) {
	_, verify := l.signer(purposeConfirm)
	return email.ParseUnsubscribeToken(verify, tok)
}
