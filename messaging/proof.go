package messaging

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// purposeVisitorProof signs the proofs a click hands the shop's page.
const purposeVisitorProof = "visitor-proof"

// ProofParam is the query parameter a click's redirect carries its proof
// in; t.js sends it to /identify/verify once and removes it from the
// address bar.
const ProofParam = "cw_proof"

// ProofTTL is how long a proof may be exchanged after the click: long
// enough for a slow page, short enough that one copied out of a URL
// (history, an analytics tool) is stale.
const ProofTTL = 15 * time.Minute

// Proof sources: what the browser that presents a proof received.
const (
	ProofEmailLink   = "email_link"
	ProofPushLink    = "push_link"
	ProofDoubleOptIn = "double_opt_in"
)

// ErrBadProof is a proof token this instance did not sign, altered, or
// expired.
var ErrBadProof = errors.New("messaging: invalid or expired proof")

// Proof is what a verified proof token says: the browser presenting it
// followed a link that only the contact received.
type Proof struct {
	WorkspaceID string    `json:"w"`
	ContactID   string    `json:"c"`
	Source      string    `json:"s"`
	Expires     int64     `json:"x"` // Unix seconds
	ID          string    `json:"n"` // random: the proof is single-use
	ExpiresAt   time.Time `json:"-"`
}

// Proof signs a proof that the browser holding it is contact.
func (l Links) Proof(workspaceID, contactID, source string, expires time.Time) string {
	var n [12]byte
	_, _ = rand.Read(n[:])
	raw, _ := json.Marshal(Proof{WorkspaceID: workspaceID, ContactID: contactID, Source: source, Expires: expires.Unix(),
		ID: hex.EncodeToString(n[:])})
	return base64.RawURLEncoding.EncodeToString(raw) + "." + l.box.Sign(purposeVisitorProof, raw)
}

// ParseProof verifies a proof token and its expiry.
func (l Links) ParseProof(tok string, now time.Time) (Proof, error) {
	enc, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 1024 {
		return Proof{}, ErrBadProof
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !l.box.Verify(purposeVisitorProof, raw, sig) {
		return Proof{}, ErrBadProof
	}
	var p Proof
	if err := json.Unmarshal(raw, &p); err != nil || p.WorkspaceID == "" || p.ContactID == "" || p.ID == "" {
		return Proof{}, ErrBadProof
	}
	p.ExpiresAt = time.Unix(p.Expires, 0).UTC()
	if !now.Before(p.ExpiresAt) {
		return Proof{}, ErrBadProof
	}
	return p, nil
}

// withProof adds a proof for contact to a click's target, when the target
// is the workspace's storefront (one of its shops' domains or allowed
// origins, or this server for the demo shop): a link to anywhere else
// carries none, so no third party ever receives one.
func (e *Engagement) withProof(ctx context.Context, target, workspaceID, contactID, source string) string {
	if contactID == "" {
		return target
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return target
	}
	ok, err := e.storefront(ctx, workspaceID, u)
	if err != nil {
		e.log.Warn("click proof: storefront", "workspace", workspaceID, "err", err)
	}
	if !ok {
		return target
	}
	if u.Path == "" {
		u.Path = "/"
	}
	// Appended, not re-encoded: the target's own query (a signed recovery
	// link, say) stays byte for byte as the message had it.
	p := ProofParam + "=" + url.QueryEscape(e.links.Proof(workspaceID, contactID, source, e.now().Add(ProofTTL)))
	if u.RawQuery == "" {
		u.RawQuery = p
	} else {
		u.RawQuery += "&" + p
	}
	return u.String()
}

// storefront reports whether u is on one of the workspace's storefronts.
func (e *Engagement) storefront(ctx context.Context, workspaceID string, u *url.URL) (bool, error) {
	host := strings.ToLower(u.Host)
	if b, err := url.Parse(e.links.base); err == nil && strings.EqualFold(b.Host, host) {
		return true, nil
	}
	shops, err := e.st.Shops(ctx, workspaceID)
	if err != nil {
		return false, err
	}
	for _, sh := range shops {
		if strings.EqualFold(sh.Domain, host) && (u.Scheme == "https" || sh.Platform == "custom") {
			return true, nil
		}
	}
	w, err := e.st.Workspace(ctx, workspaceID)
	if err != nil {
		return false, err
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	for _, o := range w.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true, nil
		}
	}
	return false, nil
}

// ShopLanding is where the double opt-in page sends the person on: the
// workspace's first shop, with a proof that this browser is the contact
// who confirmed. It is "" when the workspace has no shop with a domain.
func (e *Engagement) ShopLanding(ctx context.Context, token string) (string, error) {
	info, err := e.links.ParseConfirm(token)
	if err != nil {
		return "", badLink(err)
	}
	r, err := e.contactLink(ctx, info)
	if err != nil {
		return "", err
	}
	shops, err := e.st.Shops(ctx, r.WorkspaceID)
	if err != nil {
		return "", err
	}
	for _, sh := range shops {
		if sh.Domain != "" {
			return e.withProof(ctx, "https://"+sh.Domain+"/", r.WorkspaceID, r.ContactID, ProofDoubleOptIn), nil
		}
	}
	return "", nil
}

// ParseProof verifies a proof token a browser presents, as of now.
func (e *Engagement) ParseProof(tok string) (Proof, error) {
	return e.links.ParseProof(tok, e.now())
}
