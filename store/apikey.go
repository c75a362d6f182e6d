package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Key scopes.
const (
	ScopeAdmin     = "admin"
	ScopeWorkspace = "workspace"
)

// APIKey is a bearer credential; the token itself is never stored, only its hash.
type APIKey struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
	Scope       string    `json:"scope"`
	Name        string    `json:"name"`
	Prefix      string    `json:"prefix"`
	CreatedAt   time.Time `json:"created_at"`
	LastUsedAt  time.Time `json:"last_used_at,omitzero"`
	RevokedAt   time.Time `json:"revoked_at,omitzero"`
}

func scanAPIKey(row scanner) (APIKey, error) {
	var k APIKey
	var created, used, revoked int64
	err := row.Scan(&k.ID, &k.WorkspaceID, &k.Scope, &k.Name, &k.Prefix, &created, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMS(created), fromMS(used), fromMS(revoked)
	return k, err
}

// CreateAPIKey stores k under the token hash.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, s.q.APIKeyCreate, k.ID, k.WorkspaceID, k.Scope, k.Name, k.Prefix, tokenHash, ms(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

// APIKeyByHash finds a key, revoked or not, by its token hash.
func (s *Store) APIKeyByHash(ctx context.Context, tokenHash string) (APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, s.q.APIKeyByHash, tokenHash))
	if err != nil {
		return k, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

// APIKeys lists a workspace's keys (scope workspace), or with workspaceID ""
// and scope admin, the admin tokens.
func (s *Store) APIKeys(ctx context.Context, workspaceID, scope string) ([]APIKey, error) {
	return list(ctx, s.r, "api keys", s.q.APIKeyList, scanAPIKey, workspaceID, scope)
}

// RevokeAPIKey revokes a live key of the workspace; ErrNotFound if there is
// none (including one of another workspace).
func (s *Store) RevokeAPIKey(ctx context.Context, workspaceID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.APIKeyRevoke, workspaceID, id, ms(at))
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	return expectOne(res, "revoke api key "+id)
}

// TouchAPIKey records that a key was used.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.APIKeyTouch, id, ms(at)); err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// AdminKeyCount counts live admin tokens.
func (s *Store) AdminKeyCount(ctx context.Context) (int, error) {
	var n int
	if err := s.readWriter().QueryRowContext(ctx, s.q.APIKeyAdminN).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admin keys: %w", err)
	}
	return n, nil
}

// SetNamedAdminKey makes the live admin token called name have tokenHash,
// creating it if absent. It is how CARTWHEEL_ADMIN_TOKEN is (re)applied at
// every start: changing the variable rotates the token.
func (s *Store) SetNamedAdminKey(ctx context.Context, k APIKey, tokenHash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.q.APIKeyByName, k.Name).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, s.q.APIKeyCreate, k.ID, "", ScopeAdmin, k.Name, k.Prefix, tokenHash, ms(k.CreatedAt))
		case err == nil:
			_, err = tx.ExecContext(ctx, s.q.APIKeyReplace, id, tokenHash, k.Prefix)
		}
		if err != nil {
			return fmt.Errorf("set admin key %s: %w", k.Name, err)
		}
		return nil
	})
}
