-- name: delivery-insert
-- A redelivery (same shop and dedup key) inserts nothing: ON CONFLICT makes
-- the duplicate check and the insert one statement.
INSERT INTO webhook_deliveries (workspace_id, shop_id, platform, topic, dedup_key, body, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (shop_id, dedup_key) DO NOTHING;

-- name: delivery-pending
SELECT id, workspace_id, shop_id, platform, topic, dedup_key, body, received_at, attempts, next_at, status, error, processed_at
FROM webhook_deliveries WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2;

-- name: delivery-finish
UPDATE webhook_deliveries SET status = $2, error = $3, attempts = attempts + 1, processed_at = $4 WHERE id = $1;

-- name: delivery-retry
UPDATE webhook_deliveries SET error = $2, attempts = attempts + 1, next_at = $3 WHERE id = $1;

-- name: delivery-list
-- $3 status ('' = any); newest first below id $4.
SELECT id, workspace_id, shop_id, platform, topic, dedup_key, body, received_at, attempts, next_at, status, error, processed_at
FROM webhook_deliveries
WHERE workspace_id = $1 AND shop_id = $2 AND ($3 = '' OR status = $3) AND id < $4
ORDER BY id DESC LIMIT $5;

-- name: delivery-counts
SELECT status, count(*), coalesce(max(received_at), 0) FROM webhook_deliveries
WHERE workspace_id = $1 AND shop_id = $2 GROUP BY status;

-- name: delivery-delete-shop
DELETE FROM webhook_deliveries WHERE workspace_id = $1 AND shop_id = $2;

-- name: variant-delete-product
DELETE FROM product_variants WHERE workspace_id = $1 AND shop_id = $2 AND product_id = $3;

-- name: variant-upsert
-- A variant sent on its own (a WooCommerce variation) carries its own
-- modification time: an older one than what is stored changes nothing.
-- stock_at is the time of the stock figure, which inventory levels compare
-- with (variant-set-stock).
INSERT INTO product_variants (workspace_id, shop_id, id, product_id, inventory_item_id, sku, title, price_minor, stock,
    stock_managed, updated_at, stock_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (workspace_id, shop_id, id) DO UPDATE SET
    product_id = excluded.product_id, inventory_item_id = excluded.inventory_item_id, sku = excluded.sku,
    title = excluded.title, price_minor = excluded.price_minor, stock = excluded.stock,
    stock_managed = excluded.stock_managed, updated_at = excluded.updated_at, stock_at = excluded.stock_at
WHERE excluded.updated_at >= product_variants.updated_at;

-- name: variant-product
SELECT product_id FROM product_variants WHERE workspace_id = $1 AND shop_id = $2 AND id = $3;

-- name: variant-set-stock
-- $5 is the level's own time: a level older than the stored figure changes
-- nothing (equal times apply).
UPDATE product_variants SET stock = $4, stock_at = $5
WHERE workspace_id = $1 AND shop_id = $2 AND inventory_item_id = $3 AND stock_at <= $5
RETURNING product_id;

-- name: variant-by-inventory
SELECT product_id FROM product_variants WHERE workspace_id = $1 AND shop_id = $2 AND inventory_item_id = $3 LIMIT 1;

-- name: product-restock
-- A product's stock is the sum over its variants.
UPDATE products SET stock = (
    SELECT coalesce(sum(max(stock, 0)), 0) FROM product_variants WHERE workspace_id = $1 AND product_id = $2
), updated_at = $3
WHERE workspace_id = $1 AND id = $2;

-- name: product-set-status
UPDATE products SET status = $4, updated_at = $5 WHERE workspace_id = $1 AND shop_id = $2 AND external_id = $3;

-- name: sync-get
SELECT shop_id, kind, workspace_id, status, cursor, since, done, error, started_at, updated_at, last_success_at
FROM shop_syncs WHERE shop_id = $1 AND kind = $2;

-- name: sync-list
SELECT shop_id, kind, workspace_id, status, cursor, since, done, error, started_at, updated_at, last_success_at
FROM shop_syncs WHERE workspace_id = $1 AND shop_id = $2 ORDER BY kind;

-- name: sync-put
INSERT INTO shop_syncs (shop_id, kind, workspace_id, status, cursor, since, done, error, started_at, updated_at, last_success_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (shop_id, kind) DO UPDATE SET
    status = excluded.status, cursor = excluded.cursor, since = excluded.since, done = excluded.done,
    error = excluded.error, started_at = excluded.started_at, updated_at = excluded.updated_at,
    last_success_at = excluded.last_success_at;

-- name: privacy-create
INSERT INTO privacy_requests (id, workspace_id, shop_id, kind, request, created_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: privacy-complete
UPDATE privacy_requests SET status = 'done', contact_id = $3, export = $4, summary = $5, completed_at = $6
WHERE workspace_id = $1 AND id = $2;

-- name: privacy-get
SELECT id, workspace_id, shop_id, kind, request, status, contact_id, summary, created_at, completed_at
FROM privacy_requests WHERE workspace_id = $1 AND id = $2;

-- name: privacy-list
SELECT id, workspace_id, shop_id, kind, request, status, contact_id, summary, created_at, completed_at
FROM privacy_requests WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200;

-- name: privacy-export
SELECT export FROM privacy_requests WHERE workspace_id = $1 AND id = $2 AND status = 'done';

-- name: cart-token-put
INSERT INTO cart_tokens (workspace_id, token, visitor_id, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, token) DO NOTHING;

-- name: cart-token-visitor
SELECT visitor_id FROM cart_tokens WHERE workspace_id = $1 AND token = $2;

-- Erasure. A contact is erased together with the contacts merged into it;
-- its events go by contact and by each of its visitor ids, so events the
-- processor has not attributed yet go too.

-- name: erase-merged-contacts
SELECT id FROM contacts WHERE workspace_id = $1 AND merged_into = $2;

-- name: erase-events-contact
DELETE FROM events WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-events-visitor
DELETE FROM events WHERE workspace_id = $1 AND visitor_id = $2;

-- name: erase-orders-person
DELETE FROM orders WHERE workspace_id = $1 AND (($2 <> '' AND email = $2) OR ($3 <> '' AND customer_id = $3) OR ($4 <> '' AND visitor_id = $4));

-- name: erase-checkouts-person
DELETE FROM checkouts WHERE workspace_id = $1 AND (($2 <> '' AND email = $2) OR ($3 <> '' AND customer_id = $3) OR ($4 <> '' AND visitor_id = $4));

-- name: erase-order-external
DELETE FROM orders WHERE workspace_id = $1 AND shop_id = $2 AND external_id = $3;

-- name: erase-cart-tokens-visitor
DELETE FROM cart_tokens WHERE workspace_id = $1 AND visitor_id = $2;

-- name: erase-identities
DELETE FROM identities WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-consents
DELETE FROM consents WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-profile
DELETE FROM profiles WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-contact
DELETE FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: erase-shop-products
DELETE FROM products WHERE workspace_id = $1 AND shop_id = $2;

-- name: erase-shop-variants
DELETE FROM product_variants WHERE workspace_id = $1 AND shop_id = $2;

-- name: erase-shop-orders
DELETE FROM orders WHERE workspace_id = $1 AND shop_id = $2;

-- name: erase-shop-checkouts
DELETE FROM checkouts WHERE workspace_id = $1 AND shop_id = $2;

-- name: erase-shop-syncs
DELETE FROM shop_syncs WHERE workspace_id = $1 AND shop_id = $2;

-- name: erase-shop-row
UPDATE shops SET status = 'redacted', access_token_enc = '', webhook_secret_enc = '', updated_at = $3
WHERE workspace_id = $1 AND id = $2;

-- name: erase-workspace-events
DELETE FROM events WHERE workspace_id = $1;

-- name: erase-workspace-identities
DELETE FROM identities WHERE workspace_id = $1;

-- name: erase-workspace-consents
DELETE FROM consents WHERE workspace_id = $1;

-- name: erase-workspace-profiles
DELETE FROM profiles WHERE workspace_id = $1;

-- name: erase-workspace-contacts
DELETE FROM contacts WHERE workspace_id = $1;

-- name: erase-workspace-cart-tokens
DELETE FROM cart_tokens WHERE workspace_id = $1;

-- name: erase-workspace-exports
UPDATE privacy_requests SET export = NULL WHERE workspace_id = $1;

-- name: erase-step-runs-contact
DELETE FROM step_runs WHERE workspace_id = $1
  AND enrollment_id IN (SELECT id FROM enrollments WHERE workspace_id = $1 AND contact_id = $2);

-- name: erase-enrollments-contact
DELETE FROM enrollments WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-flow-entries-contact
DELETE FROM flow_entries WHERE workspace_id = $1 AND contact_id = $2;

-- name: erase-workspace-step-runs
DELETE FROM step_runs WHERE workspace_id = $1;

-- name: erase-workspace-enrollments
DELETE FROM enrollments WHERE workspace_id = $1;

-- name: erase-workspace-flow-entries
DELETE FROM flow_entries WHERE workspace_id = $1;

-- name: erase-workspace-push
DELETE FROM push_subscriptions WHERE workspace_id = $1;

-- name: erase-push-visitor
DELETE FROM push_subscriptions WHERE workspace_id = $1 AND visitor_id = $2;

-- name: delivery-prune
-- Processed deliveries older than $1 go; failed ones stay until $2, so an
-- admin can still see why they failed.
DELETE FROM webhook_deliveries
WHERE (status IN ('done', 'ignored') AND received_at < $1) OR (status = 'failed' AND received_at < $2);
