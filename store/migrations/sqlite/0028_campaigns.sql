-- Campaigns: one-off sends to an audience (everyone with consent for the
-- channel, or segments minus exclusion segments) at a chosen time.
--
-- spec is the campaign's editable part as JSON (content, variants, audience,
-- schedule, A/B test, throttle), read whole. What the runner needs to resume
-- after a crash is in columns: status, when it is due, how far the audience
-- has been materialised (cursor) and the A/B winner.
-- status: draft | scheduled | sending | testing (A/B sample sent, waiting for
-- the winner) | paused | cancelled | done.
CREATE TABLE campaigns (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    status        TEXT NOT NULL,
    spec          TEXT NOT NULL DEFAULT '{}',
    send_at       INTEGER NOT NULL DEFAULT 0,
    materialised  INTEGER NOT NULL DEFAULT 0,
    cursor        TEXT NOT NULL DEFAULT '',
    recipients    INTEGER NOT NULL DEFAULT 0,
    winner        INTEGER NOT NULL DEFAULT -1,
    test_ends_at  INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL DEFAULT 0,
    finished_at   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX campaigns_list ON campaigns (workspace_id, created_at);
-- The runner polls for work across workspaces.
CREATE INDEX campaigns_due ON campaigns (status, send_at);

-- The materialised audience: one row per contact, written in batches with
-- the campaign's cursor, so that a restart neither re-reads the audience
-- from the start nor misses part of it. The primary key is what makes a
-- contact get a campaign once. state: pending | held (A/B remainder,
-- waiting for the winner) | queued (its message row is written; it is being
-- or is about to be sent) | sent | skipped | failed. variant is the A/B
-- variant (0 without a test; -1 while held).
CREATE TABLE campaign_recipients (
    campaign_id TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    variant     INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL,
    send_at     INTEGER NOT NULL,
    message_id  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, contact_id)
);
CREATE INDEX campaign_recipients_due ON campaign_recipients (campaign_id, state, send_at, seq);

-- A campaign's messages carry it, for its report.
ALTER TABLE messages ADD COLUMN campaign_id TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_campaign ON messages (campaign_id) WHERE campaign_id <> '';
