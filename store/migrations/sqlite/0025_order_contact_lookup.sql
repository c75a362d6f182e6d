-- Scoring one contact after an order (issue 15) reads that contact's orders
-- by the visitors and emails the identity graph gives it; without these
-- each order event would scan the workspace's orders.
CREATE INDEX orders_visitor ON orders (workspace_id, visitor_id) WHERE visitor_id <> '';
CREATE INDEX orders_email_norm ON orders (workspace_id, lower(trim(email))) WHERE email <> '';
