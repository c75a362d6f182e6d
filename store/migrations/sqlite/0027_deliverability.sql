-- Deliverability: the addresses a workspace must not mail, what came back
-- about each message (bounces, complaints), and the DKIM keys its mail is
-- signed with.

-- An address no email goes to. email is lower-cased. reason: hard_bounce,
-- soft_bounce (too many within the window), complaint, unsubscribe or
-- manual (the admin, or an import); source says where it came from
-- ("dsn", "arf", "import", "console", "api"); detail is the DSN's status and
-- diagnostic, the complaint's feedback type, or the admin's note.
CREATE TABLE email_suppressions (
    workspace_id TEXT NOT NULL,
    email        TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'manual')),
    source       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, email)
);
CREATE INDEX email_suppressions_list ON email_suppressions (workspace_id, created_at);

-- One report about one message: a bounce (hard or soft) or a complaint.
-- (message_id, kind) is unique: a report delivered twice (the listener
-- answered 451 after applying part of it, and the MTA retried) counts once.
-- Soft bounces of an address are counted here within the window.
CREATE TABLE email_feedback (
    workspace_id TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('hard_bounce', 'soft_bounce', 'complaint')),
    email        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, message_id, kind)
);
CREATE INDEX email_feedback_email ON email_feedback (workspace_id, email, kind, created_at);

-- A sending domain's DKIM key, per workspace: private_key is the PEM,
-- sealed with the instance's secret key (context "dkim:<workspace>:<domain>").
CREATE TABLE dkim_keys (
    workspace_id TEXT NOT NULL,
    domain       TEXT NOT NULL,
    selector     TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, domain)
);
