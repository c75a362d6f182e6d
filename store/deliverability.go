package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Suppression reasons.
const (
	SuppressHardBounce  = "hard_bounce"
	SuppressSoftBounce  = "soft_bounce"
	SuppressComplaint   = "complaint"
	SuppressUnsubscribe = "unsubscribe"
	SuppressManual      = "manual"
)

// Email feedback kinds, and the status of a message that bounced.
const (
	FeedbackHardBounce = "hard_bounce"
	FeedbackSoftBounce = "soft_bounce"
	FeedbackComplaint  = "complaint"

	MessageBounced = "bounced"
)

// Suppression is an address a workspace sends no email to.
type Suppression struct {
	WorkspaceID string    `json:"-"`
	Email       string    `json:"email"`
	Reason      string    `json:"reason"`
	Source      string    `json:"source,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	MessageID   string    `json:"message_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// EmailFeedback is one bounce or complaint about one message.
type EmailFeedback struct {
	WorkspaceID string
	MessageID   string
	Kind        string
	Email       string
	Status      string
	Detail      string
	CreatedAt   time.Time
}

// DKIMKeyRow is a workspace's sealed DKIM key for one sending domain.
type DKIMKeyRow struct {
	WorkspaceID string
	Domain      string
	Selector    string
	PrivateKey  string // sealed PEM
	CreatedAt   time.Time
}

type deliverabilityQueries struct {
	SuppressionGet      string `query:"suppression-get"`
	SuppressionUpsert   string `query:"suppression-upsert"`
	SuppressionDelete   string `query:"suppression-delete"`
	SuppressionList     string `query:"suppression-list"`
	EmailFeedbackInsert string `query:"email-feedback-insert"`
	EmailFeedbackCount  string `query:"email-feedback-count-since"`
	EmailFeedbackExists string `query:"email-feedback-exists"`
	MessageBounced      string `query:"message-bounced"`
	DKIMKeyGet          string `query:"dkim-key-get"`
	DKIMKeyInsert       string `query:"dkim-key-insert"`
}

func scanSuppression(row scanner) (Suppression, error) {
	var s Suppression
	var at int64
	err := row.Scan(&s.WorkspaceID, &s.Email, &s.Reason, &s.Source, &s.Detail, &s.MessageID, &at)
	s.CreatedAt = fromMS(at)
	return s, err
}

// Suppression returns the suppression of an address (lower-cased by the
// caller), or ErrNotFound.
func (s *Store) Suppression(ctx context.Context, workspaceID, email string) (Suppression, error) {
	sp, err := scanSuppression(s.readWriter().QueryRowContext(ctx, s.q.SuppressionGet, workspaceID, email))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, ErrNotFound
	}
	if err != nil {
		return sp, fmt.Errorf("suppression: %w", err)
	}
	return sp, nil
}

// Suppress adds addresses to the list in one transaction; an address
// already there keeps its first reason, unless the new one is a complaint.
func (s *Store) Suppress(ctx context.Context, sps []Suppression) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q.SuppressionUpsert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, sp := range sps {
			if _, err := stmt.ExecContext(ctx, sp.WorkspaceID, sp.Email, sp.Reason, sp.Source, sp.Detail, sp.MessageID,
				ms(sp.CreatedAt)); err != nil {
				return fmt.Errorf("suppress %s: %w", sp.Email, err)
			}
		}
		return nil
	})
}

// Unsuppress removes an address from the list; false when it was not there.
func (s *Store) Unsuppress(ctx context.Context, workspaceID, email string) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.q.SuppressionDelete, workspaceID, email)
	if err != nil {
		return false, fmt.Errorf("unsuppress: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SuppressionFilter pages the list: Before/BeforeEmail are the previous
// page's last row; Search matches part of the address.
type SuppressionFilter struct {
	Before      time.Time
	BeforeEmail string
	Search      string
	Limit       int
}

// Suppressions lists a workspace's suppressions, newest first.
func (s *Store) Suppressions(ctx context.Context, workspaceID string, f SuppressionFilter) ([]Suppression, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.r.QueryContext(ctx, s.q.SuppressionList, workspaceID, ms(f.Before), f.BeforeEmail, f.Search, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		sp, err := scanSuppression(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// RecordEmailFeedback stores a bounce or complaint and, for a bounce,
// marks the message bounced. It reports false when this message already
// had feedback of this kind (a report delivered twice).
func (s *Store) RecordEmailFeedback(ctx context.Context, f EmailFeedback) (bool, error) {
	var fresh bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.EmailFeedbackInsert, f.WorkspaceID, f.MessageID, f.Kind, f.Email, f.Status,
			f.Detail, ms(f.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		fresh = n == 1
		if fresh && f.Kind != FeedbackComplaint {
			text := f.Status
			if f.Detail != "" {
				text += " " + f.Detail
			}
			if _, err := tx.ExecContext(ctx, s.q.MessageBounced, f.WorkspaceID, f.MessageID, text); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("email feedback: %w", err)
	}
	return fresh, nil
}

// CountEmailFeedback counts an address's feedback of one kind since a time
// (soft bounces within the window).
func (s *Store) CountEmailFeedback(ctx context.Context, workspaceID, email, kind string, since time.Time) (int, error) {
	var n int
	err := s.readWriter().QueryRowContext(ctx, s.q.EmailFeedbackCount, workspaceID, email, kind, ms(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count email feedback: %w", err)
	}
	return n, nil
}

// DKIMKey returns a workspace's key for a domain, or ErrNotFound.
func (s *Store) DKIMKey(ctx context.Context, workspaceID, domain string) (DKIMKeyRow, error) {
	var k DKIMKeyRow
	var at int64
	err := s.readWriter().QueryRowContext(ctx, s.q.DKIMKeyGet, workspaceID, domain).Scan(&k.WorkspaceID, &k.Domain,
		&k.Selector, &k.PrivateKey, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	if err != nil {
		return k, fmt.Errorf("dkim key: %w", err)
	}
	k.CreatedAt = fromMS(at)
	return k, nil
}

// InsertDKIMKey stores a key unless the domain has one already; the caller
// reads back whichever was stored first.
func (s *Store) InsertDKIMKey(ctx context.Context, k DKIMKeyRow) error {
	if _, err := s.w.ExecContext(ctx, s.q.DKIMKeyInsert, k.WorkspaceID, k.Domain, k.Selector, k.PrivateKey,
		ms(k.CreatedAt)); err != nil {
		return fmt.Errorf("insert dkim key: %w", err)
	}
	return nil
}

// HasEmailFeedback reports whether a message already had feedback of a
// kind: a report delivered again is then not applied again.
func (s *Store) HasEmailFeedback(ctx context.Context, workspaceID, messageID, kind string) (bool, error) {
	var n int
	if err := s.readWriter().QueryRowContext(ctx, s.q.EmailFeedbackExists, workspaceID, messageID, kind).Scan(&n); err != nil {
		return false, fmt.Errorf("email feedback: %w", err)
	}
	return n > 0, nil
}
