package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Event is one row of the event log. Props and Context are JSON objects kept
// as raw text: the log stores what happened, the processors interpret it.
type Event struct {
	ID          int64           `json:"id"`
	WorkspaceID string          `json:"workspace_id"`
	Type        string          `json:"type"`
	Source      string          `json:"source"`
	VisitorID   string          `json:"visitor_id,omitempty"`
	ContactID   string          `json:"contact_id,omitempty"`
	SessionID   string          `json:"session_id,omitempty"`
	OccurredAt  time.Time       `json:"occurred_at"`
	ReceivedAt  time.Time       `json:"received_at"`
	Props       json.RawMessage `json:"props"`
	Context     json.RawMessage `json:"context"`
	// ClientID is the sender's id for the event; with VisitorID it makes a
	// resent event a no-op. Empty for server-side events.
	ClientID string `json:"-"`
}

func rawOrEmpty(m json.RawMessage) string {
	if len(m) == 0 {
		return "{}"
	}
	return string(m)
}

// appendChunk bounds the rows of one INSERT: 11 placeholders a row stay far
// below SQLite's variable limit, and one statement per few hundred rows
// saves the per-row round trip through cgo that dominated ingest.
const appendChunk = 200

func appendEvents(ctx context.Context, tx *sql.Tx, q *queries, evs []Event) error {
	var b strings.Builder
	args := make([]any, 0, 11*min(len(evs), appendChunk))
	for start := 0; start < len(evs); start += appendChunk {
		chunk := evs[start:min(start+appendChunk, len(evs))]
		b.Reset()
		args = args[:0]
		b.WriteString(strings.TrimSuffix(q.EventAppendHead, ";"))
		for i := range chunk {
			e := &chunk[i]
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n(?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, e.WorkspaceID, e.Type, e.Source, e.VisitorID, e.ContactID, e.SessionID,
				ms(e.OccurredAt), ms(e.ReceivedAt), rawOrEmpty(e.Props), rawOrEmpty(e.Context), e.ClientID)
		}
		b.WriteByte('\n')
		b.WriteString(q.EventAppendTail)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("append events %d..%d: %w", start, start+len(chunk)-1, err)
		}
	}
	return nil
}

// AppendEvents appends evs to the log in one transaction. An event whose
// visitor and client id are already logged is skipped.
func (s *Store) AppendEvents(ctx context.Context, evs []Event) error {
	return s.txProving(ctx, func(tx *sql.Tx) error { return appendEvents(ctx, tx, s.q, evs) }, true)
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var occurred, received int64
		var props, ctxt string
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.Type, &e.Source, &e.VisitorID, &e.ContactID, &e.SessionID,
			&occurred, &received, &props, &ctxt); err != nil {
			return nil, err
		}
		e.OccurredAt, e.ReceivedAt = fromMS(occurred), fromMS(received)
		e.Props, e.Context = json.RawMessage(props), json.RawMessage(ctxt)
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventsAfter reads the workspace's log after offset, oldest first.
func (s *Store) EventsAfter(ctx context.Context, workspaceID string, after int64, limit int) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.EventListAfter, workspaceID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return evs, nil
}

// VisitorEvents lists a visitor's events newest first, below the offset before
// (0 = from the newest).
func (s *Store) VisitorEvents(ctx context.Context, workspaceID, visitorID string, before int64, limit int) ([]Event, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.r.QueryContext(ctx, s.q.EventListVisitor, workspaceID, visitorID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("visitor events: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("visitor events: %w", err)
	}
	return evs, nil
}

// SaveCheckout upserts a checkout and appends its events in one
// transaction, so the row and the log never disagree. decide is shown the
// stored checkout (nil if there is none) and the time an order completed
// the token (zero if none did), and returns the row to write (nil: write
// nothing) and the events to log: the caller's domain logic decides what an
// out-of-order delivery changes.
func (s *Store) SaveCheckout(ctx context.Context, c commerce.Checkout,
	decide func(prev *commerce.Checkout, orderedAt time.Time) (*commerce.Checkout, []Event)) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var prev *commerce.Checkout
		p, err := scanCheckout(tx.QueryRowContext(ctx, s.q.CheckoutGet, c.WorkspaceID, c.Token))
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("save checkout %s: %w", c.Token, err)
		}
		var done int64
		err = tx.QueryRowContext(ctx, s.q.CompletionGet, c.WorkspaceID, c.Token).Scan(&done)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("save checkout %s: completion: %w", c.Token, err)
		}
		row, evs := decide(prev, fromMS(done))
		if row != nil {
			if _, err := tx.ExecContext(ctx, s.q.CheckoutUpsert, checkoutArgs(*row)...); err != nil {
				return fmt.Errorf("save checkout %s: %w", c.Token, err)
			}
		}
		return appendEvents(ctx, tx, s.q, evs)
	})
}

// SaveOrder upserts an order, marks its checkout and cart completed and appends
// events, all in one transaction. decide is shown the stored order (nil if
// the order is new) and returns the events to log and whether to write at
// all: the caller's domain logic decides that "order placed" is logged
// exactly once however often a connector redelivers the order, and that a
// delivery older than the stored row changes nothing.
func (s *Store) SaveOrder(ctx context.Context, o commerce.Order, decide func(prev *commerce.Order) (evs []Event, write bool)) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var prev *commerce.Order
		p, err := scanOrder(tx.QueryRowContext(ctx, s.q.OrderGet, o.WorkspaceID, o.ID))
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("save order %s: %w", o.ID, err)
		}
		evs, write := decide(prev)
		if !write {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q.OrderUpsert, orderArgs(o)...); err != nil {
			return fmt.Errorf("save order %s: %w", o.ID, err)
		}
		// The order completes its checkout and its cart, and remembers
		// their tokens for a checkout delivery arriving after it.
		for _, tok := range []string{o.CheckoutToken, o.CartToken} {
			if tok == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q.CheckoutComplete, o.WorkspaceID, tok, ms(o.PlacedAt)); err != nil {
				return fmt.Errorf("complete checkout %s: %w", tok, err)
			}
			if _, err := tx.ExecContext(ctx, s.q.CompletionPut, o.WorkspaceID, tok, ms(o.PlacedAt)); err != nil {
				return fmt.Errorf("complete checkout %s: %w", tok, err)
			}
		}
		return appendEvents(ctx, tx, s.q, evs)
	})
}
