-- Archiving a flow (store/flow_archive.go).

-- name: enrollments-end-flow
-- Ends every unfinished enrollment of flow $2 with status $3; their
-- pending step jobs then find them ended and do nothing.
UPDATE enrollments SET status = $3, next_at = 0, updated_at = $4, completed_at = $4
WHERE workspace_id = $1 AND flow_id = $2 AND status IN ('active', 'paused');
