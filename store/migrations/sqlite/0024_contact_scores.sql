-- Scores and predictions per contact (issue 15). One row per contact, plain
-- columns so segment conditions and flow conditions can compare them in SQL
-- without parsing JSON. A NULL prediction column means "not enough history
-- for a prediction", never zero: a contact without orders, or a workspace
-- whose models could not be fitted, gets NULLs rather than a made-up figure.
CREATE TABLE contact_scores (
    workspace_id  TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    -- RFM quintiles within the workspace, 1 (worst) to 5 (best); NULL for a
    -- contact without orders. rfm_cell is the named cell (docs/scores.md):
    -- champions, loyal, potential_loyalists, new, promising,
    -- need_attention, about_to_sleep, at_risk, cant_lose_them,
    -- hibernating, lost.
    rfm_r         INTEGER,
    rfm_f         INTEGER,
    rfm_m         INTEGER,
    rfm_cell      TEXT,
    -- Days since the last order, order days and total spend behind RFM.
    recency_days  INTEGER,
    order_count   INTEGER NOT NULL DEFAULT 0,
    revenue       REAL NOT NULL DEFAULT 0,
    last_order_at INTEGER,
    -- Engagement: decayed sum of clicks, visits and orders (never machine
    -- opens), as of engagement_at (ms); decays further with time.
    engagement    REAL NOT NULL DEFAULT 0,
    engagement_at INTEGER NOT NULL DEFAULT 0,
    -- Predictions (BG/NBD + Gamma–Gamma, personalization/predict); NULL
    -- when the contact or the workspace has too little history.
    p_alive            REAL,
    churn_risk         REAL,
    p_order_30         REAL,
    p_order_90         REAL,
    expected_orders_30 REAL,
    expected_orders_90 REAL,
    expected_spend_90  REAL,
    clv                REAL,
    -- clv_tier: 'high', 'medium', 'low' by the workspace's CLV tertiles.
    clv_tier           TEXT,
    next_order_at      INTEGER,
    -- How sure: 'high', 'medium', 'low' (docs/scores.md says when).
    prediction_confidence TEXT,
    -- When RFM and the predictions were last computed (refit or an order).
    scored_at          INTEGER NOT NULL DEFAULT 0,
    -- Product preferences, recency-weighted: JSON arrays of up to three
    -- names, strongest first (e.g. ["Coffee","Tea"]); price_band 'budget',
    -- 'mid' or 'premium' against the catalogue's price tertiles.
    top_categories TEXT NOT NULL DEFAULT '[]',
    top_brands     TEXT NOT NULL DEFAULT '[]',
    price_band     TEXT,
    -- The score processor's running state (decayed preference weights,
    -- the last visit's session); internal, not for conditions.
    prefs          TEXT NOT NULL DEFAULT '{}',
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX contact_scores_cell ON contact_scores (workspace_id, rfm_cell);

-- Fitted model parameters per workspace, refitted on a schedule; scoring a
-- single contact between refits uses these.
CREATE TABLE score_models (
    workspace_id TEXT PRIMARY KEY,
    params       TEXT NOT NULL,
    fitted_at    INTEGER NOT NULL
);
