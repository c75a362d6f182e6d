package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func scanOrder(row scanner) (commerce.Order, error) {
	var o commerce.Order
	var items, codes string
	var cancelled, placed, updated int64
	err := row.Scan(&o.WorkspaceID, &o.ID, &o.ShopID, &o.ExternalID, &o.Number, &o.Email, &o.CustomerID, &o.VisitorID,
		&o.CheckoutToken, &o.Currency, &o.SubtotalMinor, &o.DiscountMinor, &o.ShippingMinor, &o.TaxMinor, &o.TotalMinor,
		&o.Financial, &cancelled, &items, &codes, &placed, &updated,
		&o.Status, &o.Fulfillment, &o.RefundedMinor, &o.PricesIncludeTax, &o.FirstName, &o.LastName)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(items), &o.Items); err != nil {
		return o, fmt.Errorf("order %s items: %w", o.ID, err)
	}
	if err := json.Unmarshal([]byte(codes), &o.DiscountCodes); err != nil {
		return o, fmt.Errorf("order %s discount codes: %w", o.ID, err)
	}
	o.CancelledAt, o.PlacedAt, o.UpdatedAt = fromMS(cancelled), fromMS(placed), fromMS(updated)
	return o, nil
}

func orderArgs(o commerce.Order) []any {
	items := o.Items
	if items == nil {
		items = []commerce.LineItem{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		panic(fmt.Sprintf("store: marshal line items: %v", err))
	}
	return []any{o.WorkspaceID, o.ID, o.ShopID, o.ExternalID, o.Number, o.Email, o.CustomerID, o.VisitorID,
		o.CheckoutToken, o.Currency, o.SubtotalMinor, o.DiscountMinor, o.ShippingMinor, o.TaxMinor, o.TotalMinor,
		o.Financial, ms(o.CancelledAt), string(b), jsonText(nonNil(o.DiscountCodes)), ms(o.PlacedAt), ms(o.UpdatedAt),
		o.Status, o.Fulfillment, o.RefundedMinor, o.PricesIncludeTax, o.FirstName, o.LastName}
}

// Order returns one order of the workspace.
func (s *Store) Order(ctx context.Context, workspaceID, id string) (commerce.Order, error) {
	o, err := scanOrder(s.r.QueryRowContext(ctx, s.q.OrderGet, workspaceID, id))
	if err != nil {
		return o, fmt.Errorf("order %s: %w", id, err)
	}
	return o, nil
}

// OrderFilter narrows and pages an order listing.
type OrderFilter struct {
	ShopID string
	Email  string
	// Before is the keyset cursor: orders placed before it (ties broken by BeforeID).
	Before   time.Time
	BeforeID string
	Limit    int
}

// Orders lists orders newest first.
func (s *Store) Orders(ctx context.Context, workspaceID string, f OrderFilter) ([]commerce.Order, error) {
	before, beforeID, limit := keyset(f.Before, f.BeforeID, f.Limit)
	return list(ctx, s.r, "orders", s.q.OrderList, scanOrder, workspaceID, f.ShopID, f.Email, before, beforeID, limit)
}
