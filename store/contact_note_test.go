package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Notes are a contact's: another workspace's id finds none, a merge takes
// them along, deleting one of another contact is not found, and erasing
// the contact erases them.
func TestContactNotesFollowMergeAndErase(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, id := range []string{"ct_a", "ct_b", "ct_c"} {
			if err := tx.CreateContact(Contact{WorkspaceID: "ws_a", ID: id, Attributes: []byte("{}"), CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []ContactNote{{ID: "note_1", ContactID: "ct_a"}, {ID: "note_2", ContactID: "ct_b"}, {ID: "note_3", ContactID: "ct_c"}} {
		n.WorkspaceID, n.Author, n.Body, n.CreatedAt = "ws_a", "owner@shop.example", "note", at.Add(time.Duration(i)*time.Minute)
		if err := s.AddContactNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if ns, err := s.ContactNotes(ctx, "ws_b", "ct_a", 10); err != nil || len(ns) != 0 {
		t.Errorf("another workspace reads notes: %v %v", ns, err)
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.MergeContact("ws_a", "ct_b", "ct_a", at) }); err != nil {
		t.Fatal(err)
	}
	ns, err := s.ContactNotes(ctx, "ws_a", "ct_a", 10)
	if err != nil || len(ns) != 2 || ns[0].ID != "note_2" || ns[1].ID != "note_1" {
		t.Fatalf("notes after the merge, newest first: %+v %v", ns, err)
	}
	if err := s.DeleteContactNote(ctx, "ws_a", "ct_a", "note_3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting another contact's note: %v", err)
	}
	if _, err := s.EraseContact(ctx, "ws_a", "ct_a", "", nil); err != nil {
		t.Fatal(err)
	}
	if ns, err := s.ContactNotes(ctx, "ws_a", "ct_a", 10); err != nil || len(ns) != 0 {
		t.Errorf("notes left after the erase: %+v %v", ns, err)
	}
	if ns, _ := s.ContactNotes(ctx, "ws_a", "ct_c", 10); len(ns) != 1 {
		t.Errorf("the erase took another contact's note: %+v", ns)
	}
}
