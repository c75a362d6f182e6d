-- Segments (issue 15): definitions, real-time membership, the re-check
-- times of time-based conditions, and daily sizes.

CREATE TABLE segments (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- The JSON AST (personalization/segments, docs/segments.md).
    definition   TEXT NOT NULL,
    -- The ready-made segment this was installed from ('' for one of the
    -- admin's own): installing twice finds it again instead of a copy.
    ready_made   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- Membership as the segment follower keeps it. The primary key is the
-- index a count and a members page read (a count is an index-only scan);
-- segment_members_contact answers "which segments is this contact in"
-- (contact card, exclusion checks).
CREATE TABLE segment_members (
    workspace_id TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    since        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, segment_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_contact ON segment_members (workspace_id, contact_id);

-- When a contact's segments must be evaluated again without an event (a
-- time window closing, "no order for 60 days" reaching day 60). One row
-- per contact: the earliest time any of its results can change.
CREATE TABLE segment_due (
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX segment_due_at ON segment_due (due_at);

-- Size per day (UTC), written by the follower as it goes: the last
-- figure of a day is that day's size.
CREATE TABLE segment_sizes (
    workspace_id TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    day          TEXT NOT NULL,
    size         INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, segment_id, day)
);
