-- The lists behind the dashboard's figures (store/dashboard_drill.go). Each
-- list has a totals query with the very same conditions as the figure it
-- opens from, so that the count on the list is the figure clicked.

-- name: drill-attributed
-- Orders credited to messages made in [$2, $3): currency $4 and channel $5
-- ('' = any); $6 = 1 keeps only messages of cart and checkout flows (the
-- recovered carts and checkouts). Newest first after ($7, $8).
SELECT m.id, m.channel, m.flow_id, coalesce(f.name, ''), m.contact_id, coalesce(c.email, ''), m.order_id,
    coalesce(o.number, ''), coalesce(o.checkout_token, ''), m.currency, m.revenue_minor, m.created_at
FROM messages m
LEFT JOIN flows f ON f.workspace_id = m.workspace_id AND f.id = m.flow_id
LEFT JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
LEFT JOIN orders o ON o.workspace_id = m.workspace_id AND o.id = m.order_id
WHERE m.workspace_id = $1 AND m.created_at >= $2 AND m.created_at < $3 AND m.order_id <> ''
  AND ($4 = '' OR m.currency = $4) AND ($5 = '' OR m.channel = $5)
  AND ($6 = 0 OR f.trigger_event IN ('checkout_updated', 'checkout_started', 'add_to_cart'))
  AND (m.created_at < $7 OR (m.created_at = $7 AND m.id < $8))
ORDER BY m.created_at DESC, m.id DESC LIMIT $9;

-- name: drill-attributed-totals
-- drill-attributed's rows counted and summed per currency.
SELECT m.currency, count(*), coalesce(sum(m.revenue_minor), 0)
FROM messages m
LEFT JOIN flows f ON f.workspace_id = m.workspace_id AND f.id = m.flow_id
WHERE m.workspace_id = $1 AND m.created_at >= $2 AND m.created_at < $3 AND m.order_id <> ''
  AND ($4 = '' OR m.currency = $4) AND ($5 = '' OR m.channel = $5)
  AND ($6 = 0 OR f.trigger_event IN ('checkout_updated', 'checkout_started', 'add_to_cart'))
GROUP BY m.currency ORDER BY 3 DESC;

-- name: drill-orders
-- Orders placed in [$2, $3), cancelled ones left out (as
-- dashboard-shop-revenue), in currency $4 ('' = any), newest first after
-- ($5, $6).
SELECT workspace_id, id, shop_id, external_id, number, email, customer_id, visitor_id, checkout_token,
    currency, subtotal_minor, discount_minor, shipping_minor, tax_minor, total_minor, financial, cancelled_at,
    items, discount_codes, placed_at, updated_at,
    status, fulfillment, refunded_minor, prices_include_tax, first_name, last_name
FROM orders
WHERE workspace_id = $1 AND placed_at >= $2 AND placed_at < $3 AND cancelled_at = 0 AND ($4 = '' OR currency = $4)
  AND (placed_at < $5 OR (placed_at = $5 AND id < $6))
ORDER BY placed_at DESC, id DESC LIMIT $7;

-- name: drill-orders-totals
SELECT currency, count(*), coalesce(sum(total_minor), 0) FROM orders
WHERE workspace_id = $1 AND placed_at >= $2 AND placed_at < $3 AND cancelled_at = 0 AND ($4 = '' OR currency = $4)
GROUP BY currency ORDER BY 3 DESC;

-- name: drill-contacts-created
-- Live contacts created in [$5, $6), newest first after the cursor.
SELECT workspace_id, id, email, phone, first_name, last_name, attributes, merged_into, created_at, updated_at
FROM contacts
WHERE workspace_id = $1 AND merged_into = '' AND created_at >= $5 AND created_at < $6
  AND (created_at < $2 OR (created_at = $2 AND id < $3))
ORDER BY created_at DESC, id DESC LIMIT $4;

-- name: drill-contacts-created-count
SELECT count(*) FROM contacts WHERE workspace_id = $1 AND merged_into = '' AND created_at >= $2 AND created_at < $3;

-- name: drill-contacts-consent
-- Live contacts whose consent on channel $5 was last set to $6 (granted or
-- withdrawn) in [$7, $8), as dashboard-consents counts them; newest
-- contact first after the cursor.
SELECT ct.workspace_id, ct.id, ct.email, ct.phone, ct.first_name, ct.last_name, ct.attributes, ct.merged_into,
    ct.created_at, ct.updated_at
FROM consents c JOIN contacts ct ON ct.workspace_id = c.workspace_id AND ct.id = c.contact_id
WHERE c.workspace_id = $1 AND c.channel = $5 AND c.granted = $6 AND c.updated_at >= $7 AND c.updated_at < $8
  AND ct.merged_into = ''
  AND (ct.created_at < $2 OR (ct.created_at = $2 AND ct.id < $3))
ORDER BY ct.created_at DESC, ct.id DESC LIMIT $4;

-- name: drill-contacts-consent-count
SELECT count(*)
FROM consents c JOIN contacts ct ON ct.workspace_id = c.workspace_id AND ct.id = c.contact_id
WHERE c.workspace_id = $1 AND c.channel = $2 AND c.granted = $3 AND c.updated_at >= $4 AND c.updated_at < $5
  AND ct.merged_into = '';

-- name: drill-messages
-- Messages made in [$5, $6) on channel $2, status $3, of contact $4 ('' =
-- any); $7 narrows to what the dashboard counts: '' none, 'delivered' sent
-- or in the outbox, 'opened' opened by a person, 'machine' opened by a
-- machine only, 'clicked' (each of those delivered, as dashboard-messages).
-- Newest first after ($8, $9).
SELECT id, workspace_id, contact_id, channel, step_key, flow_id, enrollment_id, status, recipient, subject, body, error,
    created_at, sent_at, opens, machine_opens, first_open_at, clicks, first_click_at, last_click_at, read_at,
    order_id, revenue_minor, currency
FROM messages
WHERE workspace_id = $1 AND ($2 = '' OR channel = $2) AND ($3 = '' OR status = $3) AND ($4 = '' OR contact_id = $4)
  AND created_at >= $5 AND created_at < $6
  AND ($7 = '' OR status IN ('sent', 'outbox'))
  AND ($7 <> 'opened' OR opens > 0)
  AND ($7 <> 'machine' OR (opens = 0 AND machine_opens > 0))
  AND ($7 <> 'clicked' OR clicks > 0)
  AND ($8 = 0 OR created_at < $8 OR (created_at = $8 AND id < $9))
ORDER BY created_at DESC, id DESC LIMIT $10;

-- name: drill-messages-count
SELECT count(*) FROM messages
WHERE workspace_id = $1 AND ($2 = '' OR channel = $2) AND ($3 = '' OR status = $3) AND ($4 = '' OR contact_id = $4)
  AND created_at >= $5 AND created_at < $6
  AND ($7 = '' OR status IN ('sent', 'outbox'))
  AND ($7 <> 'opened' OR opens > 0)
  AND ($7 <> 'machine' OR (opens = 0 AND machine_opens > 0))
  AND ($7 <> 'clicked' OR clicks > 0);
