-- name: event-append-head
-- Events are appended many rows to a statement: AppendEvents adds one
-- "(?, …)" group of 11 placeholders per event, then event-append-tail.
INSERT INTO events (workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context, client_id)
VALUES

-- name: event-append-tail
-- A resent event (same visitor and client event id) inserts nothing.
ON CONFLICT (workspace_id, visitor_id, client_id) WHERE client_id <> '' DO NOTHING

-- name: event-list-after
-- The log read by processors: a workspace's events after offset $2, in order.
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: event-list-visitor
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE workspace_id = $1 AND visitor_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4;
