// Package cdp owns what Cartwheel knows about people: the event log and the
// ingest path into it, and (as they land) contacts, identities and consents.
//
// Every source — the tracker, the REST API, the Shopify and WooCommerce
// connectors, the demo shop — hands its data to Ingest; nothing writes the
// log any other way, so processors see one consistent stream.
package cdp

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// Event types written by the commerce ingest path. They are part of the
// public API (outbound webhooks, flow triggers): never rename one.
const (
	EventCheckoutUpdated = "checkout_updated"
	EventOrderPlaced     = "order_placed"
	EventOrderUpdated    = "order_updated"
	EventOrderCancelled  = "order_cancelled"
	EventOrderPaid       = "order_paid"
	// EventOrderRefunded is logged when an order's refunded amount changes;
	// its refund_minor is what that refund gave back (negative when the
	// shop deleted a refund), refunded_minor the order's refunds so far.
	EventOrderRefunded   = "order_refunded"
	EventCustomerUpdated = "customer_updated"
	EventConsentChanged  = "consent_changed"
	EventProductUpdated  = "product_updated"
)

// Ingest appends to the event log.
type Ingest struct {
	st     *store.Store
	log    *slog.Logger
	now    func() time.Time
	notify func()
}

// OnAppend sets f to be called after every append, to wake the profile
// processor (the Writer does the same for tracker events). f must not
// block. Call before use.
func (in *Ingest) OnAppend(f func()) { in.notify = f }

func (in *Ingest) appended() {
	if in.notify != nil {
		in.notify()
	}
}

// NewIngest returns an Ingest; now may be nil (time.Now).
func NewIngest(st *store.Store, log *slog.Logger, now func() time.Time) *Ingest {
	if now == nil {
		now = time.Now
	}
	return &Ingest{st: st, log: log, now: now}
}

func props(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cdp: marshal %T: %v", v, err))
	}
	return b
}

// checkoutProps is what flows and templates read from a checkout event.
type checkoutProps struct {
	Token       string              `json:"token"`
	CartToken   string              `json:"cart_token,omitempty"`
	Email       string              `json:"email,omitempty"`
	CustomerID  string              `json:"customer_id,omitempty"`
	FirstName   string              `json:"first_name,omitempty"`
	LastName    string              `json:"last_name,omitempty"`
	Currency    string              `json:"currency"`
	TotalMinor  int64               `json:"total_minor"`
	Items       []commerce.LineItem `json:"items"`
	RecoveryURL string              `json:"recovery_url,omitempty"`
	ShopID      string              `json:"shop_id"`
	Marketing   bool                `json:"accepts_marketing,omitempty"`
	// EmailConsent is the buyer's statement with its own time (none when
	// the platform gave none: see batch.shopConsent).
	EmailConsent *commerce.Consent `json:"email_consent,omitempty"`
}

// statedConsent is the consent statement a checkout or order carries: its
// own, or a ticked marketing box, which is a grant without a time of its own.
func statedConsent(c *commerce.Consent, ticked bool) *commerce.Consent {
	switch {
	case c != nil && c.State != "":
		return c
	case ticked:
		return &commerce.Consent{State: commerce.ConsentSubscribed}
	}
	return nil
}

// RecordCheckout stores a checkout and logs checkout_updated, by the
// checkout's own time rather than by arrival, since webhooks are not
// ordered:
//
//   - a delivery older than the stored checkout changes nothing, except
//     that it may complete it (completion is never undone), and neither
//     does an open state from before the completion (a cart the plugin
//     posted before the order, delivered after it);
//   - a completed checkout (by its completed_at, or by an order that named
//     its checkout or cart token, whichever arrived first) stays completed
//     and logs no checkout_updated: that event is what abandoned-checkout
//     flows start from;
//   - equal times apply, so the later arrival wins.
func (in *Ingest) RecordCheckout(ctx context.Context, c commerce.Checkout, source string) error {
	if c.WorkspaceID == "" || c.ShopID == "" || c.Token == "" {
		return fmt.Errorf("record checkout: workspace, shop and token are required")
	}
	now := in.now().UTC()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now
	}
	ev := store.Event{
		WorkspaceID: c.WorkspaceID, Type: EventCheckoutUpdated, Source: source, VisitorID: c.VisitorID,
		OccurredAt: c.UpdatedAt, ReceivedAt: now,
		Props: props(checkoutProps{Token: c.Token, CartToken: c.CartToken, Email: c.Email, CustomerID: c.CustomerID,
			FirstName: c.FirstName, LastName: c.LastName, Currency: c.Currency, TotalMinor: c.TotalMinor,
			Items: c.Items, RecoveryURL: c.RecoveryURL, ShopID: c.ShopID, Marketing: c.AcceptsMarketing,
			EmailConsent: statedConsent(c.EmailConsent, c.AcceptsMarketing)}),
	}
	err := in.st.SaveCheckout(ctx, c, func(prev *commerce.Checkout, orderedAt time.Time) (*commerce.Checkout, []store.Event) {
		row, open := checkoutRow(c, prev, orderedAt)
		if row == nil || !open {
			return row, nil
		}
		return row, []store.Event{ev}
	})
	if err != nil {
		return fmt.Errorf("record checkout: %w", err)
	}
	in.appended()
	return nil
}

