-- name: trigger-fire-insert
INSERT INTO trigger_fires (workspace_id, contact_id, key, fired_at) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;

-- A page of a workspace's live contacts with their profile document, for
-- the time-based trigger sweep (birthday, inactivity, browse abandonment).
-- name: sweep-contacts
SELECT c.id, c.email, c.attributes, p.data
FROM contacts c
LEFT JOIN profiles p ON p.workspace_id = c.workspace_id AND p.contact_id = c.id
WHERE c.workspace_id = $1 AND c.merged_into = '' AND c.id > $2
ORDER BY c.id
LIMIT $3;

-- Orders that were not cancelled, tied to a contact by the visitor who
-- placed them, else by their email ('visitor' and 'email' identity kinds;
-- emails are stored lower-cased and trimmed), for replenishment cycles.
-- name: sweep-purchases
SELECT COALESCE(v.contact_id, m.contact_id, ''), o.email, o.items, o.placed_at
FROM orders o
LEFT JOIN identities v ON v.workspace_id = o.workspace_id AND v.kind = 'visitor'
    AND o.visitor_id <> '' AND v.value = o.visitor_id
LEFT JOIN identities m ON m.workspace_id = o.workspace_id AND m.kind = 'email'
    AND o.email <> '' AND m.value = lower(trim(o.email))
WHERE o.workspace_id = $1 AND o.cancelled_at = 0
ORDER BY o.placed_at, o.id;

-- name: sweep-replenish-products
SELECT id, replenish_days FROM products
WHERE workspace_id = $1 AND replenish_days > 0;
