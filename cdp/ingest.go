// Package cdp owns what Cartwheel knows about people: the event log and the
// ingest path into it, and (as they land) contacts, identities and consents.
//
// Every source — the tracker, the REST API, the Shopify and WooCommerce
// connectors, the demo shop — hands its data to Ingest; nothing writes the
// log any other way, so processors see one consistent stream.
package cdp

import (
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
)

// Ingest appends to the event log.
type Ingest struct {
	st  *store.Store
	log *slog.Logger
	now func() time.Time
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
	Email       string              `json:"email,omitempty"`
	Currency    string              `json:"currency"`
	TotalMinor  int64               `json:"total_minor"`
	Items       []commerce.LineItem `json:"items"`
	RecoveryURL string              `json:"recovery_url,omitempty"`
	ShopID      string              `json:"shop_id"`
}

// RecordCheckout stores a checkout and logs checkout_updated.
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
		Props: props(checkoutProps{Token: c.Token, Email: c.Email, Currency: c.Currency, TotalMinor: c.TotalMinor,
			Items: c.Items, RecoveryURL: c.RecoveryURL, ShopID: c.ShopID}),
	}
	if err := in.st.SaveCheckout(ctx, c, []store.Event{ev}); err != nil {
		return fmt.Errorf("record checkout: %w", err)
	}
	return nil
}

type orderProps struct {
	OrderID       string              `json:"order_id"`
	Number        string              `json:"number,omitempty"`
	Email         string              `json:"email,omitempty"`
	Currency      string              `json:"currency"`
	TotalMinor    int64               `json:"total_minor"`
	Items         []commerce.LineItem `json:"items"`
	DiscountCodes []string            `json:"discount_codes"`
	CheckoutToken string              `json:"checkout_token,omitempty"`
	ShopID        string              `json:"shop_id"`
}

// RecordOrder stores an order (insert or update) and logs order_placed the
// first time it is seen, order_updated or order_cancelled afterwards. A
// redelivered identical order therefore never counts as a second sale.
func (in *Ingest) RecordOrder(ctx context.Context, o commerce.Order, source string) error {
	now := in.now().UTC()
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = now
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("record order: %w", err)
	}
	p := props(orderProps{OrderID: o.ID, Number: o.Number, Email: o.Email, Currency: o.Currency,
		TotalMinor: o.TotalMinor, Items: o.Items, DiscountCodes: o.DiscountCodes, CheckoutToken: o.CheckoutToken, ShopID: o.ShopID})
	err := in.st.SaveOrder(ctx, o, func(created bool) []store.Event {
		typ, at := EventOrderUpdated, o.UpdatedAt
		switch {
		case created:
			typ, at = EventOrderPlaced, o.PlacedAt
		case !o.CancelledAt.IsZero():
			typ, at = EventOrderCancelled, o.CancelledAt
		}
		return []store.Event{{WorkspaceID: o.WorkspaceID, Type: typ, Source: source, VisitorID: o.VisitorID,
			OccurredAt: at, ReceivedAt: now, Props: p}}
	})
	if err != nil {
		return fmt.Errorf("record order: %w", err)
	}
	return nil
}
