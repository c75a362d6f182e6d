-- name: suppression-get
SELECT workspace_id, email, reason, source, detail, message_id, created_at
FROM email_suppressions WHERE workspace_id = $1 AND email = $2;

-- name: suppression-upsert
-- A complaint or hard bounce outranks what was there (a later import does
-- not turn a complaint into "manual"): the first reason stays unless the
-- new one is a complaint.
INSERT INTO email_suppressions (workspace_id, email, reason, source, detail, message_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workspace_id, email) DO UPDATE SET
    reason = CASE WHEN excluded.reason = 'complaint' THEN 'complaint' ELSE email_suppressions.reason END,
    source = CASE WHEN excluded.reason = 'complaint' THEN excluded.source ELSE email_suppressions.source END,
    detail = CASE WHEN excluded.reason = 'complaint' THEN excluded.detail ELSE email_suppressions.detail END;

-- name: suppression-delete
DELETE FROM email_suppressions WHERE workspace_id = $1 AND email = $2;

-- name: suppression-list
-- Newest first, keyset-paged by (created_at, email); $4 = '' matches all.
SELECT workspace_id, email, reason, source, detail, message_id, created_at
FROM email_suppressions
WHERE workspace_id = $1 AND ($2 = 0 OR created_at < $2 OR (created_at = $2 AND email > $3))
    AND ($4 = '' OR email LIKE '%' || $4 || '%')
ORDER BY created_at DESC, email LIMIT $5;

-- name: email-feedback-insert
INSERT INTO email_feedback (workspace_id, message_id, kind, email, status, detail, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workspace_id, message_id, kind) DO NOTHING;

-- name: email-feedback-count-since
SELECT COUNT(*) FROM email_feedback WHERE workspace_id = $1 AND email = $2 AND kind = $3 AND created_at >= $4;

-- name: message-bounced
-- Only a message that went out can bounce; its sent_at stays.
UPDATE messages SET status = 'bounced', error = $3 WHERE workspace_id = $1 AND id = $2 AND status IN ('sent', 'bounced');

-- name: dkim-key-get
SELECT workspace_id, domain, selector, private_key, created_at FROM dkim_keys WHERE workspace_id = $1 AND domain = $2;

-- name: dkim-key-insert
-- Two replicas generating at once keep the first key stored.
INSERT INTO dkim_keys (workspace_id, domain, selector, private_key, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, domain) DO NOTHING;

-- name: email-feedback-exists
SELECT COUNT(*) FROM email_feedback WHERE workspace_id = $1 AND message_id = $2 AND kind = $3;
