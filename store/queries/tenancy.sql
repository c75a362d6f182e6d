-- name: setting-get
SELECT value FROM settings WHERE key = $1;

-- name: setting-set
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;

-- name: workspace-create
INSERT INTO workspaces (id, name, site_key, timezone, currency, locale, require_consent, allowed_origins, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9);

-- name: workspace-get
SELECT id, name, site_key, timezone, currency, locale, require_consent, allowed_origins, created_at, updated_at
FROM workspaces WHERE id = $1;

-- name: workspace-by-site-key
SELECT id, name, site_key, timezone, currency, locale, require_consent, allowed_origins, created_at, updated_at
FROM workspaces WHERE site_key = $1;

-- name: workspace-list
SELECT id, name, site_key, timezone, currency, locale, require_consent, allowed_origins, created_at, updated_at
FROM workspaces ORDER BY created_at, id;

-- name: workspace-update
UPDATE workspaces SET name = $2, timezone = $3, currency = $4, locale = $5, require_consent = $6,
    allowed_origins = $7, updated_at = $8
WHERE id = $1;

-- name: api-key-create
INSERT INTO api_keys (id, workspace_id, scope, name, prefix, token_hash, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: api-key-by-hash
SELECT id, workspace_id, scope, name, prefix, created_at, last_used_at, revoked_at
FROM api_keys WHERE token_hash = $1;

-- name: api-key-list
SELECT id, workspace_id, scope, name, prefix, created_at, last_used_at, revoked_at
FROM api_keys WHERE workspace_id = $1 AND scope = $2 ORDER BY created_at, id;

-- name: api-key-revoke
UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at = 0;

-- name: api-key-touch
UPDATE api_keys SET last_used_at = $2 WHERE id = $1;

-- name: api-key-admin-count
SELECT count(*) FROM api_keys WHERE scope = 'admin' AND revoked_at = 0;

-- name: api-key-admin-by-name
SELECT id FROM api_keys WHERE scope = 'admin' AND name = $1 AND revoked_at = 0;

-- name: api-key-admin-replace-hash
UPDATE api_keys SET token_hash = $2, prefix = $3 WHERE id = $1;

-- name: shop-create
INSERT INTO shops (id, workspace_id, platform, domain, name, status, access_token_enc, webhook_secret_enc, created_at, updated_at, currency, api_url)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11);

-- name: shop-get
SELECT id, workspace_id, platform, domain, name, status, access_token_enc, webhook_secret_enc, created_at, updated_at, currency, api_url
FROM shops WHERE workspace_id = $1 AND id = $2;

-- name: shop-list
SELECT id, workspace_id, platform, domain, name, status, access_token_enc, webhook_secret_enc, created_at, updated_at, currency, api_url
FROM shops WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: shop-by-domain
SELECT id, workspace_id, platform, domain, name, status, access_token_enc, webhook_secret_enc, created_at, updated_at, currency, api_url
FROM shops WHERE platform = $1 AND domain = $2;

-- name: shop-update
UPDATE shops SET name = $3, status = $4, access_token_enc = $5, webhook_secret_enc = $6, updated_at = $7,
    currency = $8, api_url = $9
WHERE workspace_id = $1 AND id = $2;

-- name: shop-by-id
-- Webhook endpoints name the shop in the URL and have no workspace yet.
SELECT id, workspace_id, platform, domain, name, status, access_token_enc, webhook_secret_enc, created_at, updated_at, currency, api_url
FROM shops WHERE id = $1;

-- name: setting-insert
-- Set once: two replicas starting together keep the first value written.
INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING;
