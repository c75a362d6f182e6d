-- On-site widgets (pop-ups, recommendation frames, the inbox): their
-- definitions, their daily statistics per variant, what each visitor has
-- seen of them (caps survive a restart), and visitors' wishlists.

-- kind: popup | frame | inbox. status: draft | active | paused.
-- definition is the widget as the admin API takes it (docs/widgets.md);
-- template names the ready-made widget it was made from, if any.
CREATE TABLE widgets (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    definition   TEXT NOT NULL,
    template     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- day is days since 1970-01-01 (UTC). Written by the personalization
-- processor, one transaction per batch together with its checkpoint.
CREATE TABLE widget_stats (
    workspace_id  TEXT NOT NULL,
    widget_id     TEXT NOT NULL,
    variant       TEXT NOT NULL,
    day           INTEGER NOT NULL,
    impressions   INTEGER NOT NULL DEFAULT 0,
    clicks        INTEGER NOT NULL DEFAULT 0,
    closes        INTEGER NOT NULL DEFAULT 0,
    submissions   INTEGER NOT NULL DEFAULT 0,
    conversions   INTEGER NOT NULL DEFAULT 0,
    revenue_minor INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, widget_id, variant, day)
);

-- One row per visitor and widget the visitor has seen: what caps and
-- conversion attribution need. Read by point lookup when a visitor is
-- first seen after a start, never scanned.
CREATE TABLE widget_visitors (
    workspace_id  TEXT NOT NULL,
    visitor_id    TEXT NOT NULL,
    widget_id     TEXT NOT NULL,
    variant       TEXT NOT NULL DEFAULT '',
    shown_at      INTEGER NOT NULL DEFAULT 0,
    shown_session TEXT NOT NULL DEFAULT '',
    shows         INTEGER NOT NULL DEFAULT 0,
    closed_at     INTEGER NOT NULL DEFAULT 0,
    submitted_at  INTEGER NOT NULL DEFAULT 0,
    converted_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, visitor_id, widget_id)
);

-- A visitor's wishlist (the heart on product pages), folded from
-- wishlist_added / wishlist_removed events. Keyed by the browser's visitor
-- id, so it survives identification.
CREATE TABLE wishlists (
    workspace_id TEXT NOT NULL,
    visitor_id   TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, visitor_id, product_id)
);
