package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// scheduleQueries are the queries of time-based triggers.
type scheduleQueries struct {
	TriggerFireInsert      string `query:"trigger-fire-insert"`
	SweepContacts          string `query:"sweep-contacts"`
	SweepPurchases         string `query:"sweep-purchases"`
	SweepReplenishProducts string `query:"sweep-replenish-products"`
}

// FireTrigger records that the time-based trigger key fired for a contact;
// it reports false when it had fired already, so each fires once.
func (s *Store) FireTrigger(ctx context.Context, workspaceID, contactID, key string, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.q.TriggerFireInsert, workspaceID, contactID, key, ms(at))
	if err != nil {
		return false, fmt.Errorf("fire trigger: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SweepContact is what time-based triggers read about one live contact.
type SweepContact struct {
	ID         string
	Email      string
	Attributes json.RawMessage
	// Profile is the profile document (profiles.data), nil when the
	// contact has none yet.
	Profile json.RawMessage
}

// SweepContacts pages through a workspace's live (unmerged) contacts in id
// order, limit at a time after afterID ("" for the first page). Paging
// keeps each read short, so a sweep of a large workspace never holds one
// long read open while it writes what it finds.
func (s *Store) SweepContacts(ctx context.Context, workspaceID, afterID string, limit int) ([]SweepContact, error) {
	return list(ctx, s.r, "sweep contacts", s.q.SweepContacts, func(row scanner) (SweepContact, error) {
		var c SweepContact
		var attrs string
		var profile sql.NullString
		if err := row.Scan(&c.ID, &c.Email, &attrs, &profile); err != nil {
			return c, err
		}
		c.Attributes = json.RawMessage(attrs)
		if profile.Valid {
			c.Profile = json.RawMessage(profile.String)
		}
		return c, nil
	}, workspaceID, afterID, limit)
}

// Purchase is one order that was not cancelled, with the contact it
// belongs to as far as the identity graph knows.
type Purchase struct {
	// ContactID is the contact of the order's visitor, else of its email;
	// "" when neither is known.
	ContactID string
	// Email is the order's email as the shop gave it.
	Email    string
	Items    json.RawMessage // the order's line items (commerce.LineItem)
	PlacedAt time.Time
}

// Purchases lists a workspace's orders that were not cancelled, oldest
// first, each tied to its contact through the identity graph (the visitor
// who checked out first, as the profile processor resolves it, then the
// order's email).
func (s *Store) Purchases(ctx context.Context, workspaceID string) ([]Purchase, error) {
	return list(ctx, s.r, "purchases", s.q.SweepPurchases, func(row scanner) (Purchase, error) {
		var p Purchase
		var items string
		var placed int64
		if err := row.Scan(&p.ContactID, &p.Email, &items, &placed); err != nil {
			return p, err
		}
		p.Items, p.PlacedAt = json.RawMessage(items), fromMS(placed)
		return p, nil
	}, workspaceID)
}

// ReplenishDays maps the id of every product of the workspace that has
// its own replenishment cycle set (products.replenish_days) to that cycle
// in days.
func (s *Store) ReplenishDays(ctx context.Context, workspaceID string) (map[string]int, error) {
	type cycle struct {
		id   string
		days int
	}
	rows, err := list(ctx, s.r, "replenish days", s.q.SweepReplenishProducts, func(row scanner) (cycle, error) {
		var c cycle
		return c, row.Scan(&c.id, &c.days)
	}, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, c := range rows {
		out[c.id] = c.days
	}
	return out, nil
}
