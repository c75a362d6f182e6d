package cdp

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// NoteError is a note that cannot be kept as given (empty, too long, not
// text); the API answers 400 and the console shows it by the field.
type NoteError struct{ Reason string }

func (e *NoteError) Error() string { return "note: " + e.Reason }

// InvalidInput marks the error as the caller's fault.
func (e *NoteError) InvalidInput() {}

// AddNote keeps a team member's note on a contact (the contact a merged
// id leads to). authorID and author say who wrote it: a console user's id
// and email, or an API key's id.
func (c *Contacts) AddNote(ctx context.Context, workspaceID, contactID, authorID, author, body string, at time.Time) (store.ContactNote, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return store.ContactNote{}, &NoteError{"is empty"}
	case len(body) > store.MaxNoteLen:
		return store.ContactNote{}, &NoteError{"is longer than 4000 bytes"}
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		return store.ContactNote{}, &NoteError{"is not text"}
	}
	ct, err := c.st.Contact(ctx, workspaceID, contactID)
	if err != nil {
		return store.ContactNote{}, err
	}
	n := store.ContactNote{WorkspaceID: workspaceID, ID: ids.New("note"), ContactID: ct.ID, AuthorID: authorID,
		Author: author, Body: body, CreatedAt: at.UTC().Truncate(time.Millisecond)}
	return n, c.st.AddContactNote(ctx, n)
}

// Notes lists a contact's notes newest first.
func (c *Contacts) Notes(ctx context.Context, workspaceID, contactID string) ([]store.ContactNote, error) {
	ct, err := c.st.Contact(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	return c.st.ContactNotes(ctx, workspaceID, ct.ID, 200)
}

// DeleteNote deletes one of a contact's notes and returns it.
func (c *Contacts) DeleteNote(ctx context.Context, workspaceID, contactID, noteID string) (store.ContactNote, error) {
	ct, err := c.st.Contact(ctx, workspaceID, contactID)
	if err != nil {
		return store.ContactNote{}, err
	}
	n, err := c.st.ContactNote(ctx, workspaceID, ct.ID, noteID)
	if err != nil {
		return n, err
	}
	return n, c.st.DeleteContactNote(ctx, workspaceID, ct.ID, noteID)
}
