-- Notes a team member writes on a contact's card (who wrote it, when), the
-- consents index the dashboard's drill-down to new subscribers reads, and
-- the end of the old token sign-in's sessions (the console's own sessions,
-- 0017, replaced them along with /admin/login and /admin/outbox).

CREATE TABLE contact_notes (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    -- author_id is the console user ("user_…") or API key ("key_…") that
    -- wrote it; author is how they were named then (an email, a key's
    -- name), kept so the note still says who after the account is gone.
    author_id    TEXT NOT NULL DEFAULT '',
    author       TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX contact_notes_contact ON contact_notes (workspace_id, contact_id, created_at);

-- New subscribers per channel in a period, and the contacts behind them.
CREATE INDEX consents_changed ON consents (workspace_id, channel, updated_at);

DROP TABLE sessions;
