-- Notes on a contact (store/contact_note.go).

-- name: contact-note-insert
INSERT INTO contact_notes (workspace_id, id, contact_id, author_id, author, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: contact-note-list
-- A contact's notes, newest first.
SELECT workspace_id, id, contact_id, author_id, author, body, created_at FROM contact_notes
WHERE workspace_id = $1 AND contact_id = $2
ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: contact-note-get
SELECT workspace_id, id, contact_id, author_id, author, body, created_at FROM contact_notes
WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;

-- name: contact-note-delete
DELETE FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;

-- name: contact-notes-repoint-contact
-- A merged contact's notes follow it.
UPDATE contact_notes SET contact_id = $3 WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-contact-notes-contact
DELETE FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-workspace-contact-notes
DELETE FROM contact_notes WHERE workspace_id = $1;