// checkoutRow decides what a checkout delivery c changes, given the stored
// checkout (nil if none) and the time an order named its token (zero if
// none did): the row to write (nil: nothing) and whether the checkout is
// open, so that checkout_updated is logged (see RecordCheckout).
func checkoutRow(c commerce.Checkout, prev *commerce.Checkout, orderedAt time.Time) (*commerce.Checkout, bool) {
	completed := cmp.Or(c.CompletedAt, orderedAt)
	if prev != nil && !prev.CompletedAt.IsZero() {
		completed = prev.CompletedAt
	}
	older := prev != nil && prev.UpdatedAt.After(c.UpdatedAt)
	switch {
	case prev != nil && !prev.CompletedAt.IsZero() && (older || c.CompletedAt.IsZero() && c.UpdatedAt.Before(completed)):
		// Completed already, and this is a state from before (a cart the
		// plugin posted without waiting, a delayed update).
		return nil, false
	case older && completed.IsZero():
		return nil, false
	case older:
		// Older, but it brings the completion: that much applies.
		done := *prev
		done.CompletedAt = completed
		return &done, false
	}
	row := c
	row.CompletedAt = completed
	return &row, completed.IsZero()
}

type orderProps struct {
	OrderID       string              `json:"order_id"`
	Number        string              `json:"number,omitempty"`
	Email         string              `json:"email,omitempty"`
	CustomerID    string              `json:"customer_id,omitempty"`
	Currency      string              `json:"currency"`
	TotalMinor    int64               `json:"total_minor"`
	Financial     string              `json:"financial_status,omitempty"`
	Items         []commerce.LineItem `json:"items"`
	DiscountCodes []string            `json:"discount_codes"`
	CheckoutToken string              `json:"checkout_token,omitempty"`
	CartToken     string              `json:"cart_token,omitempty"`
	FirstName     string              `json:"first_name,omitempty"`
	LastName      string              `json:"last_name,omitempty"`
	ShopID        string              `json:"shop_id"`
	Status        string              `json:"status,omitempty"`
	Fulfillment   string              `json:"fulfillment_status,omitempty"`
	// RefundedMinor is the order's refunds so far: a cancellation takes
	// back only what they have not already taken back.
	RefundedMinor int64 `json:"refunded_minor,omitempty"`
	// RefundMinor is, on order_refunded only, what this refund gave back.
	RefundMinor int64 `json:"refund_minor,omitempty"`
	// EmailConsent is the buyer's statement on the order, with its own
	// time when the platform gives one.
	EmailConsent *commerce.Consent `json:"email_consent,omitempty"`
}

