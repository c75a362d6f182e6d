-- name: campaign-insert
INSERT INTO campaigns (id, workspace_id, name, channel, status, spec, send_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8);

-- name: campaign-get
SELECT id, workspace_id, name, channel, status, spec, send_at, materialised, cursor, recipients, winner, test_ends_at,
    started_at, finished_at, created_at, updated_at
FROM campaigns WHERE workspace_id = $1 AND id = $2;

-- name: campaign-list
SELECT id, workspace_id, name, channel, status, spec, send_at, materialised, cursor, recipients, winner, test_ends_at,
    started_at, finished_at, created_at, updated_at
FROM campaigns WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200;

-- name: campaign-due
-- Every workspace's campaigns that have work now: the runner's poll.
SELECT id, workspace_id, name, channel, status, spec, send_at, materialised, cursor, recipients, winner, test_ends_at,
    started_at, finished_at, created_at, updated_at
FROM campaigns WHERE status IN ('scheduled', 'sending', 'testing') AND send_at <= $1
ORDER BY send_at, id LIMIT 50;

-- name: campaign-update-draft
UPDATE campaigns SET name = $3, channel = $4, spec = $5, updated_at = $6
WHERE workspace_id = $1 AND id = $2 AND status = 'draft';

-- name: campaign-transition
-- A status change happens only from the states the caller names ($3, a
-- comma-separated list), so that two requests (or the runner and a
-- request) racing cannot both win: a cancelled campaign is never resumed.
UPDATE campaigns SET status = $4, send_at = CASE WHEN $5 > 0 THEN $5 ELSE send_at END, updated_at = $6,
    started_at = CASE WHEN $4 = 'sending' AND started_at = 0 THEN $6 ELSE started_at END,
    finished_at = CASE WHEN $4 IN ('done', 'cancelled') THEN $6 ELSE finished_at END
WHERE workspace_id = $1 AND id = $2 AND instr(',' || $3 || ',', ',' || status || ',') > 0;

-- name: campaign-test-ends
UPDATE campaigns SET test_ends_at = $2 WHERE id = $1 AND test_ends_at = 0;

-- name: campaign-set-winner
UPDATE campaigns SET winner = $2 WHERE id = $1;

-- name: campaign-release-held
-- The A/B winner goes to the rest of the audience.
UPDATE campaign_recipients SET state = 'pending', variant = $2, send_at = $3
WHERE campaign_id = $1 AND state = 'held';

-- name: campaign-materialised
UPDATE campaigns SET cursor = $2, recipients = recipients + $3, materialised = $4 WHERE id = $1;

-- name: campaign-recipient-insert
-- A batch repeated after a crash (its cursor not yet moved) adds nobody twice.
INSERT INTO campaign_recipients (campaign_id, contact_id, seq, variant, state, send_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (campaign_id, contact_id) DO NOTHING;

-- name: campaign-recipients-due
-- The next recipients to send to, with what the send needs: address and
-- merge fields, consent for the channel as it is now, and (when the
-- channel has a cap, $5 > 0) how many of the channel's messages went to the
-- contact since $5. A contact erased since it was materialised has no row
-- (email '' and consent 0).
SELECT r.contact_id, r.seq, r.variant, r.state, r.message_id,
    COALESCE(c.email, ''), COALESCE(c.first_name, ''), COALESCE(c.last_name, ''), COALESCE(c.attributes, '{}'),
    COALESCE((SELECT k.granted FROM consents k WHERE k.workspace_id = $2 AND k.contact_id = r.contact_id AND k.channel = $3), 0),
    CASE WHEN $5 = 0 THEN 0 ELSE (SELECT COUNT(*) FROM messages m WHERE m.workspace_id = $2 AND m.contact_id = r.contact_id
        AND m.channel = $3 AND m.created_at >= $5 AND m.status IN ('sent', 'outbox')) END
FROM campaign_recipients r
LEFT JOIN contacts c ON c.workspace_id = $2 AND c.id = r.contact_id
WHERE r.campaign_id = $1 AND r.state = $4 AND r.send_at <= $6
ORDER BY r.send_at, r.seq LIMIT $7;

-- name: campaign-recipient-defer
UPDATE campaign_recipients SET send_at = $3 WHERE campaign_id = $1 AND contact_id = $2;

-- name: campaign-recipient-settle
UPDATE campaign_recipients SET state = $3, reason = $4 WHERE campaign_id = $1 AND contact_id = $2;

-- name: campaign-recipient-queue
UPDATE campaign_recipients SET state = 'queued', message_id = $3 WHERE campaign_id = $1 AND contact_id = $2;

-- name: campaign-message-insert
-- The (workspace, step_key) key is the campaign and the contact: written in
-- the same transaction as the recipient's queued state.
INSERT INTO messages (id, workspace_id, contact_id, channel, step_key, campaign_id, status, recipient, subject, created_at)
VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9)
ON CONFLICT (workspace_id, step_key) DO NOTHING;

