-- Browser sign-in sessions (server/adminsession.go).

-- name: session-create
INSERT INTO sessions (id_hash, who, workspace_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5);

-- name: session-get
SELECT id_hash, who, workspace_id, created_at, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2;

-- name: session-delete
DELETE FROM sessions WHERE id_hash = $1;

-- name: session-delete-expired
DELETE FROM sessions WHERE expires_at <= $1;

-- name: session-delete-rotated
DELETE FROM sessions WHERE who = $1
  AND EXISTS (SELECT 1 FROM api_keys WHERE id = $2 AND token_hash <> $3);

-- name: api-key-by-id
SELECT id, workspace_id, scope, name, prefix, created_at, last_used_at, revoked_at
FROM api_keys WHERE id = $1;
