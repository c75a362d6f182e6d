-- Foundation schema: tenancy, access, catalogue, orders, checkouts and the event log.
-- Portable SQL (SQLite and PostgreSQL): times are Unix milliseconds, JSON is text.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE workspaces (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    site_key        TEXT NOT NULL UNIQUE,
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    currency        TEXT NOT NULL DEFAULT 'USD',
    locale          TEXT NOT NULL DEFAULT 'en',
    require_consent INTEGER NOT NULL DEFAULT 0,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- API keys and admin tokens. workspace_id is empty for instance-wide admin
-- tokens. Only the SHA-256 of a token is stored: tokens are 32 random bytes,
-- so a slow hash adds nothing but latency.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL CHECK (scope IN ('admin', 'workspace')),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE shops (
    id                 TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    platform           TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce', 'custom')),
    domain             TEXT NOT NULL,
    name               TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'active',
    access_token_enc   TEXT NOT NULL DEFAULT '',
    webhook_secret_enc TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (platform, domain)
);
CREATE INDEX shops_workspace ON shops (workspace_id);

CREATE TABLE products (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    shop_id        TEXT NOT NULL,
    external_id    TEXT NOT NULL DEFAULT '',
    handle         TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    vendor         TEXT NOT NULL DEFAULT '',
    category       TEXT NOT NULL DEFAULT '',
    tags           TEXT NOT NULL DEFAULT '[]',
    price_minor    INTEGER NOT NULL,
    compare_minor  INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL,
    stock          INTEGER NOT NULL DEFAULT 0,
    image_url      TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active',
    replenish_days INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX products_handle ON products (workspace_id, shop_id, handle);
CREATE INDEX products_category ON products (workspace_id, category);

CREATE TABLE orders (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    shop_id        TEXT NOT NULL,
    external_id    TEXT NOT NULL DEFAULT '',
    number         TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    customer_id    TEXT NOT NULL DEFAULT '',
    visitor_id     TEXT NOT NULL DEFAULT '',
    checkout_token TEXT NOT NULL DEFAULT '',
    currency       TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL DEFAULT 0,
    discount_minor INTEGER NOT NULL DEFAULT 0,
    shipping_minor INTEGER NOT NULL DEFAULT 0,
    tax_minor      INTEGER NOT NULL DEFAULT 0,
    total_minor    INTEGER NOT NULL,
    financial      TEXT NOT NULL DEFAULT 'pending',
    cancelled_at   INTEGER NOT NULL DEFAULT 0,
    items          TEXT NOT NULL DEFAULT '[]',
    discount_codes TEXT NOT NULL DEFAULT '[]',
    placed_at      INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX orders_external ON orders (workspace_id, shop_id, external_id);
CREATE INDEX orders_email ON orders (workspace_id, email);
CREATE INDEX orders_placed ON orders (workspace_id, placed_at);

CREATE TABLE checkouts (
    workspace_id   TEXT NOT NULL,
    token          TEXT NOT NULL,
    shop_id        TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    customer_id    TEXT NOT NULL DEFAULT '',
    visitor_id     TEXT NOT NULL DEFAULT '',
    currency       TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL DEFAULT 0,
    total_minor    INTEGER NOT NULL DEFAULT 0,
    items          TEXT NOT NULL DEFAULT '[]',
    recovery_url   TEXT NOT NULL DEFAULT '',
    completed_at   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, token)
);

-- The event log: one logical log per workspace, id is the log offset that
-- processors checkpoint against.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    type         TEXT NOT NULL,
    source       TEXT NOT NULL,
    visitor_id   TEXT NOT NULL DEFAULT '',
    contact_id   TEXT NOT NULL DEFAULT '',
    session_id   TEXT NOT NULL DEFAULT '',
    occurred_at  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    props        TEXT NOT NULL DEFAULT '{}',
    context      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_workspace ON events (workspace_id, id);
CREATE INDEX events_visitor ON events (workspace_id, visitor_id, id);
CREATE INDEX events_contact ON events (workspace_id, contact_id, id);
