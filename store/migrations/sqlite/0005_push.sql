-- Web push subscriptions: one per browser endpoint. A subscription belongs
-- to the visitor whose browser made it; the processor's identity graph
-- leads from the visitor to the contact.
CREATE TABLE push_subscriptions (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    visitor_id   TEXT NOT NULL,
    endpoint     TEXT NOT NULL UNIQUE,
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_visitor ON push_subscriptions (workspace_id, visitor_id);
