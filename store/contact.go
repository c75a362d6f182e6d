package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Contact is a person's profile head: anonymous (no email yet) or known.
type Contact struct {
	WorkspaceID string          `json:"workspace_id"`
	ID          string          `json:"id"`
	Email       string          `json:"email,omitempty"`
	Phone       string          `json:"phone,omitempty"`
	FirstName   string          `json:"first_name,omitempty"`
	LastName    string          `json:"last_name,omitempty"`
	Attributes  json.RawMessage `json:"attributes"`
	MergedInto  string          `json:"merged_into,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Identity is one identifier that resolves to a contact.
type Identity struct {
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	CreatedAt time.Time `json:"created_at"`
}

// Consent is a contact's permission for one channel.
type Consent struct {
	Channel   string    `json:"channel"`
	Granted   bool      `json:"granted"`
	Source    string    `json:"source,omitempty"`
	Text      string    `json:"text,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func scanContact(row scanner) (Contact, error) {
	var c Contact
	var attrs string
	var created, updated int64
	err := row.Scan(&c.WorkspaceID, &c.ID, &c.Email, &c.Phone, &c.FirstName, &c.LastName, &attrs, &c.MergedInto, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Attributes = json.RawMessage(attrs)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return c, err
}

// Contact returns a contact, following a merge to the contact it now lives in.
func (s *Store) Contact(ctx context.Context, workspaceID, id string) (Contact, error) {
	c, err := scanContact(s.r.QueryRowContext(ctx, s.q.ContactGet, workspaceID, id))
	if err == nil && c.MergedInto != "" {
		c, err = scanContact(s.r.QueryRowContext(ctx, s.q.ContactGet, workspaceID, c.MergedInto))
	}
	if err != nil {
		return c, fmt.Errorf("contact %s: %w", id, err)
	}
	return c, nil
}

// ContactByEmail returns the live contact with that (normalised) email.
func (s *Store) ContactByEmail(ctx context.Context, workspaceID, email string) (Contact, error) {
	c, err := scanContact(s.r.QueryRowContext(ctx, s.q.ContactByEmail, workspaceID, email))
	if err != nil {
		return c, fmt.Errorf("contact by email: %w", err)
	}
	return c, nil
}

// ContactByIdentity resolves an identifier (e.g. kind "visitor") to its contact.
func (s *Store) ContactByIdentity(ctx context.Context, workspaceID, kind, value string) (Contact, error) {
	var id string
	err := s.r.QueryRowContext(ctx, s.q.IdentityGet, workspaceID, kind, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("%s %s: %w", kind, value, ErrNotFound)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("identity: %w", err)
	}
	return s.Contact(ctx, workspaceID, id)
}

// Identities lists a contact's identifiers.
func (s *Store) Identities(ctx context.Context, workspaceID, contactID string) ([]Identity, error) {
	rows, err := s.r.QueryContext(ctx, s.q.IdentityList, workspaceID, contactID)
	if err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	defer rows.Close()
	out := []Identity{}
	for rows.Next() {
		var i Identity
		var at int64
		if err := rows.Scan(&i.Kind, &i.Value, &at); err != nil {
			return nil, fmt.Errorf("identities: %w", err)
		}
		i.CreatedAt = fromMS(at)
		out = append(out, i)
	}
	return out, rows.Err()
}

func listConsents(ctx context.Context, q rowQuerier, query, workspaceID, contactID string) ([]Consent, error) {
	rows, err := q.QueryContext(ctx, query, workspaceID, contactID)
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var at int64
		if err := rows.Scan(&c.Channel, &c.Granted, &c.Source, &c.Text, &at); err != nil {
			return nil, fmt.Errorf("consents: %w", err)
		}
		c.UpdatedAt = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Consents lists a contact's consents per channel.
func (s *Store) Consents(ctx context.Context, workspaceID, contactID string) ([]Consent, error) {
	return listConsents(ctx, s.r, s.q.ConsentList, workspaceID, contactID)
}

// Profile returns the profile document the profile processor keeps for a
// contact (its shape belongs to cdp); ErrNotFound before the first event.
func (s *Store) Profile(ctx context.Context, workspaceID, contactID string) (json.RawMessage, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.q.ProfileGet, workspaceID, contactID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("profile %s: %w", contactID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", contactID, err)
	}
	return json.RawMessage(data), nil
}

// ContactEvents lists a contact's timeline by event time, newest first:
// its own events and those of its visitor ids. before is the id of the
// last event of the previous page (0 = from the newest); a page after an
// event that no longer exists is empty.
func (s *Store) ContactEvents(ctx context.Context, workspaceID, contactID string, before int64, limit int) ([]Event, error) {
	at, id := int64(math.MaxInt64), int64(math.MaxInt64)
	if before > 0 {
		err := s.r.QueryRowContext(ctx, s.q.EventOccurredAt, workspaceID, before).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return []Event{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("contact events: %w", err)
		}
		id = before
	}
	rows, err := s.r.QueryContext(ctx, s.q.EventListContact, workspaceID, contactID, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("contact events: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("contact events: %w", err)
	}
	return evs, nil
}

// Checkpoint returns a processor's position in the log (0 if it never ran).
func (s *Store) Checkpoint(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := s.readWriter().QueryRowContext(ctx, s.q.CheckpointGet, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", name, err)
	}
	return pos, nil
}

// LogAfter reads the whole log (every workspace) after offset, in order.
func (s *Store) LogAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.EventLogAfter, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	return evs, nil
}
