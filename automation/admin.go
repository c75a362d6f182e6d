package automation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// CreateFlow validates and stores a new flow as version 1, in the status
// it names (draft by default).
func (e *Engine) CreateFlow(ctx context.Context, workspaceID string, f Flow) (Flow, error) {
	if f.Status == FlowArchived {
		return Flow{}, invalid("status", "a new flow cannot be archived")
	}
	if err := e.validate(&f); err != nil {
		return Flow{}, err
	}
	now := e.clock.Now().UTC()
	f.ID, f.WorkspaceID, f.Version, f.CreatedAt, f.UpdatedAt = ids.New("flow"), workspaceID, 1, now, now
	sf, err := toStore(&f)
	if err != nil {
		return Flow{}, err
	}
	if err := e.st.CreateFlow(ctx, sf); err != nil {
		return Flow{}, err
	}
	return f, nil
}

// UpdateFlow stores f as the flow's next version. New enrollments start
// on it; running ones finish on the version they started with, so an edit
// can never send a contact to a step its run never had. The status is
// kept: it changes only through SetStatus.
func (e *Engine) UpdateFlow(ctx context.Context, workspaceID, flowID string, f Flow) (Flow, error) {
	cur, err := e.st.Flow(ctx, workspaceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	f.Status = cur.Status
	if err := e.validate(&f); err != nil {
		return Flow{}, err
	}
	f.ID, f.WorkspaceID, f.CreatedAt, f.UpdatedAt = flowID, workspaceID, cur.CreatedAt, e.clock.Now().UTC()
	sf, err := toStore(&f)
	if err != nil {
		return Flow{}, err
	}
	if f.Version, err = e.st.UpdateFlow(ctx, sf); err != nil {
		return Flow{}, err
	}
	return f, nil
}

// validate checks the flow's shape, then each step's params with the
// channels when they can (StepChecker).
func (e *Engine) validate(f *Flow) error {
	if err := f.Validate(); err != nil {
		return err
	}
	sc, ok := e.actions.(StepChecker)
	if !ok {
		return nil
	}
	for i := range f.Steps {
		err := sc.CheckStep(f.Steps[i])
		if err == nil {
			continue
		}
		field := fmt.Sprintf("steps[%d].params", i)
		var pe interface{ StepParam() (string, string) }
		if errors.As(err, &pe) {
			param, reason := pe.StepParam()
			return invalid(field+"."+param, "%s", reason)
		}
		return invalid(field, "%v", err)
	}
	return nil
}

// SetStatus activates, pauses, archives or restores a flow. Pausing stops
// new enrollments and holds running ones at their next step (its job, when
// due, parks the enrollment as paused). Activating starts enrollments again
// and puts every held enrollment back on its step, due when it was due or
// now if that has passed, in the transaction that changes the status.
// Archiving stops new enrollments and ends the running and held ones
// (exited_archived) in that transaction, so no step of theirs runs again;
// an archived flow can only be restored, to paused, and is activated from
// there.
func (e *Engine) SetStatus(ctx context.Context, workspaceID, flowID, status string) (Flow, error) {
	if status != FlowActive && status != FlowPaused && status != FlowArchived {
		return Flow{}, invalid("status", "a flow can be set active, paused or archived, not %q", status)
	}
	now := e.clock.Now()
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.FlowStatus(workspaceID, flowID)
		if err != nil {
			return err
		}
		if cur == FlowArchived && status == FlowActive {
			return invalid("status", "an archived flow is restored to paused first")
		}
		if err := tx.SetFlowStatus(workspaceID, flowID, status, now); err != nil {
			return err
		}
		if status == FlowArchived {
			_, err := tx.EndFlowEnrollments(workspaceID, flowID, EnrollmentExitedArchived, now)
			return err
		}
		if status != FlowActive {
			return nil
		}
		held, err := tx.ResumeEnrollments(workspaceID, flowID, now)
		if err != nil {
			return err
		}
		for _, en := range held {
			if err := e.schedule(ctx, tx, en, en.CurrentStep, later(en.NextAt, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Flow{}, err
	}
	return e.Flow(ctx, workspaceID, flowID)
}

// Flow returns a flow as it stands (its newest version).
func (e *Engine) Flow(ctx context.Context, workspaceID, flowID string) (Flow, error) {
	sf, err := e.st.Flow(ctx, workspaceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	f, err := fromStore(sf)
	if err != nil {
		return Flow{}, err
	}
	return *f, nil
}

// Flows lists a workspace's flows.
func (e *Engine) Flows(ctx context.Context, workspaceID string) ([]Flow, error) {
	sfs, err := e.st.Flows(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Flow, 0, len(sfs))
	for _, sf := range sfs {
		f, err := fromStore(sf)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, nil
}

// ListEnrollments lists a flow's enrollments newest first, each with its
// status and the step it is at (CurrentStep, due at NextAt). before and
// beforeID are the previous page's last CreatedAt and ID (zero for the
// first page).
func (e *Engine) ListEnrollments(ctx context.Context, workspaceID, flowID string, before time.Time, beforeID string, limit int) ([]Enrollment, error) {
	if _, err := e.st.Flow(ctx, workspaceID, flowID); err != nil {
		return nil, err
	}
	return e.st.Enrollments(ctx, workspaceID, flowID, before, beforeID, limit)
}

// Enrollment returns one enrollment.
func (e *Engine) Enrollment(ctx context.Context, workspaceID, id string) (Enrollment, error) {
	return e.st.Enrollment(ctx, workspaceID, id)
}

// StepRuns lists what an enrollment's steps did.
func (e *Engine) StepRuns(ctx context.Context, workspaceID, enrollmentID string) ([]StepRun, error) {
	return e.st.StepRuns(ctx, workspaceID, enrollmentID)
}

// CancelEnrollment ends an unfinished enrollment; its pending step does
// nothing. Cancelling a finished one changes nothing.
func (e *Engine) CancelEnrollment(ctx context.Context, workspaceID, id string) error {
	if _, err := e.st.Enrollment(ctx, workspaceID, id); err != nil {
		return err
	}
	return e.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.EndEnrollment(workspaceID, id, EnrollmentCancelled, e.clock.Now())
		return err
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// toStore encodes a flow for the store.
func toStore(f *Flow) (store.Flow, error) {
	def, err := f.definition()
	if err != nil {
		return store.Flow{}, fmt.Errorf("encode flow: %w", err)
	}
	sf := store.Flow{WorkspaceID: f.WorkspaceID, ID: f.ID, Name: f.Name, Status: f.Status, Version: f.Version,
		CurrentVersion: f.Version, TriggerEvent: f.Trigger.Event, Definition: def, CreatedAt: f.CreatedAt,
		UpdatedAt: f.UpdatedAt}
	if f.Goal != nil {
		sf.GoalEvent = f.Goal.Event
	}
	return sf, nil
}
