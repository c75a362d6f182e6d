package personalization

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// The identification rule (docs/tracker.md, "What identification
// reveals"). A page can say who the visitor is (identify, a lead form, the
// shop's customer block), and anyone can type anyone's email: that links
// the browser's behaviour to the contact, and no more. A contact's private
// data — inbox messages and the codes in them, the unread count,
// products viewed on other devices, personal recommendations — is served
// to a browser only when
//
//   - the contact is the browser's own anonymous contact (nothing but this
//     visitor id names it, so everything in it came from this browser), or
//   - the browser holds an unexpired verification (store.Verification) to
//     exactly the contact it is now linked to, made from a proof: a signed
//     link the contact received, the shop's signed statement of its
//     logged-in customer, or a double opt-in confirmation.
//
// An identified but unverified browser still sees what is its own: the
// products it viewed itself, its wishlist (kept per browser), the codes its
// own lead forms revealed.

// Verification sources: what the browser proved with.
const (
	VerifiedEmailLink   = "email_link"
	VerifiedPushLink    = "push_link"
	VerifiedDoubleOptIn = "double_opt_in"
	VerifiedShopify     = "shopify_app_proxy"
	VerifiedWooCommerce = "woocommerce_login"
)

// ownViewsScan bounds the events read to rebuild what an identified but
// unverified browser viewed itself.
const ownViewsScan = 300

// private reports whether the browser may see its contact's private data.
func (v *visitor) private(nowMS int64) bool {
	if v.contact == "" {
		return false
	}
	return v.anon || v.proofContact == v.contact && nowMS < v.proofUntil
}

// privateContact is the contact whose private data the browser may see, or
// "" when none.
func (v *visitor) privateContact(nowMS int64) string {
	if v.private(nowMS) {
		return v.contact
	}
	return ""
}

// pendingProof reports whether the browser holds a valid proof for the
// contact it is shown as: while the identity graph still names its
// anonymous contact, the proof wins.
func (v *visitor) pendingProof(nowMS int64) bool {
	return v.proofContact != "" && v.proofContact == v.contact && nowMS < v.proofUntil
}

// recent is the recently viewed list the browser may see: the contact's
// (all devices) when private, else its own views.
func (v *visitor) recent(nowMS int64) []string {
	if v.private(nowMS) {
		return v.viewed
	}
	return v.mine
}

// ownViewed adds a product the browser itself viewed.
func (v *visitor) ownViewed(id string) {
	if i := slices.Index(v.mine, id); i >= 0 {
		v.mine = slices.Delete(v.mine, i, i+1)
	}
	v.mine = slices.Insert(v.mine, 0, id)
	if len(v.mine) > maxViewed {
		v.mine = v.mine[:maxViewed]
	}
}

// loadOwn reads what identifies the browser apart from its contact: its
// verification and the products it viewed itself. An anonymous contact's
// views are the browser's own; only an identified browser's are read from
// its own events, and only when it may not see the contact's.
func (d *Decider) loadOwn(ctx context.Context, ws, visitorID string, v *visitor) error {
	vr, err := d.st.Verification(ctx, ws, visitorID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		v.proofContact, v.proofUntil = vr.ContactID, vr.ExpiresAt.UnixMilli()
	}
	if v.contact == "" || v.anon {
		v.mine = slices.Clone(v.viewed)
		return nil
	}
	if v.private(d.now().UnixMilli()) {
		// Its contact's views are shown; its own are kept from now on, in
		// case the verification lapses or the browser is linked elsewhere.
		return nil
	}
	evs, err := d.st.VisitorEvents(ctx, ws, visitorID, 0, ownViewsScan)
	if err != nil {
		return err
	}
	v.mine = v.mine[:0]
	for _, ev := range evs {
		if ev.Type != cdp.EventProductView || len(v.mine) >= maxViewed {
			continue
		}
		if p, err := parseProps(ev.Type, ev.Props); err == nil && p.viewed != "" && !slices.Contains(v.mine, p.viewed) {
			v.mine = append(v.mine, p.viewed)
		}
	}
	return nil
}

// isAnonymous reports whether nothing but visitorID names contact.
func (d *Decider) isAnonymous(ctx context.Context, ws, contact, visitorID string) (bool, error) {
	ids, err := d.st.Identities(ctx, ws, contact)
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(ids, func(i store.Identity) bool { return i.Kind != cdp.KindVisitor || i.Value != visitorID }), nil
}

