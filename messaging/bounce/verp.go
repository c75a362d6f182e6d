package bounce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"net/mail"
	"strings"
)

// LocalPrefix starts every VERP address's local part:
// bounces+<workspace>.<message>.<signature>@<bounce domain>.
const LocalPrefix = "bounces"

// ErrBadAddress is a recipient that is not a VERP address this instance
// signed.
var ErrBadAddress = errors.New("bounce: not a valid bounce address")

// sigEncoding is lower-case base32: some MTAs lower-case local parts.
var sigEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Ref is what a VERP address names.
type Ref struct {
	WorkspaceID string
	MessageID   string
}

// VERP makes and checks per-message bounce addresses. The signature (a
// truncated HMAC-SHA256 over workspace and message, 64 bits) keeps anyone
// from forging a bounce or complaint that would suppress somebody else's
// address: a bounce has to come back to an address this instance gave out.
type VERP struct {
	key    []byte
	domain string
}

// NewVERP returns the addresses of domain, signed with key (from
// secrets.Box.SigningKey).
func NewVERP(key []byte, domain string) *VERP {
	return &VERP{key: key, domain: strings.ToLower(strings.TrimSpace(domain))}
}

// Domain is the bounce domain.
func (v *VERP) Domain() string { return v.domain }

// Address returns the bounce address of one message. ids are
// [a-z0-9_]: ids.New makes them so; anything else gets no VERP address
// (ok false) and the sender keeps the From address as envelope sender.
func (v *VERP) Address(ref Ref) (string, bool) {
	if !idOK(ref.WorkspaceID) || !idOK(ref.MessageID) || v.domain == "" {
		return "", false
	}
	return LocalPrefix + "+" + ref.WorkspaceID + "." + ref.MessageID + "." + v.sign(ref) + "@" + v.domain, true
}

// Parse checks a recipient address and returns the message it names.
func (v *VERP) Parse(addr string) (Ref, error) {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || domain != v.domain {
		return Ref{}, ErrBadAddress
	}
	token, ok := strings.CutPrefix(local, LocalPrefix+"+")
	if !ok {
		return Ref{}, ErrBadAddress
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Ref{}, ErrBadAddress
	}
	ref := Ref{WorkspaceID: parts[0], MessageID: parts[1]}
	if !idOK(ref.WorkspaceID) || !idOK(ref.MessageID) || !hmac.Equal([]byte(v.sign(ref)), []byte(parts[2])) {
		return Ref{}, ErrBadAddress
	}
	return ref, nil
}

// IsPlain reports whether addr is the bounce domain's address without a
// token (bounces@domain): feedback loops send ARF reports to one fixed
// address, and the report itself then has to name the message.
func (v *VERP) IsPlain(addr string) bool {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	return addr == LocalPrefix+"@"+v.domain
}

// FindIn looks for a VERP address of this instance in the returned
// message's headers (Return-Path, which the receiving MTA writes from MAIL
// FROM, then any other).
func (v *VERP) FindIn(h mail.Header) (Ref, bool) {
	if h == nil {
		return Ref{}, false
	}
	try := func(val string) (Ref, bool) {
		for _, f := range strings.FieldsFunc(val, func(r rune) bool { return r == ' ' || r == ',' || r == '<' || r == '>' || r == ';' }) {
			if ref, err := v.Parse(f); err == nil {
				return ref, true
			}
		}
		return Ref{}, false
	}
	for _, k := range []string{"Return-Path", "Errors-To", "Sender"} {
		if ref, ok := try(h.Get(k)); ok {
			return ref, true
		}
	}
	return Ref{}, false
}

func (v *VERP) sign(ref Ref) string {
	m := hmac.New(sha256.New, v.key)
	m.Write([]byte(ref.WorkspaceID))
	m.Write([]byte{0})
	m.Write([]byte(ref.MessageID))
	return sigEncoding.EncodeToString(m.Sum(nil)[:8])
}

func idOK(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
