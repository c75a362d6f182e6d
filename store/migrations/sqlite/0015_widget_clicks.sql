-- A widget's last click by a visitor: an order is credited to the widget
-- last clicked within the attribution window (docs/widgets.md), views alone
-- earn nothing.
ALTER TABLE widget_visitors ADD COLUMN clicked_at INTEGER NOT NULL DEFAULT 0;
