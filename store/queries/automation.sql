-- Flows, their versions, enrollments, step runs and re-entry bookkeeping.
-- Enrollment statuses named here ('active', 'paused') are automation's:
-- 'paused' is an enrollment held at its next step while its flow is paused.

-- name: flow-create
INSERT INTO flows (workspace_id, id, name, status, version, trigger_event, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7);

-- name: flow-version-insert
INSERT INTO flow_versions (workspace_id, flow_id, version, name, definition, goal_event, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: flow-get
-- A flow as it stands: the head with its newest version's definition.
SELECT f.workspace_id, f.id, f.name, f.status, f.version, f.version, f.trigger_event, v.definition, f.created_at, f.updated_at
FROM flows f JOIN flow_versions v ON v.workspace_id = f.workspace_id AND v.flow_id = f.id AND v.version = f.version
WHERE f.workspace_id = $1 AND f.id = $2;

-- name: flow-get-version
-- One version of a flow (what an enrollment on it runs), with the flow's
-- current status; updated_at is when that version was written.
SELECT f.workspace_id, f.id, v.name, f.status, v.version, f.version, f.trigger_event, v.definition, f.created_at, v.created_at
FROM flows f JOIN flow_versions v ON v.workspace_id = f.workspace_id AND v.flow_id = f.id
WHERE f.workspace_id = $1 AND f.id = $2 AND v.version = $3;

-- name: flow-list
SELECT f.workspace_id, f.id, f.name, f.status, f.version, f.version, f.trigger_event, v.definition, f.created_at, f.updated_at
FROM flows f JOIN flow_versions v ON v.workspace_id = f.workspace_id AND v.flow_id = f.id AND v.version = f.version
WHERE f.workspace_id = $1 ORDER BY f.created_at, f.id;

-- name: flow-list-triggered
-- The active flows an event of type $2 may start: asked for every event
-- the automation processor reads, so it is one index range (flows_trigger).
SELECT f.workspace_id, f.id, f.name, f.status, f.version, f.version, f.trigger_event, v.definition, f.created_at, f.updated_at
FROM flows f JOIN flow_versions v ON v.workspace_id = f.workspace_id AND v.flow_id = f.id AND v.version = f.version
WHERE f.workspace_id = $1 AND f.status = 'active' AND f.trigger_event = $2 ORDER BY f.created_at, f.id;

-- name: flow-event-types
-- The event types automation looks at in a workspace: active flows'
-- triggers, and the goal of every version (enrollments may run on any).
-- The processor asks once a batch and skips every other event unread.
SELECT trigger_event FROM flows WHERE workspace_id = $1 AND status = 'active'
UNION
SELECT goal_event FROM flow_versions WHERE workspace_id = $1 AND goal_event <> '';

-- name: flow-head-version
SELECT version FROM flows WHERE workspace_id = $1 AND id = $2;

-- name: flow-update-head
UPDATE flows SET name = $3, version = $4, trigger_event = $5, updated_at = $6 WHERE workspace_id = $1 AND id = $2;

-- name: flow-status-get
SELECT status FROM flows WHERE workspace_id = $1 AND id = $2;

-- name: flow-status-set
UPDATE flows SET status = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2;

-- name: enrollment-insert
-- A replayed trigger event (same flow, contact and event) inserts nothing.
INSERT INTO enrollments (id, workspace_id, flow_id, flow_version, contact_id, trigger_event_id, status, current_step,
    next_at, created_at, updated_at, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 0)
ON CONFLICT (workspace_id, flow_id, contact_id, trigger_event_id) WHERE trigger_event_id > 0 DO NOTHING;

-- name: enrollment-get
SELECT id, workspace_id, flow_id, flow_version, contact_id, trigger_event_id, status, current_step, next_at,
    created_at, updated_at, completed_at
FROM enrollments WHERE workspace_id = $1 AND id = $2;

-- name: enrollment-list-flow
-- A flow's enrollments newest first, keyset-paged below ($3, $4).
SELECT id, workspace_id, flow_id, flow_version, contact_id, trigger_event_id, status, current_step, next_at,
    created_at, updated_at, completed_at
FROM enrollments WHERE workspace_id = $1 AND flow_id = $2 AND (created_at < $3 OR (created_at = $3 AND id < $4))
ORDER BY created_at DESC, id DESC LIMIT $5;

-- name: enrollment-list-goal
-- A contact's unfinished enrollments whose version's goal is an event of
-- type $3 and that began before log offset $4 (an event never ends the run
-- it started, nor one started after it).
SELECT e.id, e.workspace_id, e.flow_id, e.flow_version, e.contact_id, e.trigger_event_id, e.status, e.current_step,
    e.next_at, e.created_at, e.updated_at, e.completed_at
FROM enrollments e JOIN flow_versions v
    ON v.workspace_id = e.workspace_id AND v.flow_id = e.flow_id AND v.version = e.flow_version
WHERE e.workspace_id = $1 AND e.contact_id = $2 AND e.status IN ('active', 'paused') AND v.goal_event = $3
    AND e.trigger_event_id < $4
ORDER BY e.created_at, e.id;

-- name: enrollment-advance
-- Moves an active enrollment from step $3 to step $4 (status $5, due at
-- $6); a run that changed meanwhile (goal reached, another delivery of the
-- same step) matches no row.
UPDATE enrollments SET current_step = $4, status = $5, next_at = $6, updated_at = $7,
    completed_at = CASE WHEN $5 = 'active' THEN 0 ELSE $7 END
WHERE workspace_id = $1 AND id = $2 AND status = 'active' AND current_step = $3;

-- name: enrollment-end
UPDATE enrollments SET status = $3, next_at = 0, updated_at = $4, completed_at = $4
WHERE workspace_id = $1 AND id = $2 AND status IN ('active', 'paused');

-- name: enrollment-hold
UPDATE enrollments SET status = 'paused', updated_at = $4
WHERE workspace_id = $1 AND id = $2 AND status = 'active' AND current_step = $3;

-- name: enrollment-resume
UPDATE enrollments SET status = 'active', updated_at = $3
WHERE workspace_id = $1 AND flow_id = $2 AND status = 'paused'
RETURNING id, workspace_id, flow_id, flow_version, contact_id, trigger_event_id, status, current_step, next_at,
    created_at, updated_at, completed_at;

-- name: step-run-insert
-- The step's idempotency key is (enrollment, step): a second record of the
-- same step inserts nothing, and the caller sees zero rows affected.
INSERT INTO step_runs (enrollment_id, step_id, workspace_id, attempt, status, result, at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (enrollment_id, step_id) DO NOTHING;

-- name: step-run-get
SELECT enrollment_id, step_id, workspace_id, attempt, status, result, at
FROM step_runs WHERE workspace_id = $1 AND enrollment_id = $2 AND step_id = $3;

-- name: step-run-list
SELECT enrollment_id, step_id, workspace_id, attempt, status, result, at
FROM step_runs WHERE workspace_id = $1 AND enrollment_id = $2 ORDER BY id;

-- name: flow-entry-get
-- The contact's last entry into the flow, with that enrollment's status
-- ('' if it was pruned).
SELECT fe.enrollment_id, fe.entered_at, coalesce(e.status, '')
FROM flow_entries fe LEFT JOIN enrollments e ON e.id = fe.enrollment_id
WHERE fe.workspace_id = $1 AND fe.flow_id = $2 AND fe.contact_id = $3;

-- name: flow-entry-put
INSERT INTO flow_entries (workspace_id, flow_id, contact_id, enrollment_id, entered_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, flow_id, contact_id) DO UPDATE SET
    enrollment_id = excluded.enrollment_id, entered_at = excluded.entered_at;

-- name: event-list-contact-type
-- A contact's events of type $3 after log offset $4, oldest first: its own
-- and its visitor ids' (as event-list-contact). Steps ask it before a send
-- so that a goal reached but not yet read by the automation processor
-- still stops the message.
SELECT id, workspace_id, type, source, visitor_id, contact_id, session_id, occurred_at, received_at, props, context
FROM events WHERE id IN (
    SELECT id FROM events WHERE workspace_id = $1 AND contact_id = $2 AND id > $4 AND type = $3
    UNION
    SELECT e.id FROM identities i CROSS JOIN events e
        WHERE i.workspace_id = $1 AND i.contact_id = $2 AND i.kind = 'visitor'
          AND e.workspace_id = $1 AND e.visitor_id = i.value AND e.id > $4 AND e.type = $3
)
ORDER BY id LIMIT $5;
