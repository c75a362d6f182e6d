-- name: trigger-fire-insert
INSERT INTO trigger_fires (workspace_id, contact_id, key, fired_at) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;
