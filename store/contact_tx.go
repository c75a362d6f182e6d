package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Tx is a write transaction exposing the operations processors need, so
// that a batch of events and the checkpoint after it commit together: a
// crash replays the batch from the old checkpoint instead of applying half.
type Tx struct {
	tx  *sql.Tx
	q   *queries
	ctx context.Context
}

// InTx runs fn in one write transaction.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, q: s.q, ctx: ctx}) })
}

// InReplayableTx is InTx for work that can be redone from the event log
// (processors): its commit skips the fsync. That is safe because the WAL is
// append-only: the next ordinary commit's fsync makes this one durable too,
// and a power cut before then loses only work the processor replays. It
// keeps processors from doubling the fsyncs that ingest waits behind.
func (s *Store) InReplayableTx(ctx context.Context, fn func(*Tx) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return fmt.Errorf("relax sync: %w", err)
	}
	defer func() {
		// Restored on the same connection before it returns to the pool;
		// a failure here must not leave later commits unsynced.
		if _, err := conn.ExecContext(context.Background(), "PRAGMA synchronous=FULL"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, q: s.q, ctx: ctx}); err != nil {
		_ = tx.Rollback()
		return s.noteFailure(err)
	}
	if err := tx.Commit(); err != nil {
		return s.noteFailure(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// IdentityContact returns the contact id an identifier belongs to, or "".
func (t *Tx) IdentityContact(workspaceID, kind, value string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(t.ctx, t.q.IdentityGet, workspaceID, kind, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("identity %s: %w", kind, err)
	}
	return id, nil
}

// AddIdentity points an identifier at a contact.
func (t *Tx) AddIdentity(workspaceID, kind, value, contactID string, at time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.IdentityAdd, workspaceID, kind, value, contactID, ms(at)); err != nil {
		return fmt.Errorf("add identity %s: %w", kind, err)
	}
	return nil
}

// CreateContact inserts a contact.
func (t *Tx) CreateContact(c Contact) error {
	attrs := string(c.Attributes)
	if attrs == "" {
		attrs = "{}"
	}
	if _, err := t.tx.ExecContext(t.ctx, t.q.ContactCreate, c.WorkspaceID, c.ID, c.Email, c.Phone, c.FirstName,
		c.LastName, attrs, ms(c.CreatedAt)); err != nil {
		return fmt.Errorf("create contact: %w", err)
	}
	return nil
}

// Contact reads a contact as stored (no merge following).
func (t *Tx) Contact(workspaceID, id string) (Contact, error) {
	c, err := scanContact(t.tx.QueryRowContext(t.ctx, t.q.ContactGet, workspaceID, id))
	if err != nil {
		return c, fmt.Errorf("contact %s: %w", id, err)
	}
	return c, nil
}

// UpdateContact saves a contact's fields.
func (t *Tx) UpdateContact(c Contact) error {
	attrs := string(c.Attributes)
	if attrs == "" {
		attrs = "{}"
	}
	if _, err := t.tx.ExecContext(t.ctx, t.q.ContactUpdate, c.WorkspaceID, c.ID, c.Email, c.Phone, c.FirstName,
		c.LastName, attrs, ms(c.UpdatedAt)); err != nil {
		return fmt.Errorf("update contact %s: %w", c.ID, err)
	}
	return nil
}

// MergeContact moves everything of contact from into contact into: its
// identifiers, its events, its messages and flow enrollments, the contacts
// merged into it before, and marks it merged. Profiles and consents are combined by the caller, which knows
// their meaning.
func (t *Tx) MergeContact(workspaceID, from, into string, at time.Time) error {
	for _, step := range []struct {
		what  string
		query string
		args  []any
	}{
		{"identities", t.q.IdentityMove, []any{workspaceID, from, into}},
		{"events", t.q.EventsRepoint, []any{workspaceID, from, into}},
		{"messages", t.q.MessagesRepoint, []any{workspaceID, from, into}},
		{"notes", t.q.ContactNotesRepoint, []any{workspaceID, from, into}},
		{"enrollments", t.q.EnrollmentsRepoint, []any{workspaceID, from, into}},
		{"earlier merges", t.q.ContactRepointMerged, []any{workspaceID, from, into}},
		{"contact", t.q.ContactMarkMerged, []any{workspaceID, from, into, ms(at)}},
		{"profile", t.q.ProfileDelete, []any{workspaceID, from}},
	} {
		if _, err := t.tx.ExecContext(t.ctx, step.query, step.args...); err != nil {
			return fmt.Errorf("merge %s into %s: %s: %w", from, into, step.what, err)
		}
	}
	return nil
}

// Consents lists a contact's consents within the transaction.
func (t *Tx) Consents(workspaceID, contactID string) ([]Consent, error) {
	return listConsents(t.ctx, t.tx, t.q.ConsentList, workspaceID, contactID)
}

// SetConsent records a consent unless a newer one is already stored.
func (t *Tx) SetConsent(workspaceID, contactID string, c Consent) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.ConsentSet, workspaceID, contactID, c.Channel, c.Granted, c.Source, c.Text,
		ms(c.UpdatedAt)); err != nil {
		return fmt.Errorf("set consent %s: %w", c.Channel, err)
	}
	return nil
}

// DeleteConsents removes all of a contact's consents (after a merge moved them).
func (t *Tx) DeleteConsents(workspaceID, contactID string) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.ConsentDeleteAll, workspaceID, contactID); err != nil {
		return fmt.Errorf("delete consents: %w", err)
	}
	return nil
}

// Profile reads a profile document, nil if there is none yet.
func (t *Tx) Profile(workspaceID, contactID string) (json.RawMessage, error) {
	var data string
	err := t.tx.QueryRowContext(t.ctx, t.q.ProfileGet, workspaceID, contactID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", contactID, err)
	}
	return json.RawMessage(data), nil
}

// PutProfile stores a profile document.
func (t *Tx) PutProfile(workspaceID, contactID string, data []byte, at time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.ProfilePut, workspaceID, contactID, string(data), ms(at)); err != nil {
		return fmt.Errorf("put profile %s: %w", contactID, err)
	}
	return nil
}

// SetCheckpoint records a processor's position.
func (t *Tx) SetCheckpoint(name string, pos int64) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.CheckpointSet, name, pos, ms(time.Now())); err != nil {
		return fmt.Errorf("set checkpoint %s: %w", name, err)
	}
	return nil
}

// SetEventContact records which contact a visitor-less event belongs to.
func (t *Tx) SetEventContact(eventID int64, contactID string) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.EventSetContact, eventID, contactID); err != nil {
		return fmt.Errorf("set event %d contact: %w", eventID, err)
	}
	return nil
}

// LinkCartToken remembers which visitor reported a cart or checkout token,
// so the shop's checkout and order webhooks can be tied to that visitor. The
// first visitor to report a token keeps it.
func (t *Tx) LinkCartToken(workspaceID, token, visitorID string, at time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.CartTokenPut, workspaceID, token, visitorID, ms(at)); err != nil {
		return fmt.Errorf("link cart token: %w", err)
	}
	return nil
}
