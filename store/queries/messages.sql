-- name: message-insert
-- A repeated step (after a crash) finds its message by step_key instead of
-- making a second one.
INSERT INTO messages (id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient,
    subject, body, error, created_at, sent_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (workspace_id, step_key) DO NOTHING
RETURNING id;

-- name: message-by-step-key
SELECT id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient, subject, body, error,
    created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at, last_click_at, read_at,
    order_id, revenue_minor, currency
FROM messages WHERE workspace_id = $1 AND step_key = $2;

-- name: message-get
SELECT id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient, subject, body, error,
    created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at, last_click_at, read_at,
    order_id, revenue_minor, currency
FROM messages WHERE id = $1;

-- name: message-list
SELECT id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient, subject, body, error,
    created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at, last_click_at, read_at,
    order_id, revenue_minor, currency
FROM messages
WHERE workspace_id = $1 AND ($2 = '' OR channel = $2) AND ($3 = '' OR status = $3) AND ($4 = '' OR contact_id = $4)
    AND ($5 = 0 OR created_at < $5 OR (created_at = $5 AND id < $6))
ORDER BY created_at DESC, id DESC LIMIT $7;

-- name: message-set-status
UPDATE messages SET status = $3, error = $4, sent_at = $5 WHERE workspace_id = $1 AND id = $2;

-- name: message-count-since
-- Frequency caps: what actually went out (or would have, in the outbox).
SELECT COUNT(*) FROM messages
WHERE workspace_id = $1 AND contact_id = $2 AND channel = $3 AND created_at >= $4 AND status IN ('sent', 'outbox');

-- name: message-open
UPDATE messages SET
    opens = opens + CASE WHEN $2 THEN 0 ELSE 1 END,
    machine_opens = machine_opens + CASE WHEN $2 THEN 1 ELSE 0 END,
    first_open_at = CASE WHEN first_open_at = 0 AND NOT $2 THEN $3 ELSE first_open_at END
WHERE id = $1;

-- name: message-click
UPDATE messages SET clicks = clicks + 1,
    first_click_at = CASE WHEN first_click_at = 0 THEN $2 ELSE first_click_at END, last_click_at = $2
WHERE id = $1;

-- name: message-read
UPDATE messages SET read_at = $3 WHERE workspace_id = $1 AND id = $2 AND read_at = 0;

-- name: message-attribute
-- Last click wins: the contact's most recently clicked message, clicked in
-- the window before the order and not yet credited, gets the order.
UPDATE messages SET order_id = $3, revenue_minor = $4, currency = $5
WHERE id = (
    SELECT id FROM messages
    WHERE workspace_id = $1 AND contact_id = $2 AND order_id = '' AND last_click_at >= $6 AND last_click_at <= $7
    ORDER BY last_click_at DESC LIMIT 1)
RETURNING id;

-- name: message-order-net
-- What an attributed order still brings in after refunds or a cancellation.
UPDATE messages SET revenue_minor = $3 WHERE workspace_id = $1 AND order_id = $2;

-- name: messaging-settings-get
SELECT value FROM messaging_settings WHERE workspace_id = $1;

-- name: messaging-settings-put
INSERT INTO messaging_settings (workspace_id, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;

-- name: erase-messages-contact
DELETE FROM messages WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-trigger-fires-contact
DELETE FROM trigger_fires WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-workspace-messages
DELETE FROM messages WHERE workspace_id = $1;

-- name: erase-workspace-trigger-fires
DELETE FROM trigger_fires WHERE workspace_id = $1;

-- name: messaging-double-opt-in
SELECT COALESCE(json_extract(value, '$.double_opt_in'), 0) FROM messaging_settings WHERE workspace_id = $1;

-- name: messages-repoint-contact
-- A merged contact's messages follow it, so a click before the merge is
-- credited with the order after it.
UPDATE messages SET contact_id = $3 WHERE workspace_id = $1 AND contact_id = $2;

-- name: enrollments-repoint-contact
-- A merged contact's enrollments follow it, so the goal the surviving
-- contact reaches (an order after checkout identified the visitor) ends
-- them. One that the surviving contact has too (same flow, same trigger
-- event) stays where it is rather than break the unique index.
UPDATE enrollments SET contact_id = $3
WHERE workspace_id = $1 AND contact_id = $2
  AND NOT EXISTS (SELECT 1 FROM enrollments d WHERE d.workspace_id = $1 AND d.contact_id = $3
      AND d.flow_id = enrollments.flow_id AND d.trigger_event_id = enrollments.trigger_event_id);
