-- Automation: flows (a head row and one immutable row per version), the
-- enrollments of contacts in them, the record of every step an enrollment
-- ran, and when each contact last entered each flow (re-entry).
--
-- The durable job queue's tables (river_job, river_leader, …) are not
-- here: they are River's schema, applied by River's own migrator when the
-- automation engine starts, so that they always match the River version
-- linked into the binary.

-- The head of a flow: what the admin edits and lists. status is the flow's
-- (draft | active | paused), for every version; version is the newest,
-- the one new enrollments start on. trigger_event is the newest version's
-- trigger, kept here so an event finds the flows it starts with one
-- indexed lookup.
CREATE TABLE flows (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    trigger_event TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX flows_trigger ON flows (workspace_id, status, trigger_event);

-- Every version a flow ever had, never changed once written: an enrollment
-- runs the version it started on to the end, so editing a flow cannot move
-- a running enrollment onto steps it never had. goal_event lets an event
-- find the enrollments it ends without decoding definitions.
CREATE TABLE flow_versions (
    workspace_id TEXT NOT NULL,
    flow_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    goal_event   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, flow_id, version)
);

-- One contact's run through one version of a flow. current_step is the
-- step to run next (its job is due at next_at); '' once the run ended.
-- trigger_event_id is the log offset of the event that started it: the
-- automation processor may replay events after a crash, and the unique
-- index makes the replay enrol nobody twice.
CREATE TABLE enrollments (
    id               TEXT PRIMARY KEY,
    workspace_id     TEXT NOT NULL,
    flow_id          TEXT NOT NULL,
    flow_version     INTEGER NOT NULL,
    contact_id       TEXT NOT NULL,
    trigger_event_id INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    current_step     TEXT NOT NULL DEFAULT '',
    next_at          INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    completed_at     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX enrollments_trigger ON enrollments (workspace_id, flow_id, contact_id, trigger_event_id)
    WHERE trigger_event_id > 0;
CREATE INDEX enrollments_flow ON enrollments (workspace_id, flow_id, created_at);
CREATE INDEX enrollments_flow_status ON enrollments (workspace_id, flow_id, status);
CREATE INDEX enrollments_contact ON enrollments (workspace_id, contact_id, status);

-- What each step of an enrollment did. (enrollment_id, step_id) is the
-- idempotency key of a step: the job queue delivers a job at least once,
-- and the row is written in the same transaction that moves the enrollment
-- on, so a redelivered step finds it and does nothing. id orders the runs
-- of one enrollment (several steps can run within the same millisecond).
CREATE TABLE step_runs (
    id            INTEGER PRIMARY KEY,
    enrollment_id TEXT NOT NULL,
    step_id       TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    result        TEXT NOT NULL DEFAULT '{}',
    at            INTEGER NOT NULL,
    UNIQUE (enrollment_id, step_id)
);

-- When a contact last entered a flow, and in which enrollment: the flow's
-- re-entry policy is decided from this row, which outlives the pruning of
-- old enrollments.
CREATE TABLE flow_entries (
    workspace_id  TEXT NOT NULL,
    flow_id       TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    enrollment_id TEXT NOT NULL,
    entered_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, flow_id, contact_id)
);
