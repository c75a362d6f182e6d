package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PushSubscription is a browser's web push subscription.
type PushSubscription struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	VisitorID   string    `json:"visitor_id"`
	Endpoint    string    `json:"endpoint"`
	P256dh      string    `json:"p256dh"`
	Auth        string    `json:"auth"`
	UserAgent   string    `json:"user_agent,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func scanPushSubscription(row scanner) (PushSubscription, error) {
	var p PushSubscription
	var created, updated int64
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.VisitorID, &p.Endpoint, &p.P256dh, &p.Auth, &p.UserAgent, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, err
}

// SavePushSubscription stores a subscription, keyed by its endpoint; it
// returns the stored row's id and creation time (an existing endpoint keeps
// its own).
func (s *Store) SavePushSubscription(ctx context.Context, p PushSubscription) (PushSubscription, error) {
	var created int64
	err := s.w.QueryRowContext(ctx, s.q.PushSubscriptionUpsert, p.ID, p.WorkspaceID, p.VisitorID, p.Endpoint, p.P256dh,
		p.Auth, p.UserAgent, ms(p.UpdatedAt)).Scan(&p.ID, &created)
	if err != nil {
		return p, fmt.Errorf("save push subscription: %w", err)
	}
	p.CreatedAt = fromMS(created)
	return p, nil
}

// VisitorPushSubscriptions lists a visitor's subscriptions.
func (s *Store) VisitorPushSubscriptions(ctx context.Context, workspaceID, visitorID string) ([]PushSubscription, error) {
	return list(ctx, s.r, "push subscriptions", s.q.PushSubscriptionListVisitor, scanPushSubscription, workspaceID, visitorID)
}

// DeletePushSubscription removes a subscription (the push service said it
// is gone, or the browser unsubscribed).
func (s *Store) DeletePushSubscription(ctx context.Context, workspaceID, endpoint string) error {
	res, err := s.w.ExecContext(ctx, s.q.PushSubscriptionDelete, workspaceID, endpoint)
	if err != nil {
		return fmt.Errorf("delete push subscription: %w", err)
	}
	return expectOne(res, "delete push subscription")
}

// SetSettingOnce stores a setting unless it exists and returns the stored
// value: the first of two concurrent writers wins for both.
func (s *Store) SetSettingOnce(ctx context.Context, key, value string) (string, error) {
	if _, err := s.w.ExecContext(ctx, s.q.SettingInsert, key, value, ms(time.Now())); err != nil {
		return "", fmt.Errorf("set setting %s: %w", key, err)
	}
	v, err := s.Setting(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("setting %s vanished after insert: %w", key, err)
	}
	return v, err
}
