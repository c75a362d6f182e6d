-- name: write-probe-insert
-- The padding needs fresh pages: a full database refuses it the way it
-- refuses a batch of events.
INSERT INTO write_probe (id, pad) VALUES (1, zeroblob($1))
ON CONFLICT (id) DO UPDATE SET pad = excluded.pad;

-- name: write-probe-delete
DELETE FROM write_probe WHERE id = 1;
