-- name: variant-list
-- A product's variants, in the shop's order of creation (numeric ids).
SELECT id, inventory_item_id, sku, title, price_minor, stock, stock_managed, updated_at
FROM product_variants WHERE workspace_id = $1 AND shop_id = $2 AND product_id = $3
ORDER BY length(id), id;

-- name: variant-link
-- A variant named by its product's payload without details (WooCommerce
-- lists variation ids): tied to the product, its details kept.
INSERT INTO product_variants (workspace_id, shop_id, id, product_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, shop_id, id) DO UPDATE SET product_id = excluded.product_id;

-- name: variant-delete
DELETE FROM product_variants WHERE workspace_id = $1 AND shop_id = $2 AND id = $3;
