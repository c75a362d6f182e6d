-- Shop connectors: raw webhook deliveries (persisted before they are
-- acknowledged, processed afterwards), product variants (carts and line items
-- name variants; profiles count products), sync progress, privacy requests and
-- the cart/checkout tokens that tie a shop's checkout to the visitor who browsed.

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    shop_id      TEXT NOT NULL,
    platform     TEXT NOT NULL,
    topic        TEXT NOT NULL,
    -- Shopify: X-Shopify-Webhook-Id; WooCommerce: resource, id and
    -- modification time, because WooCommerce has no delivery id that survives
    -- a resend.
    dedup_key    TEXT NOT NULL,
    body         BLOB NOT NULL,
    received_at  INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,
    -- pending, done, ignored, failed
    status       TEXT NOT NULL DEFAULT 'pending',
    error        TEXT NOT NULL DEFAULT '',
    processed_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, dedup_key)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_shop ON webhook_deliveries (workspace_id, shop_id, id);

CREATE TABLE product_variants (
    workspace_id      TEXT NOT NULL,
    shop_id           TEXT NOT NULL,
    id                TEXT NOT NULL,
    product_id        TEXT NOT NULL,
    inventory_item_id TEXT NOT NULL DEFAULT '',
    sku               TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    price_minor       INTEGER NOT NULL DEFAULT 0,
    stock             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, shop_id, id)
);
CREATE INDEX product_variants_product ON product_variants (workspace_id, product_id);
CREATE INDEX product_variants_inventory ON product_variants (workspace_id, shop_id, inventory_item_id)
    WHERE inventory_item_id <> '';

CREATE TABLE shop_syncs (
    shop_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    workspace_id    TEXT NOT NULL,
    -- idle, running, failed
    status          TEXT NOT NULL DEFAULT 'idle',
    -- Where a crashed or interrupted run resumes: a GraphQL cursor or a page.
    cursor          TEXT NOT NULL DEFAULT '',
    -- The modification time the running pass started from.
    since           INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    -- Start time of the last pass that finished: the next pass asks for
    -- records modified since then.
    last_success_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, kind)
);

CREATE TABLE privacy_requests (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    shop_id      TEXT NOT NULL,
    -- data_request, customer_redact, shop_redact
    kind         TEXT NOT NULL,
    request      TEXT NOT NULL,
    -- pending, done
    status       TEXT NOT NULL DEFAULT 'pending',
    contact_id   TEXT NOT NULL DEFAULT '',
    export       BLOB,
    summary      TEXT NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    completed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX privacy_requests_workspace ON privacy_requests (workspace_id, created_at);

CREATE TABLE cart_tokens (
    workspace_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    visitor_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, token)
);

-- The shop's currency, for payloads that carry none (Shopify carts and
-- product webhooks).
ALTER TABLE shops ADD COLUMN currency TEXT NOT NULL DEFAULT '';
-- Where the shop's API answers when it is not https://{domain} (a store
-- served under a path, or a test server).
ALTER TABLE shops ADD COLUMN api_url TEXT NOT NULL DEFAULT '';
