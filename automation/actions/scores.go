package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/store"
)

// scoreFacts is the contact's scores row as conditions see it: the API's
// JSON names ("scores.rfm_cell" eq "champions", "scores.p_alive" lte 0.3,
// "scores.clv" gte 200); {} before the contact is first scored.
func (c *Channels) scoreFacts(ctx context.Context, workspaceID, contactID string) (map[string]any, error) {
	sc, err := c.o.Store.ContactScores(ctx, workspaceID, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("scores of %s: %w", contactID, err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("scores of %s: %w", contactID, err)
	}
	return out, nil
}

// scoreFields fills the contact's score merge fields ({{.Contact.CLVTier}},
// {{.Contact.RFMCell}}, {{.Contact.NextOrderAt}}) for emails and pushes;
// a contact not scored yet keeps them empty.
func (c *Channels) scoreFields(ctx context.Context, workspaceID, contactID string, ct *email.Contact) error {
	sc, err := c.o.Store.ContactScores(ctx, workspaceID, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sc.CLVTier != nil {
		ct.CLVTier = *sc.CLVTier
	}
	if sc.RFMCell != nil {
		ct.RFMCell = *sc.RFMCell
	}
	if sc.NextOrderAt != nil {
		ct.NextOrderAt = *sc.NextOrderAt
	}
	return nil
}
