-- name: order-exists-checkout
-- Whether an order of checkout $2 is stored (orders_checkout_token).
SELECT EXISTS (SELECT 1 FROM orders WHERE workspace_id = $1 AND checkout_token = $2 AND checkout_token <> '');

-- name: event-list-contact-type-since
-- A contact's events of type $3 that happened at or after $4 (occurred_at,
-- whatever their place in the log), but event $5, oldest first: its own and
-- its visitor ids' (as event-list-contact-type). A goal that happened after
-- the trigger counts even when its webhook was logged before it.
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE id IN (
    SELECT id FROM events WHERE workspace_id = $1 AND contact_id = $2 AND type = $3 AND occurred_at >= $4 AND id <> $5
    UNION
    SELECT e.id FROM identities i CROSS JOIN events e
        WHERE i.workspace_id = $1 AND i.contact_id = $2 AND i.kind = 'visitor'
          AND e.workspace_id = $1 AND e.visitor_id = i.value AND e.type = $3 AND e.occurred_at >= $4 AND e.id <> $5
)
ORDER BY id LIMIT $6;

-- name: flow-discount-get
SELECT code, expires_at FROM flow_discount_codes WHERE workspace_id = $1 AND step_key = $2;

-- name: flow-discount-put
-- The first code recorded for a step stays: a concurrent delivery that made
-- the same code changes nothing.
INSERT INTO flow_discount_codes (workspace_id, step_key, code, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, step_key) DO NOTHING;

-- name: erase-workspace-flow-discounts
DELETE FROM flow_discount_codes WHERE workspace_id = $1;
