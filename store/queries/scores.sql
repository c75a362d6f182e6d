-- Scores and predictions per contact (issue 15, personalization/scores).

-- RFM and predictions of one contact, leaving what the score processor
-- keeps (engagement, preferences) as it is.
-- name: score-put-orders
INSERT INTO contact_scores (workspace_id, contact_id, rfm_r, rfm_f, rfm_m, rfm_cell, recency_days,
    order_count, revenue, last_order_at, p_alive, churn_risk, p_order_30, p_order_90,
    expected_orders_30, expected_orders_90, expected_spend_90, clv, clv_tier, next_order_at,
    prediction_confidence, scored_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)
ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
    rfm_r = excluded.rfm_r, rfm_f = excluded.rfm_f, rfm_m = excluded.rfm_m, rfm_cell = excluded.rfm_cell,
    recency_days = excluded.recency_days, order_count = excluded.order_count, revenue = excluded.revenue,
    last_order_at = excluded.last_order_at, p_alive = excluded.p_alive, churn_risk = excluded.churn_risk,
    p_order_30 = excluded.p_order_30, p_order_90 = excluded.p_order_90,
    expected_orders_30 = excluded.expected_orders_30, expected_orders_90 = excluded.expected_orders_90,
    expected_spend_90 = excluded.expected_spend_90, clv = excluded.clv, clv_tier = excluded.clv_tier,
    next_order_at = excluded.next_order_at, prediction_confidence = excluded.prediction_confidence,
    scored_at = excluded.scored_at, updated_at = excluded.updated_at;

-- Engagement and preferences of one contact, leaving RFM and predictions.
-- name: score-put-activity
INSERT INTO contact_scores (workspace_id, contact_id, engagement, engagement_at, top_categories, top_brands,
    price_band, prefs, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
    engagement = excluded.engagement, engagement_at = excluded.engagement_at,
    top_categories = excluded.top_categories, top_brands = excluded.top_brands,
    price_band = excluded.price_band, prefs = excluded.prefs, updated_at = excluded.updated_at;

-- A refit clears what it did not rescore: contacts whose orders were all
-- cancelled or moved to another contact since.
-- name: score-clear-stale
UPDATE contact_scores SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL, rfm_cell = NULL, recency_days = NULL,
    order_count = 0, revenue = 0, last_order_at = NULL, p_alive = NULL, churn_risk = NULL,
    p_order_30 = NULL, p_order_90 = NULL, expected_orders_30 = NULL, expected_orders_90 = NULL,
    expected_spend_90 = NULL, clv = NULL, clv_tier = NULL, next_order_at = NULL,
    prediction_confidence = NULL, scored_at = $2, updated_at = $2
WHERE workspace_id = $1 AND scored_at < $2 AND order_count > 0;

-- name: score-get
SELECT workspace_id, contact_id, rfm_r, rfm_f, rfm_m, rfm_cell, recency_days, order_count, revenue,
    last_order_at, engagement, engagement_at, p_alive, churn_risk, p_order_30, p_order_90,
    expected_orders_30, expected_orders_90, expected_spend_90, clv, clv_tier, next_order_at,
    prediction_confidence, top_categories, top_brands, price_band, prefs, scored_at, updated_at
FROM contact_scores WHERE workspace_id = $1 AND contact_id = $2;

-- A page of a workspace's score rows by contact id, for the refit's decay
-- of engagement and its new price bands.
-- name: score-activity-page
SELECT contact_id, engagement, engagement_at, prefs FROM contact_scores
WHERE workspace_id = $1 AND contact_id > $2
ORDER BY contact_id LIMIT $3;

-- name: score-rfm-cells
SELECT rfm_cell, count(*) FROM contact_scores
WHERE workspace_id = $1 AND rfm_cell IS NOT NULL
GROUP BY rfm_cell;

-- name: score-rfm-grid
SELECT rfm_r, rfm_f, count(*) FROM contact_scores
WHERE workspace_id = $1 AND rfm_r IS NOT NULL
GROUP BY rfm_r, rfm_f;

-- A page of the contacts of one RFM cell, by contact id.
-- name: score-cell-contacts
SELECT s.contact_id, c.email, c.first_name, c.last_name, s.revenue, s.order_count, s.clv
FROM contact_scores s JOIN contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id
WHERE s.workspace_id = $1 AND s.rfm_cell = $2 AND s.contact_id > $3 AND c.merged_into = ''
ORDER BY s.contact_id LIMIT $4;

-- name: score-model-get
SELECT params, fitted_at FROM score_models WHERE workspace_id = $1;

-- name: score-model-put
INSERT INTO score_models (workspace_id, params, fitted_at) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id) DO UPDATE SET params = excluded.params, fitted_at = excluded.fitted_at;

-- Every order of the workspace that was not cancelled, with its contact as
-- sweep-purchases resolves it (the visitor who placed it, else its email),
-- and its value net of refunds.
-- name: score-orders-workspace
SELECT COALESCE(v.contact_id, m.contact_id, ''), o.placed_at, o.total_minor - o.refunded_minor, o.items
FROM orders o
LEFT JOIN identities v ON v.workspace_id = o.workspace_id AND v.kind = 'visitor'
    AND o.visitor_id <> '' AND v.value = o.visitor_id
LEFT JOIN identities m ON m.workspace_id = o.workspace_id AND m.kind = 'email'
    AND o.email <> '' AND m.value = lower(trim(o.email))
WHERE o.workspace_id = $1 AND o.cancelled_at = 0;

-- One contact's orders, resolved as score-orders-workspace resolves them:
-- candidates by the contact's visitors and emails (indexes of 0025), kept
-- when the contact is the one the graph gives the order.
-- name: score-orders-contact
SELECT o.placed_at, o.total_minor - o.refunded_minor
FROM orders o
LEFT JOIN identities v ON v.workspace_id = o.workspace_id AND v.kind = 'visitor'
    AND o.visitor_id <> '' AND v.value = o.visitor_id
LEFT JOIN identities m ON m.workspace_id = o.workspace_id AND m.kind = 'email'
    AND o.email <> '' AND m.value = lower(trim(o.email))
WHERE o.workspace_id = $1 AND o.cancelled_at = 0
    AND (o.visitor_id IN (SELECT value FROM identities WHERE workspace_id = $1 AND kind = 'visitor' AND contact_id = $2)
      OR lower(trim(o.email)) IN (SELECT value FROM identities WHERE workspace_id = $1 AND kind = 'email' AND contact_id = $2))
    AND COALESCE(v.contact_id, m.contact_id, '') = $2;

-- Prices of the workspace's active products, for the price bands.
-- name: score-catalog-prices
SELECT price_minor FROM products WHERE workspace_id = $1 AND status = 'active' AND price_minor > 0;

-- name: score-product-facets
SELECT category, vendor, price_minor FROM products WHERE workspace_id = $1 AND id = $2;
