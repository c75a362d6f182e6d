package cdp

import (
	"encoding/json"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// Event types the tracker sends. They are part of the public API (flow
// triggers, outbound webhooks, segment rules): never rename one.
const (
	EventPageView        = "page_view"
	EventProductView     = "product_view"
	EventAddToCart       = "add_to_cart"
	EventRemoveFromCart  = "remove_from_cart"
	EventSearch          = "search"
	EventCheckoutStarted = "checkout_started"
	EventIdentify        = "identify"
	EventConsent         = "consent"
)

// Events about contacts that flows and the API produce.
const (
	EventTagAdded   = "tag_added"
	EventTagRemoved = "tag_removed"
	// EventInboxAdded is a flow putting an item in the contact's on-site
	// inbox (props message_id, flow_id).
	EventInboxAdded = "inbox_added"
)

// maxTagLen bounds a tag: tags are labels, not data.
const maxTagLen = 64

type productRef struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Category   string `json:"category"`
	PriceMinor int64  `json:"price_minor"`
}

func str(props map[string]json.RawMessage, k string) string {
	var s string
	if v, ok := props[k]; ok {
		if json.Unmarshal(v, &s) != nil {
			// Ids may arrive as numbers (WooCommerce product ids).
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				return n.String()
			}
		}
	}
	return strings.TrimSpace(s)
}

func num(props map[string]json.RawMessage, k string) int64 {
	var n float64
	if v, ok := props[k]; ok {
		_ = json.Unmarshal(v, &n)
	}
	return int64(n)
}

func product(props map[string]json.RawMessage) productRef {
	var pr productRef
	if v, ok := props["product"]; ok {
		_ = json.Unmarshal(v, &pr)
	}
	return pr
}

func items(props map[string]json.RawMessage) []commerce.LineItem {
	var its []commerce.LineItem
	if v, ok := props["items"]; ok {
		_ = json.Unmarshal(v, &its)
	}
	return its
}

