-- Queries that gather what a message shows and whom it reaches: the event
-- that started a flow and a contact's push subscriptions.

-- name: content-event-get
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE workspace_id = $1 AND id = $2;

-- name: content-contact-push-subscriptions
-- Subscriptions belong to browsers (visitor ids); a contact reaches every
-- browser the identity graph ties to it.
SELECT p.id, p.workspace_id, p.visitor_id, p.endpoint, p.p256dh, p.auth, p.user_agent, p.created_at, p.updated_at
FROM push_subscriptions p
JOIN identities i ON i.workspace_id = p.workspace_id AND i.kind = 'visitor' AND i.value = p.visitor_id
WHERE p.workspace_id = $1 AND i.contact_id = $2
ORDER BY p.created_at, p.id;