// RecordOrder stores an order (insert or update) and logs what changed:
// order_placed the first time it is seen (with order_paid, order_refunded
// and order_cancelled too when it arrives so), order_refunded when its
// refunded amount grows, order_paid when it becomes paid, order_cancelled
// when it is cancelled, order_updated otherwise. A redelivered identical
// order therefore never counts as a second sale, and a delivery that is not
// a later state of the stored order (commerce.Order.Supersedes: older, or
// as old and behind in the lifecycle, since webhooks arrive out of order and
// WooCommerce's times are to the second) changes nothing.
func (in *Ingest) RecordOrder(ctx context.Context, o commerce.Order, source string) error {
	now := in.now().UTC()
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = now
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("record order: %w", err)
	}
	base := orderProps{OrderID: o.ID, Number: o.Number, Email: o.Email, CustomerID: o.CustomerID, Currency: o.Currency,
		TotalMinor: o.TotalMinor, Items: o.Items, DiscountCodes: o.DiscountCodes, CheckoutToken: o.CheckoutToken,
		CartToken: o.CartToken, FirstName: o.FirstName, LastName: o.LastName, ShopID: o.ShopID, Financial: o.Financial,
		Status: o.Status, Fulfillment: o.Fulfillment, RefundedMinor: o.RefundedMinor,
		EmailConsent: statedConsent(o.EmailConsent, false)}
	p := props(base)
	ev := func(typ string, at time.Time) store.Event {
		return store.Event{WorkspaceID: o.WorkspaceID, Type: typ, Source: source, VisitorID: o.VisitorID,
			OccurredAt: at, ReceivedAt: now, Props: p}
	}
	refund := func(amount int64) store.Event {
		e := ev(EventOrderRefunded, o.UpdatedAt)
		rp := base
		rp.RefundMinor = amount
		e.Props = props(rp)
		return e
	}
	err := in.st.SaveOrder(ctx, o, func(prev *commerce.Order) ([]store.Event, bool) {
		if prev == nil {
			evs := []store.Event{ev(EventOrderPlaced, o.PlacedAt)}
			if paid(o.Financial) {
				evs = append(evs, ev(EventOrderPaid, o.PlacedAt))
			}
			if o.RefundedMinor > 0 {
				evs = append(evs, refund(o.RefundedMinor))
			}
			if !o.CancelledAt.IsZero() {
				evs = append(evs, ev(EventOrderCancelled, o.CancelledAt))
			}
			return evs, true
		}
		if !o.Supersedes(*prev) {
			return nil, false
		}
		if o.VisitorID == "" {
			o.VisitorID = prev.VisitorID
		}
		var evs []store.Event
		if o.RefundedMinor != prev.RefundedMinor {
			// Less than before is a refund the shop deleted
			// (WooCommerce's woocommerce_delete_order_refund): the
			// negative amount gives the revenue back.
			evs = append(evs, refund(o.RefundedMinor-prev.RefundedMinor))
		}
		switch {
		case !o.CancelledAt.IsZero() && prev.CancelledAt.IsZero():
			return append(evs, ev(EventOrderCancelled, o.CancelledAt)), true
		case paid(o.Financial) && !paid(prev.Financial):
			return append(evs, ev(EventOrderPaid, o.UpdatedAt)), true
		case len(evs) > 0:
			return evs, true
		case sameOrder(*prev, o):
			// A redelivery: keep the row as it is and log nothing.
			return nil, false
		}
		return []store.Event{ev(EventOrderUpdated, o.UpdatedAt)}, true
	})
	if err != nil {
		return fmt.Errorf("record order: %w", err)
	}
	in.appended()
	return nil
}

// paid reports whether a financial status means the money was taken.
func paid(financial string) bool {
	switch financial {
	case "paid", "partially_refunded", "refunded":
		return true
	}
	return false
}

// sameOrder reports whether an update changes nothing a consumer reads.
func sameOrder(a, b commerce.Order) bool {
	return a.Financial == b.Financial && a.TotalMinor == b.TotalMinor && a.Email == b.Email &&
		a.CancelledAt.Equal(b.CancelledAt) && a.UpdatedAt.Equal(b.UpdatedAt) && len(a.Items) == len(b.Items) &&
		a.Status == b.Status && a.Fulfillment == b.Fulfillment && a.RefundedMinor == b.RefundedMinor &&
		a.FirstName == b.FirstName && a.LastName == b.LastName
}

// Record appends one server-side event (a connector's customer_updated,
// consent_changed, product_updated…). Props must be a JSON object.
func (in *Ingest) Record(ctx context.Context, workspaceID, typ, source string, occurred time.Time, p any) error {
	now := in.now().UTC()
	if occurred.IsZero() {
		occurred = now
	}
	ev := store.Event{WorkspaceID: workspaceID, Type: typ, Source: source, OccurredAt: occurred.UTC(), ReceivedAt: now,
		Props: props(p)}
	if err := in.st.AppendEvents(ctx, []store.Event{ev}); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	in.appended()
	return nil
}

// RecordFor appends one server-side event about a known contact: what
// Cartwheel itself did or saw (an email clicked, a tag added, a time-based
// trigger fired). The contact is named directly, so the event needs no
// identifying props.
func (in *Ingest) RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, occurred time.Time, p any) error {
	ev, err := contactEvent(workspaceID, contactID, typ, source, occurred, in.now(), p)
	if err != nil {
		return err
	}
	if err := in.st.AppendEvents(ctx, []store.Event{ev}); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	in.appended()
	return nil
}

// contactEvent builds the event RecordFor appends.
func contactEvent(workspaceID, contactID, typ, source string, occurred, now time.Time, p any) (store.Event, error) {
	if contactID == "" {
		return store.Event{}, fmt.Errorf("record %s: a contact is required", typ)
	}
	now = now.UTC()
	if occurred.IsZero() {
		occurred = now
	}
	return store.Event{WorkspaceID: workspaceID, ContactID: contactID, Type: typ, Source: source,
		OccurredAt: occurred.UTC(), ReceivedAt: now, Props: props(p), Context: json.RawMessage("{}")}, nil
}
