-- name: dashboard-shop-revenue
-- Orders placed in [$2, $3), cancelled ones left out, per currency.
SELECT currency, count(*), coalesce(sum(total_minor), 0) FROM orders
WHERE workspace_id = $1 AND placed_at >= $2 AND placed_at < $3 AND cancelled_at = 0
GROUP BY currency ORDER BY 3 DESC;

-- name: dashboard-attributed
-- Revenue credited to messages made in [$2, $3), per channel and currency.
SELECT channel, currency, count(*), coalesce(sum(revenue_minor), 0) FROM messages
WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 AND order_id <> ''
GROUP BY channel, currency ORDER BY 4 DESC;

-- name: dashboard-messages
-- Per channel: messages sent (or kept in the outbox), opened by a person
-- (opens counts people only; machine_opens privacy proxies and scanners),
-- opened by a machine only, clicked.
SELECT channel,
       count(*),
       coalesce(sum(CASE WHEN opens > 0 THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN opens = 0 AND machine_opens > 0 THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN clicks > 0 THEN 1 ELSE 0 END), 0)
FROM messages
WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 AND status IN ('sent', 'outbox')
GROUP BY channel ORDER BY channel;

-- name: dashboard-consents
-- Consents given and withdrawn in [$2, $3) per channel (the latest state of
-- each live contact's consent, changed in the period; drill-contacts-consent
-- lists them).
SELECT c.channel, c.granted, count(*)
FROM consents c JOIN contacts ct ON ct.workspace_id = c.workspace_id AND ct.id = c.contact_id
WHERE c.workspace_id = $1 AND c.updated_at >= $2 AND c.updated_at < $3 AND ct.merged_into = ''
GROUP BY c.channel, c.granted ORDER BY c.channel, c.granted;

-- name: dashboard-new-contacts
SELECT count(*) FROM contacts WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 AND merged_into = '';

-- name: dashboard-days-shop
-- The shop's revenue in $4 per day; $5 is the workspace's UTC offset in ms.
SELECT (placed_at + $5) / 86400000, coalesce(sum(total_minor), 0) FROM orders
WHERE workspace_id = $1 AND placed_at >= $2 AND placed_at < $3 AND cancelled_at = 0 AND currency = $4
GROUP BY 1 ORDER BY 1;

-- name: dashboard-days-attributed
-- Revenue credited to messages per day, in $4.
SELECT (created_at + $5) / 86400000, coalesce(sum(revenue_minor), 0) FROM messages
WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 AND order_id <> '' AND currency = $4
GROUP BY 1 ORDER BY 1;

-- name: tracker-last-seen
-- When the workspace's tracker last sent anything: the newest events first,
-- so a shop with the tracker installed answers after a few rows.
SELECT received_at FROM events WHERE workspace_id = $1 AND source = 'tracker' ORDER BY id DESC LIMIT 1;
