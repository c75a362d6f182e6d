-- A widget's last click by a visitor: an order is credited to the widget
-- last clicked within the attribution window (docs/widgets.md), views alone
-- earn nothing.
ALTER TABLE widget_visitors ADD COLUMN clicked_at INTEGER NOT NULL DEFAULT 0;

-- Discount codes Cartwheel keeps itself, for a shop whose checkout reads
-- them from Cartwheel (the demo's): made through the connectors like a
-- platform's codes, redeemed once by an order. No personal data: a code is
-- single-use rather than bound to an address.
CREATE TABLE discount_codes (
    workspace_id  TEXT NOT NULL,
    code          TEXT NOT NULL,
    shop_id       TEXT NOT NULL,
    percent       INTEGER NOT NULL DEFAULT 0,
    amount_minor  INTEGER NOT NULL DEFAULT 0,
    expires_at    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    order_id      TEXT NOT NULL DEFAULT '',
    redeemed_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, code)
);
