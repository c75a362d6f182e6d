-- name: user-create
INSERT INTO users (id, email, name, password_hash, locale, instance_admin, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7);

-- name: user-get
SELECT id, email, name, password_hash, locale, instance_admin, created_at, updated_at FROM users WHERE id = $1;

-- name: user-by-email
SELECT id, email, name, password_hash, locale, instance_admin, created_at, updated_at FROM users WHERE email = $1;

-- name: user-count
SELECT count(*) FROM users;

-- name: user-set-password
UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1;

-- name: user-set-locale
UPDATE users SET locale = $2, updated_at = $3 WHERE id = $1;

-- name: membership-put
INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role;

-- name: membership-delete
DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2;

-- name: membership-list-user
SELECT workspace_id, user_id, role, created_at FROM memberships WHERE user_id = $1 ORDER BY created_at;

-- name: membership-list-workspace
SELECT m.workspace_id, m.user_id, m.role, m.created_at, u.email, u.name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1 ORDER BY u.email;

-- name: console-session-create
INSERT INTO console_sessions (id_hash, user_id, csrf, frame_ancestors, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: console-session-get
SELECT user_id, csrf, frame_ancestors, created_at, expires_at FROM console_sessions WHERE id_hash = $1;

-- name: console-session-delete
DELETE FROM console_sessions WHERE id_hash = $1;

-- name: console-session-delete-user
-- A password change signs the person out everywhere else.
DELETE FROM console_sessions WHERE user_id = $1 AND id_hash <> $2;

-- name: console-session-prune
DELETE FROM console_sessions WHERE expires_at < $1;

-- name: account-link-create
INSERT INTO account_links (hash, purpose, user_id, email, workspace_id, role, created_by, created_at, expires_at, used_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: account-link-get
SELECT hash, purpose, user_id, email, workspace_id, role, created_by, created_at, expires_at, used_at
FROM account_links WHERE hash = $1;

-- name: account-link-use
-- Single use: the first request to mark it wins.
UPDATE account_links SET used_at = $2 WHERE hash = $1 AND used_at = 0;

-- name: account-link-revoke-purpose
UPDATE account_links SET used_at = $2 WHERE purpose = $1 AND used_at = 0;

-- name: audit-insert
INSERT INTO audit_log (workspace_id, user_id, user_email, action, target, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: audit-list
SELECT id, workspace_id, user_id, user_email, action, target, detail, at FROM audit_log
WHERE workspace_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3;
