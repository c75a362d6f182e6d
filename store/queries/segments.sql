-- name: segment-put
INSERT INTO segments (workspace_id, id, name, description, definition, ready_made, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (workspace_id, id) DO UPDATE SET name = excluded.name, description = excluded.description,
    definition = excluded.definition, updated_at = excluded.updated_at;

-- name: segment-get
SELECT workspace_id, id, name, description, definition, ready_made, created_at, updated_at
FROM segments WHERE workspace_id = $1 AND id = $2;

-- name: segment-by-ready-made
SELECT workspace_id, id, name, description, definition, ready_made, created_at, updated_at
FROM segments WHERE workspace_id = $1 AND ready_made = $2 AND ready_made <> '';

-- name: segment-list
SELECT workspace_id, id, name, description, definition, ready_made, created_at, updated_at
FROM segments WHERE workspace_id = $1 ORDER BY name, id;

-- name: segment-delete
DELETE FROM segments WHERE workspace_id = $1 AND id = $2;

-- name: segment-members-delete-segment
DELETE FROM segment_members WHERE workspace_id = $1 AND segment_id = $2;

-- name: segment-sizes-delete-segment
DELETE FROM segment_sizes WHERE workspace_id = $1 AND segment_id = $2;

-- name: segment-member-put
INSERT INTO segment_members (workspace_id, segment_id, contact_id, since) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, segment_id, contact_id) DO NOTHING;

-- name: segment-member-delete
DELETE FROM segment_members WHERE workspace_id = $1 AND segment_id = $2 AND contact_id = $3;

-- name: segment-member-exists
SELECT EXISTS (SELECT 1 FROM segment_members WHERE workspace_id = $1 AND segment_id = $2 AND contact_id = $3);

-- name: segment-contact-segments
-- The segments a contact is in, with when it entered (segment_members_contact).
SELECT segment_id, since FROM segment_members WHERE workspace_id = $1 AND contact_id = $2;

-- name: segment-count
-- An index-only scan of the primary key's range for one segment.
SELECT COUNT(*) FROM segment_members WHERE workspace_id = $1 AND segment_id = $2;

-- name: segment-members-page
-- Members in contact id order after $3 (keyset paging).
SELECT m.contact_id, m.since, COALESCE(c.email, ''), COALESCE(c.first_name, ''), COALESCE(c.last_name, '')
FROM segment_members m LEFT JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
WHERE m.workspace_id = $1 AND m.segment_id = $2 AND m.contact_id > $3
ORDER BY m.contact_id LIMIT $4;

-- name: segment-due-put
INSERT INTO segment_due (workspace_id, contact_id, due_at) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, contact_id) DO UPDATE SET due_at = excluded.due_at;

-- name: segment-due-delete
DELETE FROM segment_due WHERE workspace_id = $1 AND contact_id = $2;

-- name: segment-due-list
-- Contacts whose re-check time has come, earliest first.
SELECT workspace_id, contact_id, due_at FROM segment_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2;

-- name: segment-due-next
-- The earliest re-check time (0 when none).
SELECT COALESCE(MIN(due_at), 0) FROM segment_due;

-- name: segment-size-put
INSERT INTO segment_sizes (workspace_id, segment_id, day, size, updated_at)
SELECT workspace_id, id, $2, (SELECT COUNT(*) FROM segment_members m WHERE m.workspace_id = s.workspace_id AND m.segment_id = s.id), $3
FROM segments s WHERE s.workspace_id = $1
ON CONFLICT (workspace_id, segment_id, day) DO UPDATE SET size = excluded.size, updated_at = excluded.updated_at;

-- name: segment-size-history
SELECT day, size FROM segment_sizes WHERE workspace_id = $1 AND segment_id = $2 AND day >= $3 ORDER BY day;

-- name: segment-workspaces
SELECT DISTINCT workspace_id FROM segments;

-- name: segment-profiles-page
-- Every contact with a profile after $2 (keyset), for a full evaluation
-- of a new or changed segment.
SELECT contact_id FROM profiles WHERE workspace_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3;

-- name: erase-workspace-segment-members
DELETE FROM segment_members WHERE workspace_id = $1;

-- name: erase-contact-segment-members
DELETE FROM segment_members WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-contact-segment-due
DELETE FROM segment_due WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-workspace-segment-due
DELETE FROM segment_due WHERE workspace_id = $1;
