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

func scanCheckout(row scanner) (commerce.Checkout, error) {
	var c commerce.Checkout
	var items string
	var completed, created, updated int64
	err := row.Scan(&c.WorkspaceID, &c.Token, &c.ShopID, &c.Email, &c.CustomerID, &c.VisitorID, &c.Currency,
		&c.SubtotalMinor, &c.TotalMinor, &items, &c.RecoveryURL, &completed, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return c, fmt.Errorf("checkout %s items: %w", c.Token, err)
	}
	c.CompletedAt, c.CreatedAt, c.UpdatedAt = fromMS(completed), fromMS(created), fromMS(updated)
	return c, nil
}

func checkoutArgs(c commerce.Checkout) []any {
	items := c.Items
	if items == nil {
		items = []commerce.LineItem{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		panic(fmt.Sprintf("store: marshal line items: %v", err))
	}
	return []any{c.WorkspaceID, c.Token, c.ShopID, c.Email, c.CustomerID, c.VisitorID, c.Currency, c.SubtotalMinor,
		c.TotalMinor, string(b), c.RecoveryURL, ms(c.CompletedAt), ms(c.CreatedAt), ms(c.UpdatedAt)}
}

// Checkout returns one checkout of the workspace by token.
func (s *Store) Checkout(ctx context.Context, workspaceID, token string) (commerce.Checkout, error) {
	c, err := scanCheckout(s.r.QueryRowContext(ctx, s.q.CheckoutGet, workspaceID, token))
	if err != nil {
		return c, fmt.Errorf("checkout %s: %w", token, err)
	}
	return c, nil
}

// CheckoutFilter narrows and pages a checkout listing.
type CheckoutFilter struct {
	ShopID string
	// State is "open", "completed" or "" for both.
	State    string
	Before   time.Time
	BeforeID string
	Limit    int
}

// Checkouts lists checkouts, most recently updated first.
func (s *Store) Checkouts(ctx context.Context, workspaceID string, f CheckoutFilter) ([]commerce.Checkout, error) {
	before, beforeID, limit := keyset(f.Before, f.BeforeID, f.Limit)
	return list(ctx, s.r, "checkouts", s.q.CheckoutList, scanCheckout, workspaceID, f.ShopID, f.State, before, beforeID, limit)
}
