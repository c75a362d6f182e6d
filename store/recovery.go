package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// recoveryQueries serve the recovery flows: whether a checkout was ordered,
// goals that happened after a trigger whatever their place in the log, and
// the discount codes flow steps made.
type recoveryQueries struct {
	OrderExistsCheckout         string `query:"order-exists-checkout"`
	EventListContactTypeSince   string `query:"event-list-contact-type-since"`
	FlowDiscountGet             string `query:"flow-discount-get"`
	FlowDiscountPut             string `query:"flow-discount-put"`
	EraseWorkspaceFlowDiscounts string `query:"erase-workspace-flow-discounts"`
}

// CheckoutOrdered reports whether an order of the checkout with token is
// stored, whenever it arrived.
func (s *Store) CheckoutOrdered(ctx context.Context, workspaceID, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, s.q.OrderExistsCheckout, workspaceID, token).Scan(&n); err != nil {
		return false, fmt.Errorf("order of checkout %s: %w", token, err)
	}
	return n != 0, nil
}

// ContactEventsOfTypeSince lists a contact's events (its own and its
// visitor ids') of one type that occurred at or after since, whatever
// their log offset, leaving out event except; oldest logged first.
func (s *Store) ContactEventsOfTypeSince(ctx context.Context, workspaceID, contactID, eventType string, since time.Time, except int64, limit int) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.EventListContactTypeSince, workspaceID, contactID, eventType, ms(since), except, limit)
	if err != nil {
		return nil, fmt.Errorf("contact %s events since: %w", eventType, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("contact %s events since: %w", eventType, err)
	}
	return evs, nil
}

// FlowDiscount is a discount code a flow step made.
type FlowDiscount struct {
	Code      string
	ExpiresAt time.Time
}

// FlowDiscountCode returns the code the step with stepKey made; ErrNotFound
// before it made one.
func (s *Store) FlowDiscountCode(ctx context.Context, workspaceID, stepKey string) (FlowDiscount, error) {
	var d FlowDiscount
	var exp int64
	err := s.r.QueryRowContext(ctx, s.q.FlowDiscountGet, workspaceID, stepKey).Scan(&d.Code, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("discount of step %s: %w", stepKey, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("discount of step %s: %w", stepKey, err)
	}
	d.ExpiresAt = fromMS(exp)
	return d, nil
}

// SaveFlowDiscountCode records the code a step made; the first one
// recorded for the step stays.
func (s *Store) SaveFlowDiscountCode(ctx context.Context, workspaceID, stepKey string, d FlowDiscount, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.FlowDiscountPut, workspaceID, stepKey, d.Code, ms(d.ExpiresAt), ms(at)); err != nil {
		return fmt.Errorf("save discount of step %s: %w", stepKey, err)
	}
	return nil
}
