package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxNoteLen is the longest note, in bytes: a note is a remark, not a
// document.
const MaxNoteLen = 4000

// ContactNote is a remark a team member left on a contact.
type ContactNote struct {
	WorkspaceID string `json:"-"`
	ID          string `json:"id"`
	ContactID   string `json:"contact_id"`
	// AuthorID is the console user or API key that wrote the note; Author
	// is how they were named when they did.
	AuthorID  string    `json:"author_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type contactNoteQueries struct {
	ContactNoteInsert         string `query:"contact-note-insert"`
	ContactNoteList           string `query:"contact-note-list"`
	ContactNoteGet            string `query:"contact-note-get"`
	ContactNoteDelete         string `query:"contact-note-delete"`
	ContactNotesRepoint       string `query:"contact-notes-repoint-contact"`
	EraseContactNotesContact  string `query:"erase-contact-notes-contact"`
	EraseWorkspaceContactNote string `query:"erase-workspace-contact-notes"`
}

func scanContactNote(row scanner) (ContactNote, error) {
	var n ContactNote
	var at int64
	err := row.Scan(&n.WorkspaceID, &n.ID, &n.ContactID, &n.AuthorID, &n.Author, &n.Body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return n, ErrNotFound
	}
	n.CreatedAt = fromMS(at)
	return n, err
}

// AddContactNote stores a note; the caller checked the contact exists.
func (s *Store) AddContactNote(ctx context.Context, n ContactNote) error {
	if _, err := s.w.ExecContext(ctx, s.q.ContactNoteInsert, n.WorkspaceID, n.ID, n.ContactID, n.AuthorID, n.Author,
		n.Body, ms(n.CreatedAt)); err != nil {
		return fmt.Errorf("add contact note: %w", err)
	}
	return nil
}

// ContactNotes lists a contact's notes newest first, at most limit.
func (s *Store) ContactNotes(ctx context.Context, workspaceID, contactID string, limit int) ([]ContactNote, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return list(ctx, s.r, "contact notes", s.q.ContactNoteList, scanContactNote, workspaceID, contactID, limit)
}

// ContactNote returns one note of a contact; ErrNotFound when the contact
// has no such note.
func (s *Store) ContactNote(ctx context.Context, workspaceID, contactID, id string) (ContactNote, error) {
	n, err := scanContactNote(s.r.QueryRowContext(ctx, s.q.ContactNoteGet, workspaceID, contactID, id))
	if err != nil {
		return n, fmt.Errorf("contact note %s: %w", id, err)
	}
	return n, nil
}

// DeleteContactNote deletes a note of a contact; ErrNotFound when the
// contact has no such note.
func (s *Store) DeleteContactNote(ctx context.Context, workspaceID, contactID, id string) error {
	res, err := s.w.ExecContext(ctx, s.q.ContactNoteDelete, workspaceID, contactID, id)
	if err != nil {
		return fmt.Errorf("delete contact note: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("contact note %s: %w", id, ErrNotFound)
	}
	return nil
}
