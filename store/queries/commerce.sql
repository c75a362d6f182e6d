-- name: product-upsert
-- $22 is the shop's own modification time of this version: a version older
-- than the stored one changes nothing (equal times apply, so the later
-- arrival wins). RETURNING gives no row when the update was skipped.
INSERT INTO products (workspace_id, id, shop_id, external_id, handle, title, description, vendor, category, tags,
    price_minor, compare_minor, currency, stock, image_url, url, status, replenish_days, created_at, updated_at,
    stock_managed, source_updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    external_id = excluded.external_id, handle = excluded.handle, title = excluded.title,
    description = excluded.description, vendor = excluded.vendor, category = excluded.category,
    tags = excluded.tags, price_minor = excluded.price_minor, compare_minor = excluded.compare_minor,
    currency = excluded.currency, stock = excluded.stock,
    image_url = CASE WHEN excluded.image_url <> '' THEN excluded.image_url ELSE products.image_url END,
    url = CASE WHEN excluded.url <> '' THEN excluded.url ELSE products.url END,
    status = excluded.status, replenish_days = excluded.replenish_days, updated_at = excluded.updated_at,
    stock_managed = excluded.stock_managed, source_updated_at = excluded.source_updated_at
WHERE excluded.source_updated_at >= products.source_updated_at
RETURNING id;

-- name: product-get
SELECT workspace_id, id, shop_id, external_id, handle, title, description, vendor, category, tags,
    price_minor, compare_minor, currency, stock, image_url, url, status, replenish_days, created_at, updated_at,
    stock_managed
FROM products WHERE workspace_id = $1 AND id = $2;

-- name: product-by-handle
SELECT workspace_id, id, shop_id, external_id, handle, title, description, vendor, category, tags,
    price_minor, compare_minor, currency, stock, image_url, url, status, replenish_days, created_at, updated_at,
    stock_managed
FROM products WHERE workspace_id = $1 AND shop_id = $2 AND handle = $3
ORDER BY status = 'active' DESC, source_updated_at DESC, id LIMIT 1;

-- name: product-list
-- $2 category ('' = any), $3 lower-cased search text ('' = any), $4 sort, $5 limit, $6 offset, $7 shop ('' = any).
SELECT workspace_id, id, shop_id, external_id, handle, title, description, vendor, category, tags,
    price_minor, compare_minor, currency, stock, image_url, url, status, replenish_days, created_at, updated_at,
    stock_managed
FROM products
WHERE workspace_id = $1 AND status = 'active' AND ($7 = '' OR shop_id = $7)
  AND ($2 = '' OR category = $2)
  AND ($3 = '' OR lower(title) LIKE '%' || $3 || '%' OR lower(category) LIKE '%' || $3 || '%' OR lower(tags) LIKE '%' || $3 || '%')
ORDER BY
  CASE WHEN $4 = 'newest' THEN -created_at END,
  CASE WHEN $4 = 'price_asc' THEN price_minor END,
  CASE WHEN $4 = 'price_desc' THEN -price_minor END,
  title, id
LIMIT $5 OFFSET $6;

-- name: product-count
SELECT count(*) FROM products
WHERE workspace_id = $1 AND status = 'active' AND ($4 = '' OR shop_id = $4)
  AND ($2 = '' OR category = $2)
  AND ($3 = '' OR lower(title) LIKE '%' || $3 || '%' OR lower(category) LIKE '%' || $3 || '%' OR lower(tags) LIKE '%' || $3 || '%');

-- name: product-categories
SELECT category, count(*) FROM products WHERE workspace_id = $1 AND status = 'active' AND category <> ''
GROUP BY category ORDER BY category;

-- name: order-upsert
INSERT INTO orders (workspace_id, id, shop_id, external_id, number, email, customer_id, visitor_id, checkout_token,
    currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, financial, cancelled_at,
    items, discount_codes, placed_at, updated_at,
    status, fulfillment, refunded_minor, prices_include_tax, first_name, last_name)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
    $22, $23, $24, $25, $26, $27)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    number = excluded.number, email = excluded.email, customer_id = excluded.customer_id,
    visitor_id = CASE WHEN excluded.visitor_id <> '' THEN excluded.visitor_id ELSE orders.visitor_id END,
    checkout_token = excluded.checkout_token, currency = excluded.currency,
    subtotal_minor = excluded.subtotal_minor, discount_minor = excluded.discount_minor,
    shipping_minor = excluded.shipping_minor, tax_minor = excluded.tax_minor, total_minor = excluded.total_minor,
    financial = excluded.financial, cancelled_at = excluded.cancelled_at, items = excluded.items,
    discount_codes = excluded.discount_codes, updated_at = excluded.updated_at,
    status = excluded.status, fulfillment = excluded.fulfillment, refunded_minor = excluded.refunded_minor,
    prices_include_tax = excluded.prices_include_tax,
    first_name = CASE WHEN excluded.first_name <> '' THEN excluded.first_name ELSE orders.first_name END,
    last_name = CASE WHEN excluded.last_name <> '' THEN excluded.last_name ELSE orders.last_name END;

