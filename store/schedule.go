package store

import (
	"context"
	"fmt"
	"time"
)

// scheduleQueries are the queries of time-based triggers.
type scheduleQueries struct {
	TriggerFireInsert string `query:"trigger-fire-insert"`
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
