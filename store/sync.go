package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sync statuses.
const (
	SyncIdle    = "idle"
	SyncRunning = "running"
	SyncFailed  = "failed"
)

// SyncState is the progress of one kind of sync (products, orders,
// customers) of one shop. It is saved after every page, so a crashed pass
// resumes from Cursor instead of starting over.
type SyncState struct {
	ShopID        string    `json:"shop_id"`
	Kind          string    `json:"kind"`
	WorkspaceID   string    `json:"workspace_id"`
	Status        string    `json:"status"`
	Cursor        string    `json:"cursor,omitempty"`
	Since         time.Time `json:"since,omitzero"`
	Done          int       `json:"done"`
	Error         string    `json:"error,omitempty"`
	StartedAt     time.Time `json:"started_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
	LastSuccessAt time.Time `json:"last_success_at,omitzero"`
}

func scanSync(row scanner) (SyncState, error) {
	var st SyncState
	var since, started, updated, last int64
	err := row.Scan(&st.ShopID, &st.Kind, &st.WorkspaceID, &st.Status, &st.Cursor, &since, &st.Done, &st.Error,
		&started, &updated, &last)
	st.Since, st.StartedAt, st.UpdatedAt, st.LastSuccessAt = fromMS(since), fromMS(started), fromMS(updated), fromMS(last)
	return st, err
}

// Sync returns a shop's sync state of one kind; a sync that never ran is
// an idle zero state, not an error.
func (s *Store) Sync(ctx context.Context, workspaceID, shopID, kind string) (SyncState, error) {
	st, err := scanSync(s.r.QueryRowContext(ctx, s.q.SyncGet, shopID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return SyncState{ShopID: shopID, Kind: kind, WorkspaceID: workspaceID, Status: SyncIdle}, nil
	}
	if err != nil {
		return st, fmt.Errorf("sync %s %s: %w", shopID, kind, err)
	}
	if st.WorkspaceID != workspaceID {
		return st, fmt.Errorf("sync %s %s: %w", shopID, kind, ErrNotFound)
	}
	return st, nil
}

// Syncs lists a shop's sync states.
func (s *Store) Syncs(ctx context.Context, workspaceID, shopID string) ([]SyncState, error) {
	return list(ctx, s.r, "syncs", s.q.SyncList, scanSync, workspaceID, shopID)
}

// PutSync saves a sync state.
func (s *Store) PutSync(ctx context.Context, st SyncState) error {
	_, err := s.w.ExecContext(ctx, s.q.SyncPut, st.ShopID, st.Kind, st.WorkspaceID, st.Status, st.Cursor, ms(st.Since),
		st.Done, st.Error, ms(st.StartedAt), ms(st.UpdatedAt), ms(st.LastSuccessAt))
	if err != nil {
		return fmt.Errorf("save sync %s %s: %w", st.ShopID, st.Kind, err)
	}
	return nil
}