// count applies one event to the profile counters.
func (b *batch) count(e *store.Event, ectx EventContext, props map[string]json.RawMessage, p *Profile, contact string) error {
	switch e.Type {
	case EventPageView:
		p.PageViews++
	case EventProductView:
		pr := product(props)
		if pr.ID == "" {
			return &badEvent{"product_view without product.id"}
		}
		pv := ectx.PV
		if pv == "" {
			pv = "ev:" + e.Source + ":" + pr.ID // no page-view id: every report is its own view
		}
		delta, first := p.dwellDelta(pv+"/"+pr.ID, max(num(props, "dwell_ms"), 0))
		ps := p.product(pr.ID)
		if pr.Title != "" {
			ps.Title, ps.Category = pr.Title, pr.Category
		}
		if e.OccurredAt.After(ps.LastViewed) {
			ps.LastViewed = e.OccurredAt
		}
		ps.DwellMS += delta
		p.DwellMS += delta
		cs := (*CategoryStat)(nil)
		if pr.Category != "" {
			cs = p.category(pr.Category)
		}
		if cs != nil {
			cs.DwellMS += delta
		}
		if first {
			p.ProductViews++
			ps.Views++
			if cs != nil {
				cs.Views++
			}
		}
	case EventAddToCart:
		pr := product(props)
		l := CartLine{ProductID: str(props, "product_id"), VariantID: str(props, "variant_id"), Quantity: max(num(props, "quantity"), 1),
			Title: pr.Title, PriceMinor: pr.PriceMinor}
		if l.ProductID == "" && l.VariantID == "" {
			return &badEvent{"add_to_cart without product_id or variant_id"}
		}
		p.AddToCarts++
		p.cartAdd(l)
		p.CartAt = e.OccurredAt
		if l.ProductID != "" {
			p.product(l.ProductID).Carted++
		}
	case EventRemoveFromCart:
		p.cartRemove(str(props, "product_id"), str(props, "variant_id"))
		p.CartAt = e.OccurredAt
	case EventCheckoutUpdated:
		// The shop's checkout is the authoritative cart.
		p.LastCart = p.LastCart[:0]
		for _, it := range items(props) {
			p.cartAdd(CartLine{ProductID: it.ProductID, VariantID: it.VariantID, Title: it.Title, Quantity: it.Quantity, PriceMinor: it.PriceMinor})
		}
		p.CartAt = e.OccurredAt
		if str(props, "email") != "" {
			// A cart with an address is a checkout (one without is only a
			// cart): counted once, however often it is updated.
			p.countCheckout(str(props, "token"), str(props, "cart_token"))
		}
		if err := b.statedConsent(e, contact, props); err != nil {
			return err
		}
	case EventCheckoutStarted:
		if tok := str(props, "checkout_token"); tok != "" && len(tok) <= 200 {
			p.countCheckout(tok, "")
			if e.VisitorID != "" {
				if err := b.tx.LinkCartToken(e.WorkspaceID, tok, e.VisitorID, e.OccurredAt); err != nil {
					return err
				}
			}
		} else {
			p.Checkouts++
		}
	case EventCustomerUpdated:
		for ch, key := range map[string]string{"email": "email_consent", "sms": "sms_consent"} {
			var c commerce.Consent
			if v, ok := props[key]; ok && json.Unmarshal(v, &c) == nil && c.State != "" {
				if err := b.shopConsent(e, contact, ch, c); err != nil {
					return err
				}
			}
		}
	case EventConsentChanged:
		var c commerce.Consent
		if v, ok := props["consent"]; ok && json.Unmarshal(v, &c) == nil && c.State != "" {
			return b.shopConsent(e, contact, str(props, "channel"), c)
		}
	case EventOrderPlaced:
		p.Orders++
		if cur := str(props, "currency"); cur != "" {
			p.Revenue[cur] += num(props, "total_minor")
		}
		if e.OccurredAt.After(p.LastOrderAt) {
			p.LastOrderAt = e.OccurredAt
		}
		for _, it := range items(props) {
			if it.ProductID != "" {
				p.product(it.ProductID).Bought += it.Quantity
			}
		}
		p.LastCart = p.LastCart[:0]
		p.CartAt = e.OccurredAt
		// An order went through a checkout, which may never have been
		// seen open (its deliveries came completed, or not at all).
		if tok := str(props, "checkout_token"); tok != "" {
			p.countCheckout(tok, str(props, "cart_token"))
		}
		return b.statedConsent(e, contact, props)
	case EventOrderPaid, EventOrderUpdated:
		return b.statedConsent(e, contact, props)
	case EventOrderCancelled:
		// Refunds logged before the cancellation took back their part.
		if cur := str(props, "currency"); cur != "" {
			p.Revenue[cur] -= num(props, "total_minor") - num(props, "refunded_minor")
		}
	case EventOrderRefunded:
		if cur := str(props, "currency"); cur != "" {
			p.Revenue[cur] -= num(props, "refund_minor")
		}
	case EventConsent:
		return b.consent(e, props, contact)
	case EventTagAdded, EventTagRemoved:
		t := str(props, "tag")
		if t == "" || len(t) > maxTagLen {
			return &badEvent{e.Type + " needs a tag of 1 to 64 bytes"}
		}
		p.tag(t, e.Type == EventTagAdded)
	}
	return nil
}

// statedConsent records the email consent statement a checkout or order
// event carries: email_consent, or for events logged before it existed a
// ticked accepts_marketing box (a grant without a time of its own).
func (b *batch) statedConsent(e *store.Event, contact string, props map[string]json.RawMessage) error {
	var c commerce.Consent
	if v, ok := props["email_consent"]; ok && json.Unmarshal(v, &c) == nil && c.State != "" {
		return b.shopConsent(e, contact, "email", c)
	}
	if v, ok := props["accepts_marketing"]; ok && string(v) == "true" {
		return b.shopConsent(e, contact, "email", commerce.Consent{State: commerce.ConsentSubscribed})
	}
	return nil
}

