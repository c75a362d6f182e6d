-- name: discount-code-create
INSERT INTO discount_codes (workspace_id, code, shop_id, percent, amount_minor, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: discount-code-get
SELECT workspace_id, code, shop_id, percent, amount_minor, expires_at, created_at, order_id, redeemed_at
FROM discount_codes WHERE workspace_id = $1 AND code = $2;

-- name: discount-code-redeem
-- Once: only a code no order has taken yet (or this order again).
UPDATE discount_codes SET order_id = $3, redeemed_at = $4
WHERE workspace_id = $1 AND code = $2 AND (order_id = '' OR order_id = $3);

-- name: discount-code-release
UPDATE discount_codes SET order_id = '', redeemed_at = 0 WHERE workspace_id = $1 AND code = $2 AND order_id = $3;

-- name: erase-shop-discount-codes
DELETE FROM discount_codes WHERE workspace_id = $1 AND shop_id = $2;
