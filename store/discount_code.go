package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// discountCodeQueries are the queries of the discount codes Cartwheel
// keeps itself (a custom shop's, the demo's).
type discountCodeQueries struct {
	DiscountCodeCreate     string `query:"discount-code-create"`
	DiscountCodeGet        string `query:"discount-code-get"`
	DiscountCodeRedeem     string `query:"discount-code-redeem"`
	DiscountCodeRelease    string `query:"discount-code-release"`
	EraseShopDiscountCodes string `query:"erase-shop-discount-codes"`
}

// DiscountCode is a single-use code Cartwheel keeps for a shop whose
// checkout asks Cartwheel (the demo's): Percent off, or AmountMinor off.
type DiscountCode struct {
	WorkspaceID string
	Code        string
	ShopID      string
	Percent     int
	AmountMinor int64
	ExpiresAt   time.Time
	CreatedAt   time.Time
	// OrderID is the order that redeemed it ("" while unused).
	OrderID    string
	RedeemedAt time.Time
}

// CreateDiscountCode stores a new code; ErrConflict when the workspace
// has it already.
func (s *Store) CreateDiscountCode(ctx context.Context, d DiscountCode) error {
	_, err := s.w.ExecContext(ctx, s.q.DiscountCodeCreate, d.WorkspaceID, d.Code, d.ShopID, d.Percent, d.AmountMinor,
		ms(d.ExpiresAt), ms(d.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("discount code %s: %w", d.Code, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("discount code %s: %w", d.Code, err)
	}
	return nil
}

// DiscountCodeByCode returns a workspace's code (ErrNotFound when none).
func (s *Store) DiscountCodeByCode(ctx context.Context, workspaceID, code string) (DiscountCode, error) {
	var d DiscountCode
	var expires, created, redeemed int64
	err := s.r.QueryRowContext(ctx, s.q.DiscountCodeGet, workspaceID, code).Scan(&d.WorkspaceID, &d.Code, &d.ShopID,
		&d.Percent, &d.AmountMinor, &expires, &created, &d.OrderID, &redeemed)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("discount code %s: %w", code, err)
	}
	d.ExpiresAt, d.CreatedAt, d.RedeemedAt = fromMS(expires), fromMS(created), fromMS(redeemed)
	return d, nil
}

// RedeemDiscountCode takes a code for an order; ErrConflict when another
// order took it first.
func (s *Store) RedeemDiscountCode(ctx context.Context, workspaceID, code, orderID string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.DiscountCodeRedeem, workspaceID, code, orderID, ms(at))
	if err != nil {
		return fmt.Errorf("redeem discount code %s: %w", code, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("redeem discount code %s: %w", code, ErrConflict)
	}
	return nil
}

// ReleaseDiscountCode gives a code back when the order that took it was
// not placed after all.
func (s *Store) ReleaseDiscountCode(ctx context.Context, workspaceID, code, orderID string) error {
	if _, err := s.w.ExecContext(ctx, s.q.DiscountCodeRelease, workspaceID, code, orderID); err != nil {
		return fmt.Errorf("release discount code %s: %w", code, err)
	}
	return nil
}