-- name: order-get
SELECT workspace_id, id, shop_id, external_id, number, email, customer_id, visitor_id, checkout_token,
    currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, financial, cancelled_at,
    items, discount_codes, placed_at, updated_at,
    status, fulfillment, refunded_minor, prices_include_tax, first_name, last_name
FROM orders WHERE workspace_id = $1 AND id = $2;

-- name: order-list
-- $2 shop ('' = any), $3 email ('' = any); newest first, keyset on (placed_at, id) below ($4, $5).
SELECT workspace_id, id, shop_id, external_id, number, email, customer_id, visitor_id, checkout_token,
    currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, financial, cancelled_at,
    items, discount_codes, placed_at, updated_at,
    status, fulfillment, refunded_minor, prices_include_tax, first_name, last_name
FROM orders
WHERE workspace_id = $1 AND ($2 = '' OR shop_id = $2) AND ($3 = '' OR email = $3)
  AND (placed_at < $4 OR (placed_at = $4 AND id < $5))
ORDER BY placed_at DESC, id DESC LIMIT $6;

-- name: checkout-upsert
-- completed_at never goes back to 0: a completed checkout stays completed.
INSERT INTO checkouts (workspace_id, token, shop_id, email, customer_id, visitor_id, currency, subtotal_minor,
    total_minor, items, recovery_url, completed_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (workspace_id, token) DO UPDATE SET
    email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE checkouts.email END,
    customer_id = CASE WHEN excluded.customer_id <> '' THEN excluded.customer_id ELSE checkouts.customer_id END,
    visitor_id = CASE WHEN excluded.visitor_id <> '' THEN excluded.visitor_id ELSE checkouts.visitor_id END,
    currency = excluded.currency, subtotal_minor = excluded.subtotal_minor, total_minor = excluded.total_minor,
    items = excluded.items, recovery_url = excluded.recovery_url,
    completed_at = CASE WHEN checkouts.completed_at <> 0 THEN checkouts.completed_at ELSE excluded.completed_at END,
    updated_at = excluded.updated_at;

-- name: checkout-get
SELECT workspace_id, token, shop_id, email, customer_id, visitor_id, currency, subtotal_minor, total_minor,
    items, recovery_url, completed_at, created_at, updated_at
FROM checkouts WHERE workspace_id = $1 AND token = $2;

-- name: checkout-complete
-- updated_at stays the shop's own time of the last applied version, which
-- is what a later delivery is compared with.
UPDATE checkouts SET completed_at = $3 WHERE workspace_id = $1 AND token = $2 AND completed_at = 0;

-- name: checkout-completion-put
INSERT INTO checkout_completions (workspace_id, token, completed_at) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, token) DO NOTHING;

-- name: checkout-completion-get
SELECT completed_at FROM checkout_completions WHERE workspace_id = $1 AND token = $2;

-- name: checkout-list
-- $2 shop ('' = any), $3: 'open', 'completed' or '' (any); newest first, keyset below ($4, $5).
SELECT workspace_id, token, shop_id, email, customer_id, visitor_id, currency, subtotal_minor, total_minor,
    items, recovery_url, completed_at, created_at, updated_at
FROM checkouts
WHERE workspace_id = $1 AND ($2 = '' OR shop_id = $2)
  AND ($3 = '' OR ($3 = 'open' AND completed_at = 0) OR ($3 = 'completed' AND completed_at <> 0))
  AND (updated_at < $4 OR (updated_at = $4 AND token < $5))
ORDER BY updated_at DESC, token DESC LIMIT $6;
