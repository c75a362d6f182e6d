package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Setting returns an instance-wide setting, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.readWriter().QueryRowContext(ctx, s.q.SettingGet, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores an instance-wide setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if _, err := s.w.ExecContext(ctx, s.q.SettingSet, key, value, ms(time.Now())); err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}
