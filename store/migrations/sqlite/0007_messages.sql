-- Messages: every email, push and inbox item sent (or held) for a contact,
-- with its engagement and the order it is credited with; the workspace's
-- messaging settings; and the keys of time-based triggers already fired.

-- One message to one contact on one channel. step_key is the automation
-- step that made it (enrollment/step): unique, so an action repeated after
-- a crash finds its message instead of sending a second one. Messages not
-- made by a flow (a double opt-in confirmation) use a key of their own.
-- status: queued (rendered, not yet handed over) | sent | outbox (no SMTP
-- server configured: kept for the admin to read) | failed | skipped.
-- body is the channel's content as JSON: email {html, text, headers},
-- push {the notification}, inbox {title, body, url, image}.
CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL,
    contact_id     TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'push', 'inbox')),
    step_key       TEXT NOT NULL,
    flow_id        TEXT NOT NULL DEFAULT '',
    enrollment_id  TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    recipient      TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '{}',
    error          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    sent_at        INTEGER NOT NULL DEFAULT 0,
    opens          INTEGER NOT NULL DEFAULT 0,
    machine_opens  INTEGER NOT NULL DEFAULT 0,
    first_open_at  INTEGER NOT NULL DEFAULT 0,
    clicks         INTEGER NOT NULL DEFAULT 0,
    first_click_at INTEGER NOT NULL DEFAULT 0,
    last_click_at  INTEGER NOT NULL DEFAULT 0,
    read_at        INTEGER NOT NULL DEFAULT 0,
    order_id       TEXT NOT NULL DEFAULT '',
    revenue_minor  INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX messages_step_key ON messages (workspace_id, step_key);
-- Frequency caps count a contact's recent sends per channel; the inbox and
-- attribution read a contact's messages newest first.
CREATE INDEX messages_contact ON messages (workspace_id, contact_id, channel, created_at);
CREATE INDEX messages_list ON messages (workspace_id, created_at);

-- A workspace's messaging settings (sender, postal address, caps, quiet
-- hours, double opt-in) as one JSON document, read whole.
CREATE TABLE messaging_settings (
    workspace_id TEXT PRIMARY KEY,
    value        TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Time-based triggers (birthday, win-back, replenishment…) fire by logging
-- an event; the key (e.g. "birthday:2026") makes each fire once even when
-- the sweep runs again or on another replica.
CREATE TABLE trigger_fires (
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    key          TEXT NOT NULL,
    fired_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, key)
);