// Verification is a proof a browser presented, already checked by the
// caller (a signed link token, a shop's signed customer statement).
type Verification struct {
	WorkspaceID string
	VisitorID   string
	// ContactID is the contact proved; empty for a platform customer not
	// known yet, whose identify (below) attaches it to the browser's contact.
	ContactID string
	Source    string
	// TTL is how long the binding holds.
	TTL time.Duration
	// ProofID makes the proof single-use (link tokens); ProofExpiry is when
	// the proof itself stops being accepted.
	ProofID     string
	ProofExpiry time.Time
	// IdentifySource and Identify are logged as an identify event of the
	// visitor, so the identity graph links it (and merges its anonymous
	// history into the contact): the contact's email for a link, the
	// platform's customer id (source "shopify", "woocommerce") for a login.
	IdentifySource string
	Identify       map[string]any
}

// Verify records that a browser proved to be a contact and applies it to
// memory at once, so the next /decide or /inbox serves the contact's
// private data. A binding still fresh (more than half its TTL left, same
// contact) is not written again: a shop's login statement comes with every
// page. A single-use proof another browser already used is
// store.ErrProofUsed. It reports false when there was no contact to bind
// yet (a customer and a browser Cartwheel has not seen): the identify is
// logged, and the statement the shop makes on the next page binds.
func (d *Decider) Verify(ctx context.Context, vr Verification) (bool, error) {
	now := d.now().UTC()
	contact := vr.ContactID
	if contact == "" {
		// The platform customer has no contact yet: the identify below gives
		// the customer id to the browser's own contact, which is then it.
		if c, err := d.st.ContactByIdentity(ctx, vr.WorkspaceID, cdp.KindVisitor, vr.VisitorID); err == nil {
			contact = c.ID
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	var fresh, linked bool
	if err := d.withVisitor(ctx, vr.WorkspaceID, vr.VisitorID, func(v *visitor) {
		fresh = contact != "" && v.proofContact == contact && v.proofUntil-now.UnixMilli() > vr.TTL.Milliseconds()/2
		linked = v.contact == contact
	}); err != nil {
		return false, err
	}
	// A single-use proof is always spent, even by a browser already bound:
	// left unspent, a copy of its URL would verify another browser.
	fresh = fresh && vr.ProofID == ""
	if fresh && linked {
		return true, nil
	}
	until := now.Add(vr.TTL)
	if contact != "" && !fresh {
		err := d.st.SaveVerification(ctx, store.Verification{WorkspaceID: vr.WorkspaceID, VisitorID: vr.VisitorID,
			ContactID: contact, Source: vr.Source, VerifiedAt: now, ExpiresAt: until}, vr.ProofID, vr.ProofExpiry)
		if err != nil {
			return false, err
		}
	}
	// A known contact already linked needs no identify; a customer id not
	// known yet does, to attach it to the browser's contact.
	if len(vr.Identify) > 0 && (!linked || vr.ContactID == "") {
		raw, err := json.Marshal(vr.Identify)
		if err != nil {
			return false, err
		}
		if err := d.o.Events.Append(ctx, []store.Event{{WorkspaceID: vr.WorkspaceID, Type: cdp.EventIdentify,
			Source: vr.IdentifySource, VisitorID: vr.VisitorID, OccurredAt: now, ReceivedAt: now, Props: raw,
			Context: json.RawMessage("{}")}}); err != nil {
			return false, err
		}
	}
	if contact == "" || fresh {
		return contact != "", nil
	}
	// The identify merges the browser's anonymous contact into the proved
	// one a moment later; until then the browser is shown the proved
	// contact (its own anonymous one holds nothing of anybody else).
	var adopt bool
	d.vs.with(vkey(vr.WorkspaceID, vr.VisitorID), func(v *visitor) {
		v.proofContact, v.proofUntil = contact, until.UnixMilli()
		adopt = v.contact != contact && (v.anon || v.contact == "")
	})
	if !adopt {
		return true, nil
	}
	nv := &visitor{contact: contact}
	if err := d.loadContact(ctx, vr.WorkspaceID, vr.VisitorID, nv); err != nil {
		return false, err
	}
	d.vs.with(vkey(vr.WorkspaceID, vr.VisitorID), func(v *visitor) {
		if v.anon || v.contact == "" {
			v.contact, v.anon, v.asOf, v.visits, v.orders = nv.contact, nv.anon, nv.asOf, nv.visits, nv.orders
			v.cartMinor, v.emailConsent, v.unread, v.unreadAt, v.viewed = nv.cartMinor, nv.emailConsent, nv.unread, nv.unreadAt, nv.viewed
		}
	})
	return true, nil
}
