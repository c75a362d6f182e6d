package segments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cartwheelhq/cartwheel/store"
)

// StoredScores is the ScoresSource over the scores and predictions the
// scores processor keeps per contact (personalization/scores, table
// contact_scores): the same row, by the same JSON names, that the API and
// flow conditions ("scores.rfm_cell") read, so a field means one thing
// everywhere.
type StoredScores struct{ Store *store.Store }

// ContactScores returns the contact's scores by field (ScoreFields), nil
// when it has not been scored yet. next_order_at is given in Unix
// milliseconds, as every time in a definition is.
func (s StoredScores) ContactScores(ctx context.Context, workspaceID, contactID string) (map[string]any, error) {
	sc, err := s.Store.ContactScores(ctx, workspaceID, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stored scores: %w", err)
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("stored scores: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("stored scores: %w", err)
	}
	if sc.NextOrderAt != nil {
		out["next_order_at"] = sc.NextOrderAt.UnixMilli()
	}
	return out, nil
}
