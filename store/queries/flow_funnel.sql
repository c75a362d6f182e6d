-- A flow's funnel for the console: one pass per figure, over every version
-- of the flow (step ids are stable across versions).

-- name: flow-funnel-statuses
-- The flow's enrollments by status: their sum is how many entered,
-- exited_goal how many converted.
SELECT status, count(*) FROM enrollments
WHERE workspace_id = $1 AND flow_id = $2
GROUP BY status;

-- name: flow-funnel-at-step
-- Unfinished enrollments (active, or held by a pause) by the step they
-- run next.
SELECT current_step, count(*) FROM enrollments
WHERE workspace_id = $1 AND flow_id = $2 AND status IN ('active', 'paused') AND current_step <> ''
GROUP BY current_step;

-- name: flow-funnel-step-runs
-- What each step did, over the flow's enrollments: done, skipped, failed.
SELECT r.step_id, r.status, count(*) FROM step_runs r
JOIN enrollments e ON e.id = r.enrollment_id
WHERE e.workspace_id = $1 AND e.flow_id = $2 AND r.workspace_id = $1
GROUP BY r.step_id, r.status;

-- name: flow-funnel-messages
-- Per send step (the step key is enrollment/step): messages that went out
-- (or wait in the outbox), opened by a person, clicked.
SELECT substr(step_key, length(enrollment_id) + 2),
       count(*),
       coalesce(sum(CASE WHEN opens > 0 THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN clicks > 0 THEN 1 ELSE 0 END), 0)
FROM messages
WHERE workspace_id = $1 AND flow_id = $2 AND enrollment_id <> '' AND status IN ('sent', 'outbox')
GROUP BY 1;

-- name: flow-funnel-revenue
-- Revenue credited to the flow's messages, per currency.
SELECT currency, count(*), coalesce(sum(revenue_minor), 0) FROM messages
WHERE workspace_id = $1 AND flow_id = $2 AND order_id <> ''
GROUP BY currency ORDER BY 3 DESC;

-- name: flow-preview-contact
-- The newest contact with an email address: whom a flow's messages are
-- previewed for unless the admin picks someone.
SELECT id FROM contacts
WHERE workspace_id = $1 AND email <> '' AND merged_into = ''
ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: flow-preview-enrollment
-- A contact's newest enrollment in a flow: its trigger event gives the
-- preview the cart and merge fields the contact's messages had.
SELECT id, workspace_id, flow_id, flow_version, contact_id, trigger_event_id, status, current_step, next_at,
    created_at, updated_at, completed_at
FROM enrollments WHERE workspace_id = $1 AND flow_id = $2 AND contact_id = $3
ORDER BY created_at DESC, id DESC LIMIT 1;
