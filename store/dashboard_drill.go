package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// The lists behind the dashboard's figures. Each list's totals use the
// conditions of the figure it opens from, so the two always agree.

type dashboardDrillQueries struct {
	DrillAttributed       string `query:"drill-attributed"`
	DrillAttributedTotals string `query:"drill-attributed-totals"`
	DrillOrders           string `query:"drill-orders"`
	DrillOrdersTotals     string `query:"drill-orders-totals"`
	DrillContactsCreated  string `query:"drill-contacts-created"`
	DrillContactsCreatedN string `query:"drill-contacts-created-count"`
	DrillContactsConsent  string `query:"drill-contacts-consent"`
	DrillContactsConsentN string `query:"drill-contacts-consent-count"`
	DrillMessages         string `query:"drill-messages"`
	DrillMessagesCount    string `query:"drill-messages-count"`
}

// Engagement filters of MessageFilter.Engaged: what the dashboard counts
// as sent, opened (by a person), opened by a machine only, and clicked.
const (
	EngagedDelivered = "delivered"
	EngagedOpened    = "opened"
	EngagedMachine   = "machine"
	EngagedClicked   = "clicked"
)

// AttributedOrder is an order credited to a message.
type AttributedOrder struct {
	MessageID     string    `json:"message_id"`
	Channel       string    `json:"channel"`
	FlowID        string    `json:"flow_id,omitempty"`
	FlowName      string    `json:"flow_name,omitempty"`
	ContactID     string    `json:"contact_id"`
	ContactEmail  string    `json:"contact_email,omitempty"`
	OrderID       string    `json:"order_id"`
	OrderNumber   string    `json:"order_number,omitempty"`
	CheckoutToken string    `json:"checkout_token,omitempty"`
	Currency      string    `json:"currency"`
	RevenueMinor  int64     `json:"revenue_minor"`
	MessageAt     time.Time `json:"message_at"`
}

// AttributedFilter selects credited orders by the time their message was
// made, as the dashboard's attributed revenue does.
type AttributedFilter struct {
	From, To time.Time
	// Currency and Channel narrow the list ("" = any).
	Currency, Channel string
	// Recovered keeps orders credited to cart and checkout flows' messages:
	// the carts and checkouts recovered.
	Recovered bool
	// Before and BeforeID are the previous page's last MessageAt and
	// MessageID.
	Before   time.Time
	BeforeID string
	Limit    int
}

func (f AttributedFilter) args(ws string) []any {
	rec := 0
	if f.Recovered {
		rec = 1
	}
	return []any{ws, ms(f.From), ms(f.To), f.Currency, f.Channel, rec}
}

// AttributedOrders lists credited orders newest message first.
func (s *Store) AttributedOrders(ctx context.Context, workspaceID string, f AttributedFilter) ([]AttributedOrder, error) {
	before, beforeID, limit := keyset(f.Before, f.BeforeID, f.Limit)
	args := append(f.args(workspaceID), before, beforeID, limit)
	return list(ctx, s.r, "attributed orders", s.q.DrillAttributed, func(row scanner) (AttributedOrder, error) {
		var a AttributedOrder
		var at int64
		err := row.Scan(&a.MessageID, &a.Channel, &a.FlowID, &a.FlowName, &a.ContactID, &a.ContactEmail, &a.OrderID,
			&a.OrderNumber, &a.CheckoutToken, &a.Currency, &a.RevenueMinor, &at)
		a.MessageAt = fromMS(at)
		return a, err
	}, args...)
}

// AttributedTotals counts and sums what AttributedOrders lists, per
// currency, largest first.
func (s *Store) AttributedTotals(ctx context.Context, workspaceID string, f AttributedFilter) ([]Money, error) {
	return s.moneyRows(ctx, "attributed totals", s.q.DrillAttributedTotals, f.args(workspaceID)...)
}

// PeriodOrderFilter selects orders placed in a period, cancelled ones left
// out, as the dashboard's shop revenue does.
type PeriodOrderFilter struct {
	From, To time.Time
	Currency string
	Before   time.Time
	BeforeID string
	Limit    int
}

// PeriodOrders lists orders placed in the period, newest first.
func (s *Store) PeriodOrders(ctx context.Context, workspaceID string, f PeriodOrderFilter) ([]commerce.Order, error) {
	before, beforeID, limit := keyset(f.Before, f.BeforeID, f.Limit)
	return list(ctx, s.r, "period orders", s.q.DrillOrders, scanOrder, workspaceID, ms(f.From), ms(f.To), f.Currency,
		before, beforeID, limit)
}

