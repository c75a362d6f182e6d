package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// contentQueries are the queries that gather what a message shows
// (products to recommend, the event that started a flow) and whom it
// reaches (a contact's push subscriptions).
type contentQueries struct {
	ContentEventGet         string `query:"content-event-get"`
	ContentContactPush      string `query:"content-contact-push-subscriptions"`
	ContentRecentOrderItems string `query:"content-recent-order-items"`
}

// Event returns one event of a workspace's log by its id (offset).
func (s *Store) Event(ctx context.Context, workspaceID string, id int64) (Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.ContentEventGet, workspaceID, id)
	if err != nil {
		return Event{}, fmt.Errorf("event %d: %w", id, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return Event{}, fmt.Errorf("event %d: %w", id, err)
	}
	if len(evs) == 0 {
		return Event{}, fmt.Errorf("event %d: %w", id, ErrNotFound)
	}
	return evs[0], nil
}

// ContactPushSubscriptions lists the push subscriptions of every browser
// (visitor identity) of a contact, oldest first.
func (s *Store) ContactPushSubscriptions(ctx context.Context, workspaceID, contactID string) ([]PushSubscription, error) {
	return list(ctx, s.r, "contact push subscriptions", s.q.ContentContactPush, scanPushSubscription, workspaceID, contactID)
}

// ProductSales is how many units of a product recent orders contained.
type ProductSales struct {
	ProductID string
	Quantity  int64
}

// Bestsellers counts the units sold per product in the newest orders (at
// most maxOrders) placed since since and not cancelled, best first (ties
// by product id, so the order is stable).
func (s *Store) Bestsellers(ctx context.Context, workspaceID string, since time.Time, maxOrders int) ([]ProductSales, error) {
	if maxOrders <= 0 {
		maxOrders = 1000
	}
	rows, err := s.r.QueryContext(ctx, s.q.ContentRecentOrderItems, workspaceID, ms(since), maxOrders)
	if err != nil {
		return nil, fmt.Errorf("bestsellers: %w", err)
	}
	defer rows.Close()
	qty := map[string]int64{}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("bestsellers: %w", err)
		}
		var items []commerce.LineItem
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			// One malformed row must not hide every other order's sales.
			continue
		}
		for _, it := range items {
			if it.ProductID != "" && it.Quantity > 0 {
				qty[it.ProductID] += it.Quantity
			}
		}
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("bestsellers: %w", err)
	}
	out := make([]ProductSales, 0, len(qty))
	for id, n := range qty {
		out = append(out, ProductSales{ProductID: id, Quantity: n})
	}
	slices.SortFunc(out, func(a, b ProductSales) int {
		if c := cmp.Compare(b.Quantity, a.Quantity); c != 0 {
			return c
		}
		return cmp.Compare(a.ProductID, b.ProductID)
	})
	return out, nil
}