-- name: campaign-message-finish
UPDATE messages SET status = $2, error = $3, sent_at = $4, subject = CASE WHEN $5 = '' THEN subject ELSE $5 END
WHERE id = $1;

-- name: campaign-progress
SELECT state, COUNT(*) FROM campaign_recipients WHERE campaign_id = $1 GROUP BY state;

-- name: campaign-next-due
-- When the next pending recipient is due (deferred by quiet hours or the
-- recipient's own time zone); 0 when none is pending.
SELECT COALESCE(MIN(send_at), 0) FROM campaign_recipients WHERE campaign_id = $1 AND state = 'pending';

-- name: campaign-variant-stats
-- Per A/B variant: messages sent, contacts who clicked, revenue credited.
SELECT r.variant, COUNT(*), COALESCE(SUM(CASE WHEN m.clicks > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(m.revenue_minor), 0)
FROM campaign_recipients r JOIN messages m ON m.id = r.message_id
WHERE r.campaign_id = $1 AND r.variant >= 0 AND m.status = 'sent'
GROUP BY r.variant ORDER BY r.variant;

-- name: campaign-report
-- bounced counts messages a DSN marked 'bounced' (deliverability) and those
-- the relay refused outright ('failed').
SELECT
    COALESCE(SUM(CASE WHEN status IN ('sent', 'outbox', 'bounced') THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status IN ('bounced', 'failed') THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN opens > 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN opens = 0 AND machine_opens > 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN clicks > 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(revenue_minor), 0),
    COALESCE(MAX(currency), ''),
    COALESCE(SUM(CASE WHEN order_id <> '' THEN 1 ELSE 0 END), 0)
FROM messages WHERE campaign_id = $1 AND workspace_id = $2;

-- name: campaign-unsubscribes
-- Unsubscribes through a campaign message's link: consent events that
-- name one of its messages.
SELECT COUNT(DISTINCT e.contact_id) FROM events e
JOIN messages m ON m.id = json_extract(e.props, '$.message_id')
WHERE e.workspace_id = $1 AND e.type = 'consent' AND m.campaign_id = $2
    AND json_extract(e.props, '$.email') = 0;

-- name: campaign-audience-consent
-- Everyone with consent for the channel, in contact id order after the
-- cursor: a live contact (not merged) with an address and consent granted.
SELECT c.id FROM consents k
JOIN contacts c ON c.workspace_id = k.workspace_id AND c.id = k.contact_id
WHERE k.workspace_id = $1 AND k.channel = 'email' AND k.granted = 1 AND c.merged_into = '' AND c.email <> ''
    AND k.contact_id > $2
ORDER BY k.contact_id LIMIT $3;

-- name: campaign-audience-push
-- Everyone with a push subscription (the browser's permission is the
-- opt-in), in contact id order after the cursor.
SELECT DISTINCT i.contact_id FROM push_subscriptions p
JOIN identities i ON i.workspace_id = p.workspace_id AND i.kind = 'visitor' AND i.value = p.visitor_id
WHERE p.workspace_id = $1 AND i.contact_id > $2
ORDER BY i.contact_id LIMIT $3;

-- name: campaign-audience-segments
-- Members of any of the include segments ($2, comma-separated ids) and of
-- none of the exclude segments ($3), after the cursor. Written against the
-- segments' membership table segment_members(workspace_id, segment_id,
-- contact_id, since) that personalization/segments keeps.
SELECT DISTINCT s.contact_id FROM segment_members s
WHERE s.workspace_id = $1 AND instr(',' || $2 || ',', ',' || s.segment_id || ',') > 0 AND s.contact_id > $4
    AND NOT EXISTS (SELECT 1 FROM segment_members x WHERE x.workspace_id = $1 AND x.contact_id = s.contact_id
        AND instr(',' || $3 || ',', ',' || x.segment_id || ',') > 0)
ORDER BY s.contact_id LIMIT $5;

-- name: campaign-push-subscriptions
-- The browsers of a batch of contacts ($2, a JSON array of ids), in one
-- query: the join is forced to start from the ids (CROSS JOIN), so each
-- contact costs two index lookups.
SELECT i.contact_id, p.id, p.endpoint, p.p256dh, p.auth
FROM json_each($2) j
CROSS JOIN identities i
CROSS JOIN push_subscriptions p
WHERE i.workspace_id = $1 AND i.contact_id = j.value AND i.kind = 'visitor'
    AND p.workspace_id = $1 AND p.visitor_id = i.value
ORDER BY p.created_at, p.id;
