package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Workspace is the tenant: every other row belongs to exactly one.
type Workspace struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	SiteKey        string    `json:"site_key"`
	Timezone       string    `json:"timezone"`
	Currency       string    `json:"currency"`
	Locale         string    `json:"locale"`
	RequireConsent bool      `json:"require_consent"`
	AllowedOrigins []string  `json:"allowed_origins"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type scanner interface{ Scan(...any) error }

func scanWorkspace(row scanner) (Workspace, error) {
	var w Workspace
	var created, updated int64
	var origins string
	err := row.Scan(&w.ID, &w.Name, &w.SiteKey, &w.Timezone, &w.Currency, &w.Locale, &w.RequireConsent, &origins, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, ErrNotFound
	}
	if err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(origins), &w.AllowedOrigins); err != nil {
		return w, fmt.Errorf("workspace %s: allowed origins: %w", w.ID, err)
	}
	w.CreatedAt, w.UpdatedAt = fromMS(created), fromMS(updated)
	return w, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only called with plain slices and maps of strings and numbers.
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return string(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateWorkspace inserts w; ID and SiteKey must be set by the caller.
func (s *Store) CreateWorkspace(ctx context.Context, w Workspace) error {
	_, err := s.w.ExecContext(ctx, s.q.WorkspaceCreate, w.ID, w.Name, w.SiteKey, w.Timezone, w.Currency, w.Locale,
		w.RequireConsent, jsonText(nonNil(w.AllowedOrigins)), ms(w.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create workspace: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create workspace: %w", err)
	}
	return nil
}

// Workspace returns one workspace by id.
func (s *Store) Workspace(ctx context.Context, id string) (Workspace, error) {
	w, err := scanWorkspace(s.r.QueryRowContext(ctx, s.q.WorkspaceGet, id))
	if err != nil {
		return w, fmt.Errorf("workspace %s: %w", id, err)
	}
	return w, nil
}

// WorkspaceBySiteKey returns the workspace whose public site key is key.
func (s *Store) WorkspaceBySiteKey(ctx context.Context, key string) (Workspace, error) {
	w, err := scanWorkspace(s.r.QueryRowContext(ctx, s.q.WorkspaceBySiteKey, key))
	if err != nil {
		return w, fmt.Errorf("workspace by site key: %w", err)
	}
	return w, nil
}

// Workspaces lists every workspace, oldest first.
func (s *Store) Workspaces(ctx context.Context) ([]Workspace, error) {
	return list(ctx, s.r, "workspaces", s.q.WorkspaceList, scanWorkspace)
}

// UpdateWorkspace saves w's mutable settings.
func (s *Store) UpdateWorkspace(ctx context.Context, w Workspace) error {
	res, err := s.w.ExecContext(ctx, s.q.WorkspaceUpdate, w.ID, w.Name, w.Timezone, w.Currency, w.Locale,
		w.RequireConsent, jsonText(nonNil(w.AllowedOrigins)), ms(w.UpdatedAt))
	if err != nil {
		return fmt.Errorf("update workspace %s: %w", w.ID, err)
	}
	return expectOne(res, "update workspace "+w.ID)
}

func expectOne(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
