-- People: contacts (anonymous or known), the identity graph, consents, the
-- profile counters a processor keeps, and processors' checkpoints.

CREATE TABLE contacts (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    first_name   TEXT NOT NULL DEFAULT '',
    last_name    TEXT NOT NULL DEFAULT '',
    attributes   TEXT NOT NULL DEFAULT '{}',
    -- Set when this contact was found to be the same person as another one
    -- and merged into it; lookups follow it.
    merged_into  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX contacts_email ON contacts (workspace_id, email);

-- The identity graph: each identifier (visitor id, email, phone, platform
-- customer id…) belongs to exactly one live contact.
CREATE TABLE identities (
    workspace_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, kind, value)
);
CREATE INDEX identities_contact ON identities (workspace_id, contact_id);

CREATE TABLE consents (
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    granted      INTEGER NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, channel)
);

CREATE TABLE profiles (
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    data         TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);

CREATE TABLE checkpoints (
    name       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
