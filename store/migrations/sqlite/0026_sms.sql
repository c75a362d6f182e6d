-- The SMS channel: messages may be texts, a workspace's SMS provider
-- settings (credentials sealed), and what each provider said about the
-- texts it took (its id for them, the latest delivery receipt).

-- SQLite cannot change a CHECK constraint in place: messages is rebuilt
-- with 'sms' among its channels, every row and index kept.
CREATE TABLE messages_sms (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL,
    contact_id     TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'push', 'inbox', 'sms')),
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
INSERT INTO messages_sms (id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient,
    subject, body, error, created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at,
    last_click_at, read_at, order_id, revenue_minor, currency)
SELECT id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient,
    subject, body, error, created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at,
    last_click_at, read_at, order_id, revenue_minor, currency
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_sms RENAME TO messages;
CREATE UNIQUE INDEX messages_step_key ON messages (workspace_id, step_key);
CREATE INDEX messages_contact ON messages (workspace_id, contact_id, channel, created_at);
CREATE INDEX messages_list ON messages (workspace_id, created_at);
CREATE INDEX messages_flow ON messages (workspace_id, flow_id);

-- One row per workspace: the provider and its non-secret settings as JSON
-- (value), its credentials sealed with the instance key (secret).
CREATE TABLE sms_settings (
    workspace_id TEXT PRIMARY KEY,
    value        TEXT NOT NULL,
    secret       TEXT NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL
);

-- A text the provider took: its id there (receipts name it), and the
-- latest delivery state its receipts reported.
CREATE TABLE sms_messages (
    message_id    TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    provider_id   TEXT NOT NULL DEFAULT '',
    segments      INTEGER NOT NULL DEFAULT 0,
    delivery      TEXT NOT NULL DEFAULT '',
    delivery_code TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL
);
CREATE INDEX sms_messages_provider ON sms_messages (provider, provider_id);
