-- Recovery flows (issue 13): finding the order of a checkout, and the
-- discount codes flow steps made.

-- An abandoned-checkout flow asks, at enrolment and before each send,
-- whether an order of the checkout exists (webhooks are not ordered: the
-- order may be stored before the checkout's last update).
CREATE INDEX orders_checkout_token ON orders (workspace_id, checkout_token) WHERE checkout_token <> '';

-- The discount code a flow's discount step made, keyed on its step
-- (enrollment/step): a retried step finds its code here instead of asking
-- the shop again.
CREATE TABLE flow_discount_codes (
    workspace_id TEXT NOT NULL,
    step_key     TEXT NOT NULL,
    code         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, step_key)
);
