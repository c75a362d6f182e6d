package email

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"strings"
)

// ListUnsubscribeHeaders returns the RFC 2369 List-Unsubscribe header and,
// when the URL is https, the RFC 8058 List-Unsubscribe-Post header that makes
// it one-click: Gmail and Yahoo require both of bulk senders since 2024, and
// show their own "Unsubscribe" button for them. The mail client POSTs
// "List-Unsubscribe=One-Click" to the URL, so the URL itself must carry
// everything needed (a signed token, see UnsubscribeToken) and must not
// redirect or ask for confirmation. mailto may be an address or a mailto: URI;
// either argument may be empty.
func ListUnsubscribeHeaders(unsubscribeURL, mailto string) map[string]string {
	var uris []string
	unsubscribeURL = strings.TrimSpace(unsubscribeURL)
	if unsubscribeURL != "" {
		uris = append(uris, "<"+unsubscribeURL+">")
	}
	if mailto = strings.TrimSpace(mailto); mailto != "" {
		if !strings.HasPrefix(strings.ToLower(mailto), "mailto:") {
			mailto = "mailto:" + mailto
		}
		uris = append(uris, "<"+mailto+">")
	}
	h := map[string]string{}
	if len(uris) == 0 {
		return h
	}
	h["List-Unsubscribe"] = strings.Join(uris, ", ")
	// RFC 8058 §3.1: one-click needs an HTTPS URI.
	if u, err := url.Parse(unsubscribeURL); err == nil && u.Scheme == "https" && u.Host != "" {
		h["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return h
}

// UnsubscribeInfo is what a verified unsubscribe token says.
type UnsubscribeInfo struct {
	WorkspaceID string
	ContactID   string
	MessageID   string // the message whose link was used; may be empty
}

// ErrBadToken means an unsubscribe token is malformed.
var ErrBadToken = errors.New("email: malformed unsubscribe token")

// UnsubscribeToken makes the token for a contact's unsubscribe link:
// base64url of the length-prefixed ids, a dot, and sign's signature over
// them. sign must return a URL-safe string (secrets.Box.Sign does). The
// token does not expire: an unsubscribe link must keep working (CAN-SPAM asks
// for at least 30 days, and people unsubscribe from old mail).
func UnsubscribeToken(sign func([]byte) string, workspaceID, contactID, messageID string) string {
	payload := unsubscribePayload(workspaceID, contactID, messageID)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + sign(unsubscribeMsg(payload))
}

// ParseUnsubscribeToken verifies a token made by UnsubscribeToken.
func ParseUnsubscribeToken(verify func(msg []byte, sig string) bool, tok string) (UnsubscribeInfo, error) {
	enc, sig, ok := strings.Cut(strings.TrimSpace(tok), ".")
	if !ok || enc == "" || sig == "" {
		return UnsubscribeInfo{}, ErrBadToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return UnsubscribeInfo{}, ErrBadToken
	}
	if verify == nil || !verify(unsubscribeMsg(payload), sig) {
		return UnsubscribeInfo{}, ErrBadSignature
	}
	fields, ok := splitFields(payload, 3)
	if !ok || fields[0] == "" || fields[1] == "" {
		return UnsubscribeInfo{}, ErrBadToken
	}
	return UnsubscribeInfo{WorkspaceID: fields[0], ContactID: fields[1], MessageID: fields[2]}, nil
}

func unsubscribeMsg(payload []byte) []byte {
	return append([]byte("cw-unsubscribe\x00"), payload...)
}

// unsubscribePayload length-prefixes each field, so that no choice of ids can
// make two different triples encode (and sign) alike.
func unsubscribePayload(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

func splitFields(b []byte, n int) ([]string, bool) {
	out := make([]string, 0, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, false
		}
		out = append(out, string(b[k:k+int(l)]))
		b = b[k+int(l):]
	}
	return out, len(b) == 0
}
