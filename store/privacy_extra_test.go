package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Erasing a person takes their stored scores with them, and only theirs.
func TestEraseContactTakesScores(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, id := range []string{"ct_a", "ct_b"} {
			if err := tx.CreateContact(Contact{WorkspaceID: "ws_a", ID: id, Attributes: []byte("{}"), CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cell := "champions"
	if err := s.PutOrderScores(ctx, "ws_a", []ScoredContact{{ContactID: "ct_a", OrderScores: OrderScores{RFMCell: &cell, OrderCount: 3}},
		{ContactID: "ct_b", OrderScores: OrderScores{RFMCell: &cell, OrderCount: 2}}}, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseContact(ctx, "ws_a", "ct_a", "", nil); err != nil {
		t.Fatal(err)
	}
	if sc, err := s.ContactScores(ctx, "ws_a", "ct_a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("scores left after the erase: %+v %v", sc, err)
	}
	if _, err := s.ContactScores(ctx, "ws_a", "ct_b"); err != nil {
		t.Errorf("the erase took another contact's scores: %v", err)
	}
}
