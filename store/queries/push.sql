-- name: push-subscription-upsert
-- A browser re-subscribing (new keys, or another visitor id after cookies
-- were cleared) keeps one row per endpoint.
INSERT INTO push_subscriptions (id, workspace_id, visitor_id, endpoint, p256dh, auth, user_agent, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (endpoint) DO UPDATE SET
    workspace_id = excluded.workspace_id, visitor_id = excluded.visitor_id, p256dh = excluded.p256dh,
    auth = excluded.auth, user_agent = excluded.user_agent, updated_at = excluded.updated_at
RETURNING id, created_at;

-- name: push-subscription-list-visitor
SELECT id, workspace_id, visitor_id, endpoint, p256dh, auth, user_agent, created_at, updated_at
FROM push_subscriptions WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY created_at;

-- name: push-subscription-delete
DELETE FROM push_subscriptions WHERE workspace_id = $1 AND endpoint = $2;
