package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Flow is an automation flow's head with one version's definition (a JSON
// document whose shape belongs to automation). Version is the version the
// definition is; CurrentVersion is the flow's newest, the one new
// enrollments start on.
type Flow struct {
	WorkspaceID    string
	ID             string
	Name           string
	Status         string
	Version        int
	CurrentVersion int
	TriggerEvent   string
	GoalEvent      string // written with a version; not read back
	Definition     json.RawMessage
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Enrollment is one contact's run through one version of a flow.
type Enrollment struct {
	ID             string    `json:"id"`
	WorkspaceID    string    `json:"workspace_id"`
	FlowID         string    `json:"flow_id"`
	FlowVersion    int       `json:"flow_version"`
	ContactID      string    `json:"contact_id"`
	TriggerEventID int64     `json:"trigger_event_id,omitempty"`
	Status         string    `json:"status"`
	CurrentStep    string    `json:"current_step,omitempty"`
	NextAt         time.Time `json:"next_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	CompletedAt    time.Time `json:"completed_at,omitzero"`
}

// StepRun records what one step of an enrollment did; (EnrollmentID,
// StepID) is unique: the step's idempotency key.
type StepRun struct {
	EnrollmentID string          `json:"enrollment_id"`
	StepID       string          `json:"step_id"`
	WorkspaceID  string          `json:"workspace_id"`
	Attempt      int             `json:"attempt"`
	Status       string          `json:"status"`
	Result       json.RawMessage `json:"result"`
	At           time.Time       `json:"at"`
}

// FlowEntry is a contact's last entry into a flow; EnrollmentStatus is ""
// when that enrollment no longer exists.
type FlowEntry struct {
	EnrollmentID     string
	EnteredAt        time.Time
	EnrollmentStatus string
}

// JobsDB is the writer pool, for the job queue's driver (River): River
// writes on every call, and SQLite has one writer, so River queues on the
// same single connection as everything else instead of meeting it as
// SQLITE_BUSY. River's own SQL and schema are the library's, applied
// through its migrator; this is the one door they pass through.
func (s *Store) JobsDB() *sql.DB { return s.w }

// JobTx is the transaction's database/sql handle, for River's transactional
// calls (insert the next job, complete the current one), so that they
// commit or roll back with the automation rows written beside them.
func (t *Tx) JobTx() *sql.Tx { return t.tx }

func scanFlow(row scanner) (Flow, error) {
	var f Flow
	var def string
	var created, updated int64
	err := row.Scan(&f.WorkspaceID, &f.ID, &f.Name, &f.Status, &f.Version, &f.CurrentVersion, &f.TriggerEvent, &def,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	f.Definition = json.RawMessage(def)
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	return f, err
}

// CreateFlow inserts a flow and its first version (f.Version, normally 1).
func (s *Store) CreateFlow(ctx context.Context, f Flow) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.FlowCreate, f.WorkspaceID, f.ID, f.Name, f.Status, f.Version, f.TriggerEvent,
			ms(f.CreatedAt)); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("create flow %s: %w", f.ID, ErrConflict)
			}
			return fmt.Errorf("create flow %s: %w", f.ID, err)
		}
		return insertFlowVersion(ctx, tx, s.q, f, f.CreatedAt)
	})
}

func insertFlowVersion(ctx context.Context, tx *sql.Tx, q *queries, f Flow, at time.Time) error {
	if _, err := tx.ExecContext(ctx, q.FlowVersionInsert, f.WorkspaceID, f.ID, f.Version, f.Name, string(f.Definition),
		f.GoalEvent, ms(at)); err != nil {
		return fmt.Errorf("insert flow %s version %d: %w", f.ID, f.Version, err)
	}
	return nil
}

// UpdateFlow writes f's definition as the flow's next version and returns
// that version's number. Earlier versions stay as they were: enrollments
// running on them go on unchanged.
func (s *Store) UpdateFlow(ctx context.Context, f Flow) (int, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var v int
		err := tx.QueryRowContext(ctx, s.q.FlowHeadVersion, f.WorkspaceID, f.ID).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("flow %s: %w", f.ID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("flow %s: %w", f.ID, err)
		}
		f.Version = v + 1
		if err := insertFlowVersion(ctx, tx, s.q, f, f.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.FlowUpdateHead, f.WorkspaceID, f.ID, f.Name, f.Version, f.TriggerEvent,
			ms(f.UpdatedAt)); err != nil {
			return fmt.Errorf("update flow %s: %w", f.ID, err)
		}
		return nil
	})
	return f.Version, err
}

// Flow returns a flow with its newest version.
func (s *Store) Flow(ctx context.Context, workspaceID, id string) (Flow, error) {
	f, err := scanFlow(s.r.QueryRowContext(ctx, s.q.FlowGet, workspaceID, id))
	if err != nil {
		return f, fmt.Errorf("flow %s: %w", id, err)
	}
	return f, nil
}

// FlowVersion returns one version of a flow, with the flow's status.
func (s *Store) FlowVersion(ctx context.Context, workspaceID, id string, version int) (Flow, error) {
	f, err := scanFlow(s.r.QueryRowContext(ctx, s.q.FlowGetVersion, workspaceID, id, version))
	if err != nil {
		return f, fmt.Errorf("flow %s version %d: %w", id, version, err)
	}
	return f, nil
}

// Flows lists a workspace's flows, oldest first.
func (s *Store) Flows(ctx context.Context, workspaceID string) ([]Flow, error) {
	return list(ctx, s.r, "flows", s.q.FlowList, scanFlow, workspaceID)
}

// TriggeredFlows lists the active flows whose trigger is an event of type
// eventType.
func (s *Store) TriggeredFlows(ctx context.Context, workspaceID, eventType string) ([]Flow, error) {
	return list(ctx, s.r, "triggered flows", s.q.FlowListTriggered, scanFlow, workspaceID, eventType)
}

// FlowEventTypes lists the event types a workspace's flows react to: the
// triggers of active flows and the goals of every version.
func (s *Store) FlowEventTypes(ctx context.Context, workspaceID string) ([]string, error) {
	return list(ctx, s.r, "flow event types", s.q.FlowEventTypes, func(row scanner) (string, error) {
		var t string
		return t, row.Scan(&t)
	}, workspaceID)
}

func scanEnrollment(row scanner) (Enrollment, error) {
	var e Enrollment
	var next, created, updated, completed int64
	err := row.Scan(&e.ID, &e.WorkspaceID, &e.FlowID, &e.FlowVersion, &e.ContactID, &e.TriggerEventID, &e.Status,
		&e.CurrentStep, &next, &created, &updated, &completed)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.NextAt, e.CreatedAt, e.UpdatedAt, e.CompletedAt = fromMS(next), fromMS(created), fromMS(updated), fromMS(completed)
	return e, err
}

// Enrollment returns one enrollment.
func (s *Store) Enrollment(ctx context.Context, workspaceID, id string) (Enrollment, error) {
	e, err := scanEnrollment(s.r.QueryRowContext(ctx, s.q.EnrollmentGet, workspaceID, id))
	if err != nil {
		return e, fmt.Errorf("enrollment %s: %w", id, err)
	}
	return e, nil
}

// Enrollments lists a flow's enrollments newest first, below the cursor
// (the created time and id of the previous page's last row; zero for the
// first page).
func (s *Store) Enrollments(ctx context.Context, workspaceID, flowID string, before time.Time, beforeID string, limit int) ([]Enrollment, error) {
	b, bid, n := keyset(before, beforeID, limit)
	return list(ctx, s.r, "enrollments", s.q.EnrollmentListFlow, scanEnrollment, workspaceID, flowID, b, bid, n)
}

// GoalEnrollments lists a contact's unfinished enrollments whose goal is
// an event of type eventType and that began before log offset beforeEvent.
func (s *Store) GoalEnrollments(ctx context.Context, workspaceID, contactID, eventType string, beforeEvent int64) ([]Enrollment, error) {
	return list(ctx, s.r, "goal enrollments", s.q.EnrollmentListGoal, scanEnrollment, workspaceID, contactID, eventType, beforeEvent)
}

func scanStepRun(row scanner) (StepRun, error) {
	var r StepRun
	var result string
	var at int64
	err := row.Scan(&r.EnrollmentID, &r.StepID, &r.WorkspaceID, &r.Attempt, &r.Status, &result, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.Result, r.At = json.RawMessage(result), fromMS(at)
	return r, err
}

// StepRun returns the record of one step of an enrollment.
func (s *Store) StepRun(ctx context.Context, workspaceID, enrollmentID, stepID string) (StepRun, error) {
	r, err := scanStepRun(s.r.QueryRowContext(ctx, s.q.StepRunGet, workspaceID, enrollmentID, stepID))
	if err != nil {
		return r, fmt.Errorf("step run %s/%s: %w", enrollmentID, stepID, err)
	}
	return r, nil
}

// StepRuns lists what an enrollment's steps did, in order.
func (s *Store) StepRuns(ctx context.Context, workspaceID, enrollmentID string) ([]StepRun, error) {
	return list(ctx, s.r, "step runs", s.q.StepRunList, scanStepRun, workspaceID, enrollmentID)
}

// ContactEventsOfType lists a contact's events (its own and its visitor
// ids') of one type after log offset after, oldest first.
func (s *Store) ContactEventsOfType(ctx context.Context, workspaceID, contactID, eventType string, after int64, limit int) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, s.q.EventListContactType, workspaceID, contactID, eventType, after, limit)
	if err != nil {
		return nil, fmt.Errorf("contact %s events: %w", eventType, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("contact %s events: %w", eventType, err)
	}
	return evs, nil
}

// FlowStatus reads a flow's status inside the transaction.
func (t *Tx) FlowStatus(workspaceID, flowID string) (string, error) {
	var st string
	err := t.tx.QueryRowContext(t.ctx, t.q.FlowStatusGet, workspaceID, flowID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("flow %s: %w", flowID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("flow %s status: %w", flowID, err)
	}
	return st, nil
}

// SetFlowStatus changes a flow's status.
func (t *Tx) SetFlowStatus(workspaceID, flowID, status string, at time.Time) error {
	res, err := t.tx.ExecContext(t.ctx, t.q.FlowStatusSet, workspaceID, flowID, status, ms(at))
	if err != nil {
		return fmt.Errorf("set flow %s status: %w", flowID, err)
	}
	return expectOne(res, "set flow "+flowID+" status")
}

// FlowEntry returns the contact's last entry into a flow.
func (t *Tx) FlowEntry(workspaceID, flowID, contactID string) (FlowEntry, error) {
	var fe FlowEntry
	var at int64
	err := t.tx.QueryRowContext(t.ctx, t.q.FlowEntryGet, workspaceID, flowID, contactID).Scan(&fe.EnrollmentID, &at,
		&fe.EnrollmentStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return fe, fmt.Errorf("flow %s entry: %w", flowID, ErrNotFound)
	}
	if err != nil {
		return fe, fmt.Errorf("flow %s entry: %w", flowID, err)
	}
	fe.EnteredAt = fromMS(at)
	return fe, nil
}

// InsertEnrollment inserts an enrollment and records it as the contact's
// last entry into the flow. It reports false, inserting nothing, when the
// same trigger event already enrolled the contact in the flow.
func (t *Tx) InsertEnrollment(e Enrollment) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, t.q.EnrollmentInsert, e.ID, e.WorkspaceID, e.FlowID, e.FlowVersion, e.ContactID,
		e.TriggerEventID, e.Status, e.CurrentStep, ms(e.NextAt), ms(e.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("insert enrollment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err := t.tx.ExecContext(t.ctx, t.q.FlowEntryPut, e.WorkspaceID, e.FlowID, e.ContactID, e.ID,
		ms(e.CreatedAt)); err != nil {
		return false, fmt.Errorf("record flow entry: %w", err)
	}
	return true, nil
}

// affected runs an update and reports whether it changed a row.
func (t *Tx) affected(what, query string, args ...any) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return n > 0, nil
}

// AdvanceEnrollment moves an active enrollment from step from to step to,
// with a new status and due time; false if the enrollment is no longer
// active at step from.
func (t *Tx) AdvanceEnrollment(workspaceID, id, from, to, status string, nextAt, at time.Time) (bool, error) {
	return t.affected("advance enrollment "+id, t.q.EnrollmentAdvance, workspaceID, id, from, to, status, ms(nextAt), ms(at))
}

// EndEnrollment finishes an unfinished enrollment with status; false if it
// had already finished.
func (t *Tx) EndEnrollment(workspaceID, id, status string, at time.Time) (bool, error) {
	return t.affected("end enrollment "+id, t.q.EnrollmentEnd, workspaceID, id, status, ms(at))
}

// HoldEnrollment marks an active enrollment at step held (paused) until
// its flow resumes; false if it is no longer active at that step.
func (t *Tx) HoldEnrollment(workspaceID, id, step string, at time.Time) (bool, error) {
	return t.affected("hold enrollment "+id, t.q.EnrollmentHold, workspaceID, id, step, ms(at))
}

// ResumeEnrollments makes a flow's held enrollments active again and
// returns them.
func (t *Tx) ResumeEnrollments(workspaceID, flowID string, at time.Time) ([]Enrollment, error) {
	rows, err := t.tx.QueryContext(t.ctx, t.q.EnrollmentResume, workspaceID, flowID, ms(at))
	if err != nil {
		return nil, fmt.Errorf("resume enrollments: %w", err)
	}
	defer rows.Close()
	out := []Enrollment{}
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, fmt.Errorf("resume enrollments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordStepRun inserts a step's record; false if the step was already
// recorded (a redelivered job), in which case nothing is written.
func (t *Tx) RecordStepRun(r StepRun) (bool, error) {
	result := string(r.Result)
	if result == "" {
		result = "{}"
	}
	return t.affected("record step "+r.StepID, t.q.StepRunInsert, r.EnrollmentID, r.StepID, r.WorkspaceID, r.Attempt,
		r.Status, result, ms(r.At))
}
