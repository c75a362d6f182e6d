-- Which browsers proved who they are (docs/tracker.md, "What identification
-- reveals"). A page-side identify links a visitor to a contact in the
-- identity graph, but anybody can type anybody's email: a contact's private
-- data (inbox, codes, recently viewed from other devices) is served only to
-- a browser with a binding here to that very contact, made from a proof
-- (a signed link the contact received, the shop's signed statement of its
-- logged-in customer, a double opt-in confirmation), until it expires.
CREATE TABLE visitor_verifications (
    workspace_id TEXT NOT NULL,
    visitor_id   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    -- email_link, push_link, double_opt_in, shopify_app_proxy, woocommerce_login
    source       TEXT NOT NULL,
    verified_at  INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, visitor_id)
);
CREATE INDEX visitor_verifications_contact ON visitor_verifications (workspace_id, contact_id);

-- Single-use proofs already exchanged, kept until they would have expired
-- anyway: a link token copied out of a URL (history, analytics, a shared
-- screenshot) verifies no second browser.
CREATE TABLE visitor_proofs_used (
    workspace_id TEXT NOT NULL,
    proof_id     TEXT NOT NULL,
    visitor_id   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, proof_id)
);
CREATE INDEX visitor_proofs_used_expiry ON visitor_proofs_used (expires_at);