// PeriodOrderTotals counts and sums what PeriodOrders lists, per currency.
func (s *Store) PeriodOrderTotals(ctx context.Context, workspaceID string, f PeriodOrderFilter) ([]Money, error) {
	return s.moneyRows(ctx, "period order totals", s.q.DrillOrdersTotals, workspaceID, ms(f.From), ms(f.To), f.Currency)
}

func (s *Store) moneyRows(ctx context.Context, what, query string, args ...any) ([]Money, error) {
	return list(ctx, s.r, what, query, func(row scanner) (Money, error) {
		var m Money
		err := row.Scan(&m.Currency, &m.Count, &m.Minor)
		return m, err
	}, args...)
}

// hasPeriod reports whether f narrows contacts to a period (created, or
// a consent set).
func (f ContactFilter) hasPeriod() bool { return !f.From.IsZero() || !f.To.IsZero() }

// periodBounds is f's period in milliseconds, open ends made endless.
func (f ContactFilter) periodBounds() (int64, int64) {
	to := int64(math.MaxInt64)
	if !f.To.IsZero() {
		to = ms(f.To)
	}
	return ms(f.From), to
}

// listContactsPeriod is ListContacts for a filter with a period: contacts
// created in it, or whose consent on ConsentChannel was set to Granted in
// it.
func (s *Store) listContactsPeriod(ctx context.Context, workspaceID string, f ContactFilter, afterMS int64, afterID string) (ContactPage, error) {
	from, to := f.periodBounds()
	query, args := s.q.DrillContactsCreated, []any{workspaceID, afterMS, afterID, f.Limit, from, to}
	if f.ConsentChannel != "" {
		query, args = s.q.DrillContactsConsent, []any{workspaceID, afterMS, afterID, f.Limit, f.ConsentChannel,
			f.ConsentGranted, from, to}
	}
	cs, err := list(ctx, s.r, "contacts", query, scanContact, args...)
	if err != nil {
		return ContactPage{}, err
	}
	page := ContactPage{Contacts: cs}
	if n := len(cs); n == f.Limit {
		page.NextCursor = strconv.FormatInt(cs[n-1].CreatedAt.UnixMilli(), 10) + "." + cs[n-1].ID
	}
	return page, nil
}

// CountContacts counts the contacts a filter with a period selects (its
// Query and Cursor aside); it is what the dashboard's figure said.
func (s *Store) CountContacts(ctx context.Context, workspaceID string, f ContactFilter) (int, error) {
	if !f.hasPeriod() {
		return 0, fmt.Errorf("count contacts: a period is needed")
	}
	from, to := f.periodBounds()
	var n int
	var err error
	if f.ConsentChannel != "" {
		err = s.r.QueryRowContext(ctx, s.q.DrillContactsConsentN, workspaceID, f.ConsentChannel, f.ConsentGranted, from, to).Scan(&n)
	} else {
		err = s.r.QueryRowContext(ctx, s.q.DrillContactsCreatedN, workspaceID, from, to).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count contacts: %w", err)
	}
	return n, nil
}

// hasPeriod reports whether f needs the period listing.
func (f MessageFilter) hasPeriod() bool { return !f.From.IsZero() || !f.To.IsZero() || f.Engaged != "" }

func (f MessageFilter) periodArgs(workspaceID string) []any {
	to := int64(math.MaxInt64)
	if !f.To.IsZero() {
		to = ms(f.To)
	}
	return []any{workspaceID, f.Channel, f.Status, f.ContactID, ms(f.From), to, strings.TrimSpace(f.Engaged)}
}

func (s *Store) messagesInPeriod(ctx context.Context, workspaceID string, f MessageFilter) ([]Message, error) {
	args := append(f.periodArgs(workspaceID), ms(f.Before), f.BeforeID, f.Limit)
	return list(ctx, s.r, "messages", s.q.DrillMessages, scanMessage, args...)
}

// CountMessages counts what Messages lists for f (its paging aside).
func (s *Store) CountMessages(ctx context.Context, workspaceID string, f MessageFilter) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.q.DrillMessagesCount, f.periodArgs(workspaceID)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count messages: %w", err)
	}
	return n, nil
}
