package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionAPIKey prefixes Session.Who for a session signed in with an API
// key: "api_key:<key id>".
const SessionAPIKey = "api_key:"

// Session is a browser's sign-in; the id itself is never stored, only its
// hash.
type Session struct {
	IDHash string
	// Who is the signed-in party as kind:id ("api_key:key_…").
	Who         string
	WorkspaceID string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	if _, err := s.w.ExecContext(ctx, s.q.SessionCreate, se.IDHash, se.Who, se.WorkspaceID, ms(se.CreatedAt), ms(se.ExpiresAt)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash finds a session not expired at now; ErrNotFound otherwise.
func (s *Store) SessionByHash(ctx context.Context, idHash string, now time.Time) (Session, error) {
	var se Session
	var created, expires int64
	err := s.r.QueryRowContext(ctx, s.q.SessionGet, idHash, ms(now)).Scan(&se.IDHash, &se.Who, &se.WorkspaceID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return se, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return se, fmt.Errorf("session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return se, nil
}

// DeleteSession ends a session (sign-out); ending one that is gone is no
// error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.w.ExecContext(ctx, s.q.SessionDelete, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions forgets sessions expired at now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.SessionDeleteExpired, ms(now)); err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	return nil
}

// APIKeyByID finds a key, revoked or not, by its id.
func (s *Store) APIKeyByID(ctx context.Context, id string) (APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, s.q.APIKeyByID, id))
	if err != nil {
		return k, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}
