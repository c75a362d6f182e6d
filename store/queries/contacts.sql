-- name: contact-create
INSERT INTO contacts (workspace_id, id, email, phone, first_name, last_name, attributes, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8);

-- name: contact-get
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: contact-by-email
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND email = $2 AND merged_into = '';

-- name: contact-update
UPDATE contacts SET email = $3, phone = $4, first_name = $5, last_name = $6, attributes = $7, updated_at = $8
WHERE workspace_id = $1 AND id = $2;

-- name: contact-mark-merged
UPDATE contacts SET merged_into = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2;

-- name: contact-repoint-merged
-- Contacts merged earlier into the one now being merged follow it, so a
-- lookup never takes more than one hop.
UPDATE contacts SET merged_into = $3 WHERE workspace_id = $1 AND merged_into = $2;

-- name: identity-get
SELECT contact_id FROM identities WHERE workspace_id = $1 AND kind = $2 AND value = $3;

-- name: identity-add
INSERT INTO identities (workspace_id, kind, value, contact_id, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, kind, value) DO UPDATE SET contact_id = excluded.contact_id;

-- name: identity-list
SELECT kind, value, created_at FROM identities WHERE workspace_id = $1 AND contact_id = $2 ORDER BY kind, created_at, value;

-- name: identity-move
UPDATE identities SET contact_id = $3 WHERE workspace_id = $1 AND contact_id = $2;

-- name: consent-set
-- The newer statement wins; of two made at the same time, the later
-- applied (the processor applies them in log order).
INSERT INTO consents (workspace_id, contact_id, channel, granted, source, text, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workspace_id, contact_id, channel) DO UPDATE SET
    granted = excluded.granted, source = excluded.source, text = excluded.text, updated_at = excluded.updated_at
WHERE excluded.updated_at >= consents.updated_at;

-- name: consent-list
SELECT channel, granted, source, text, updated_at FROM consents WHERE workspace_id = $1 AND contact_id = $2 ORDER BY channel;

-- name: consent-delete-all
DELETE FROM consents WHERE workspace_id = $1 AND contact_id = $2;

-- name: profile-get
SELECT data FROM profiles WHERE workspace_id = $1 AND contact_id = $2;

-- name: profile-put
INSERT INTO profiles (workspace_id, contact_id, data, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, contact_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at;

-- name: profile-delete
DELETE FROM profiles WHERE workspace_id = $1 AND contact_id = $2;

-- name: events-repoint-contact
UPDATE events SET contact_id = $3 WHERE workspace_id = $1 AND contact_id = $2;

-- name: checkpoint-get
SELECT position FROM checkpoints WHERE name = $1;

-- name: checkpoint-set
INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at;

-- name: event-log-after
-- The whole log after an offset, across workspaces, for processors.
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE id > $1 ORDER BY id LIMIT $2;

-- name: event-list-contact
-- A contact's timeline by event time, newest first: events logged against
-- it, or against any visitor id that belongs to it (so an anonymous history
-- joins on identification). The log's order is arrival, and shop webhooks
-- and buffered tracker events arrive out of order, so the page is cut by
-- (occurred_at, id) below ($3, $4), the previous page's last event. The
-- contact's events are found through the events_contact and events_visitor
-- indexes and sorted: a per-contact sort on this admin read, rather than
-- two more indexes on the log every ingest writes. CROSS JOIN keeps SQLite
-- from reordering the join: identities (few rows) drive it.
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE id IN (
    SELECT id FROM events WHERE workspace_id = $1 AND contact_id = $2
    UNION
    SELECT e.id FROM identities i CROSS JOIN events e
        WHERE i.workspace_id = $1 AND i.contact_id = $2 AND i.kind = 'visitor'
          AND e.workspace_id = $1 AND e.visitor_id = i.value
) AND (occurred_at < $3 OR (occurred_at = $3 AND id < $4))
ORDER BY occurred_at DESC, id DESC LIMIT $5;

-- name: event-occurred-at
SELECT occurred_at FROM events WHERE workspace_id = $1 AND id = $2;

-- name: event-set-contact
-- Events that name no visitor (server-side, by email or customer id) are
-- stamped with the contact the processor resolved, for the timeline.
UPDATE events SET contact_id = $2 WHERE id = $1 AND contact_id = '';

-- name: customer-version-claim
-- Records a shop customer's modification time unless a newer one is
-- stored; no row comes back when it is.
INSERT INTO customer_versions (workspace_id, shop_id, external_id, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, shop_id, external_id) DO UPDATE SET updated_at = excluded.updated_at
WHERE excluded.updated_at >= customer_versions.updated_at
RETURNING updated_at;

-- name: erase-customer-versions-person
DELETE FROM customer_versions WHERE workspace_id = $1 AND external_id = $2;

-- name: erase-shop-customer-versions
DELETE FROM customer_versions WHERE workspace_id = $1 AND shop_id = $2;
