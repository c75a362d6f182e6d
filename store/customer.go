package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimCustomerVersion records that a shop's customer record as of at is
// being applied, and reports false (recording nothing) when a newer record
// of that customer was applied before: webhooks are not ordered, and an
// older record must not overwrite a newer one. Equal times claim, so the
// later arrival wins.
func (s *Store) ClaimCustomerVersion(ctx context.Context, workspaceID, shopID, externalID string, at time.Time) (bool, error) {
	var v int64
	err := s.w.QueryRowContext(ctx, s.q.CustomerVersionClaim, workspaceID, shopID, externalID, ms(at)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("customer %s version: %w", externalID, err)
	}
	return true, nil
}