// shopConsent records a consent state the shop reported. Pending and
// never-asked states are not a grant; only "subscribed" is.
//
// A statement counts from the time it was made, not from the time of the
// record carrying it (a checkout updated after an unsubscribe still
// carries the box ticked before it), and applies only if it is newer than
// the stored consent (consent-set). A statement without a time of its own
// (Shopify's buyer_accepts_marketing) is never newer than a stored
// withdrawal, adds nothing to a stored grant, and a timeless "never asked"
// (not_subscribed, pending) withdraws nothing; otherwise it takes the
// event's time.
func (b *batch) shopConsent(e *store.Event, contact, channel string, c commerce.Consent) error {
	switch channel {
	case "email", "sms":
	default:
		return &badEvent{"consent for unknown channel " + channel}
	}
	granted := c.State == commerce.ConsentSubscribed
	at := c.UpdatedAt
	if at.IsZero() {
		cur, found, err := b.storedConsent(e.WorkspaceID, contact, channel)
		if err != nil {
			return err
		}
		if found && (withdrawn(cur) || cur.Granted == granted || !granted && c.State != commerce.ConsentUnsubscribed) {
			// Nothing stated against what is stored: a grant without a
			// time over a refusal, a repeat, or "never asked" (a shop's
			// not_subscribed, pending) over a consent given elsewhere.
			return nil
		}
		at = e.OccurredAt
	}
	return b.tx.SetConsent(e.WorkspaceID, contact, store.Consent{Channel: channel,
		Granted: granted, Source: e.Source, Text: c.State, UpdatedAt: at})
}

func (b *batch) storedConsent(ws, contact, channel string) (store.Consent, bool, error) {
	cs, err := b.tx.Consents(ws, contact)
	if err != nil {
		return store.Consent{}, false, err
	}
	for _, c := range cs {
		if c.Channel == channel {
			return c, true, nil
		}
	}
	return store.Consent{}, false, nil
}

// withdrawn reports whether a stored consent is a refusal (an unsubscribe,
// a shop's "unsubscribed"), as opposed to consent never given or waiting
// for confirmation.
func withdrawn(c store.Consent) bool {
	if c.Granted {
		return false
	}
	switch {
	case c.Text == commerce.ConsentNotSubscribed, c.Text == commerce.ConsentPending,
		strings.HasPrefix(c.Text, PendingConsentPrefix):
		return false
	}
	return true
}

// PendingConsentPrefix starts the text of an email consent that waits
// for its double opt-in confirmation.
const PendingConsentPrefix = "pending confirmation: "

// SourceDoubleOptIn is the source of the consent event a confirmation
// link logs.
const SourceDoubleOptIn = "double_opt_in"

// doubleOptIn reads the workspace's setting once per batch.
func (b *batch) doubleOptIn(ws string) (bool, error) {
	if v, ok := b.doi[ws]; ok {
		return v, nil
	}
	v, err := b.tx.DoubleOptIn(ws)
	if err != nil {
		return false, err
	}
	if b.doi == nil {
		b.doi = map[string]bool{}
	}
	b.doi[ws] = v
	return v, nil
}

// consentChannels are the channels a consent event may name.
var consentChannels = []string{"tracking", "email", "sms", "push"}

// consent records the channels a consent event names, as flat flags
// ({"email": true}, what the tracker sends) or under "channels" (what the
// API sends, whose "email" is the person's address).
func (b *batch) consent(e *store.Event, props map[string]json.RawMessage, contact string) error {
	var nested map[string]json.RawMessage
	if raw, ok := props["channels"]; ok {
		_ = json.Unmarshal(raw, &nested)
	}
	for _, ch := range consentChannels {
		v, ok := nested[ch]
		if !ok {
			v, ok = props[ch]
		}
		if !ok {
			continue
		}
		var granted bool
		if err := json.Unmarshal(v, &granted); err != nil {
			continue
		}
		c := store.Consent{Channel: ch, Granted: granted, Source: e.Source, Text: str(props, "text"), UpdatedAt: e.OccurredAt}
		if ch == "email" && granted && (e.Source == "tracker" || e.Source == "api" || e.Source == "widget") {
			doi, err := b.doubleOptIn(e.WorkspaceID)
			if err != nil {
				return err
			}
			if doi {
				// Not granted until the person clicks the confirmation link
				// (a consent event from source double_opt_in): an address
				// typed into a form may be someone else's.
				c.Granted, c.Text = false, PendingConsentPrefix+c.Text
			}
		}
		if err := b.tx.SetConsent(e.WorkspaceID, contact, c); err != nil {
			return err
		}
	}
	return nil
}
