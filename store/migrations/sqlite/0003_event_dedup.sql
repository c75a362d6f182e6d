-- The tracker retries a batch whose answer it did not see, so a batch can
-- arrive twice; the client's event id makes the second copy a no-op.
ALTER TABLE events ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_client_id ON events (workspace_id, visitor_id, client_id) WHERE client_id <> '';
