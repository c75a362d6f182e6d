-- Shop records applied by their own time, not by arrival (webhooks are not
-- ordered), and completed checkouts that stay completed.

-- A product's identity is its platform id; its handle is only its address
-- in the storefront. A shop frees the handle of a deleted product and gives
-- it to a new one, and two products may swap handles in deliveries that
-- arrive in either order, so the handle is no longer unique here: the
-- storefront lookup takes the active product with that handle.
DROP INDEX products_handle;
CREATE INDEX products_handle ON products (workspace_id, shop_id, handle);

-- The shop's own modification time of the version of the product last
-- applied: an older delivery never overwrites a newer one. updated_at is
-- not it (local stock changes stamp it with Cartwheel's clock), so rows
-- stored before start at 0 and the next version of each applies.
ALTER TABLE products ADD COLUMN source_updated_at INTEGER NOT NULL DEFAULT 0;

-- Checkout and cart tokens an order carried: the order may arrive before
-- the checkout it completes (or before its final update), and whichever
-- arrives first, the checkout is completed from then on.
CREATE TABLE checkout_completions (
    workspace_id TEXT NOT NULL,
    token        TEXT NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, token)
);

-- The shop's own modification time of the last customer record applied
-- per platform customer: customers have no table of their own (they are
-- contacts), and an older customers/update must not overwrite a newer one.
CREATE TABLE customer_versions (
    workspace_id TEXT NOT NULL,
    shop_id      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, shop_id, external_id)
);

-- The shop's time of a variant's stock figure (its product's version, or
-- the inventory level's own time): an older level changes nothing.
ALTER TABLE product_variants ADD COLUMN stock_at INTEGER NOT NULL DEFAULT 0;
