-- name: widget-create
INSERT INTO widgets (workspace_id, id, name, kind, status, definition, template, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8);

-- name: widget-get
SELECT workspace_id, id, name, kind, status, definition, template, created_at, updated_at
FROM widgets WHERE workspace_id = $1 AND id = $2;

-- name: widget-list
SELECT workspace_id, id, name, kind, status, definition, template, created_at, updated_at
FROM widgets WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: widget-update
UPDATE widgets SET name = $3, kind = $4, status = $5, definition = $6, updated_at = $7
WHERE workspace_id = $1 AND id = $2;

-- name: widget-stats-add
INSERT INTO widget_stats (workspace_id, widget_id, variant, day, impressions, clicks, closes, submissions, conversions,
    revenue_minor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (workspace_id, widget_id, variant, day) DO UPDATE SET
    impressions = impressions + excluded.impressions, clicks = clicks + excluded.clicks,
    closes = closes + excluded.closes, submissions = submissions + excluded.submissions,
    conversions = conversions + excluded.conversions, revenue_minor = revenue_minor + excluded.revenue_minor;

-- name: widget-stats-list
-- Totals per variant from day $3 on.
SELECT variant, SUM(impressions), SUM(clicks), SUM(closes), SUM(submissions), SUM(conversions), SUM(revenue_minor)
FROM widget_stats WHERE workspace_id = $1 AND widget_id = $2 AND day >= $3
GROUP BY variant ORDER BY variant;

-- name: widget-visitor-list
SELECT widget_id, variant, shown_at, shown_session, shows, closed_at, submitted_at, converted_at, clicked_at
FROM widget_visitors WHERE workspace_id = $1 AND visitor_id = $2;

-- name: widget-visitor-put
INSERT INTO widget_visitors (workspace_id, visitor_id, widget_id, variant, shown_at, shown_session, shows, closed_at,
    submitted_at, converted_at, clicked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (workspace_id, visitor_id, widget_id) DO UPDATE SET
    variant = excluded.variant, shown_at = excluded.shown_at, shown_session = excluded.shown_session,
    shows = excluded.shows, closed_at = excluded.closed_at, submitted_at = excluded.submitted_at,
    converted_at = excluded.converted_at, clicked_at = excluded.clicked_at;

-- name: wishlist-add
INSERT INTO wishlists (workspace_id, visitor_id, product_id, added_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, visitor_id, product_id) DO NOTHING;

-- name: wishlist-remove
DELETE FROM wishlists WHERE workspace_id = $1 AND visitor_id = $2 AND product_id = $3;

-- name: wishlist-list
SELECT product_id FROM wishlists WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY added_at DESC, product_id LIMIT 100;

-- name: widget-catalog-page
-- The catalogue as /decide renders it, in pages by id (keyset).
SELECT id, title, url, image_url, price_minor, currency, category, stock, status, created_at
FROM products WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: widget-profile-snapshot
-- A contact's profile together with the profile processor's position, in
-- one statement so that both come from one snapshot: events up to that
-- position are counted in the profile, later ones are not.
SELECT COALESCE((SELECT data FROM profiles WHERE workspace_id = $1 AND contact_id = $2), ''),
    COALESCE((SELECT position FROM checkpoints WHERE name = 'profiles'), 0);

-- name: widget-inbox-unread
SELECT COUNT(*) FROM messages
WHERE workspace_id = $1 AND contact_id = $2 AND channel = 'inbox' AND read_at = 0 AND status NOT IN ('failed', 'skipped');

-- name: erase-widget-visitor
DELETE FROM widget_visitors WHERE workspace_id = $1 AND visitor_id = $2;

-- name: erase-wishlist-visitor
DELETE FROM wishlists WHERE workspace_id = $1 AND visitor_id = $2;

-- name: erase-workspace-widget-visitors
DELETE FROM widget_visitors WHERE workspace_id = $1;

-- name: erase-workspace-wishlists
DELETE FROM wishlists WHERE workspace_id = $1;
