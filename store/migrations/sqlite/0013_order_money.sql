-- Order money and state as the shop shows them, and stock the shop does not
-- count (WooCommerce's connector fixes, issue 19).
--
-- orders.status is the shop's own order status ("on-hold", "completed"),
-- fulfillment tells "completed" from "processing", refunded_minor sums the
-- order's refunds (revenue is total_minor - refunded_minor), and
-- prices_include_tax says whether subtotal and item prices are gross, as the
-- shopper saw them. first_name and last_name name guest buyers too.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN fulfillment TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN prices_include_tax INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN last_name TEXT NOT NULL DEFAULT '';

-- stock_managed 0: the shop does not count this product's (variant's) stock;
-- stock is then 1 while the shop sells it and 0 when it is out of stock, so
-- that stock > 0 keeps meaning "can be bought", and the API shows no count.
ALTER TABLE products ADD COLUMN stock_managed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE product_variants ADD COLUMN stock_managed INTEGER NOT NULL DEFAULT 1;
-- A WooCommerce variation's own modification time: a variation delivery
-- older than the stored one changes nothing.
ALTER TABLE product_variants ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
