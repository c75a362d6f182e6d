-- Browser sign-in sessions. The cookie holds a random session id; only its
-- SHA-256 hash is stored, so a copy of the database signs no one in.
-- who names the signed-in party as kind:id ("api_key:key_…" today; user
-- accounts will add "user:…"); workspace_id is the workspace chosen at
-- sign-in ('' for none). Expired rows are deleted when sessions are read.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    who          TEXT NOT NULL,
    workspace_id TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_who ON sessions (who);
