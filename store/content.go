package store

import (
	"context"
	"fmt"
)

// contentQueries are the queries that gather what a message shows (the
// event that started a flow) and whom it reaches (a contact's push
// subscriptions). Recommended products come from the in-memory engine.
type contentQueries struct {
	ContentEventGet    string `query:"content-event-get"`
	ContentContactPush string `query:"content-contact-push-subscriptions"`
}

// Event returns one event of a workspace's log by its id (offset).
func (s *Store) Event(ctx context.Context, workspaceID string, id int64) (Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.ContentEventGet, workspaceID, id)
	if err != nil {
		return Event{}, fmt.Errorf("event %d: %w", id, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return Event{}, fmt.Errorf("event %d: %w", id, err)
	}
	if len(evs) == 0 {
		return Event{}, fmt.Errorf("event %d: %w", id, ErrNotFound)
	}
	return evs[0], nil
}

// ContactPushSubscriptions lists the push subscriptions of every browser
// (visitor identity) of a contact, oldest first.
func (s *Store) ContactPushSubscriptions(ctx context.Context, workspaceID, contactID string) ([]PushSubscription, error) {
	return list(ctx, s.r, "contact push subscriptions", s.q.ContentContactPush, scanPushSubscription, workspaceID, contactID)
}
