package automation

import (
	"context"
	"errors"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// HandleEvent applies one logged event of a contact: it ends the contact's
// enrollments whose goal the event reaches, then enrols the contact in
// every active flow the event triggers, as the flow's re-entry policy
// allows. Goals come first so that an event that is both (an order ends
// the cart flow and starts the post-purchase one) does both, and never
// ends the enrollment it starts.
//
// It is safe to apply an event twice (the processor replays after a
// crash): an enrollment is unique per flow, contact and trigger event, and
// an ended enrollment stays ended.
func (e *Engine) HandleEvent(ctx context.Context, ev store.Event, contactID string) error {
	if contactID == "" {
		return nil
	}
	if err := e.reachGoals(ctx, ev, contactID); err != nil {
		return err
	}
	if e.stale(ev) {
		return nil
	}
	flows, err := e.st.TriggeredFlows(ctx, ev.WorkspaceID, ev.Type)
	if err != nil {
		return err
	}
	conds := conditionChecker{e: e, workspaceID: ev.WorkspaceID, contactID: contactID}
	for _, sf := range flows {
		f, err := fromStore(sf)
		if err != nil {
			// One unreadable flow must not stop every other flow (or the
			// processor): it is logged and skipped.
			e.log.Error("automation: flow skipped", "flow", sf.ID, "err", err)
			continue
		}
		if !matchProps(f.Trigger.Filters, ev.Props) {
			continue
		}
		switch ok, err := conds.pass(ctx, f); {
		case err != nil:
			return err
		case !ok:
			continue
		}
		if err := e.enroll(ctx, f, ev, contactID); err != nil {
			return err
		}
	}
	return nil
}

// enroll starts the contact on the flow's first step, unless the re-entry
// policy forbids it. The policy is read and the enrollment and its first
// job written in one transaction, so two events at once cannot both enrol.
func (e *Engine) enroll(ctx context.Context, f *Flow, ev store.Event, contactID string) error {
	now := e.clock.Now()
	en := store.Enrollment{ID: ids.New("enr"), WorkspaceID: ev.WorkspaceID, FlowID: f.ID, FlowVersion: f.Version,
		ContactID: contactID, TriggerEventID: ev.ID, Status: EnrollmentActive, CurrentStep: f.Steps[0].ID, NextAt: now,
		CreatedAt: now, UpdatedAt: now}
	return e.st.InTx(ctx, func(tx *store.Tx) error {
		status, err := tx.FlowStatus(f.WorkspaceID, f.ID)
		if errors.Is(err, store.ErrNotFound) || err == nil && status != FlowActive {
			return nil // paused (or gone) since it was listed: no new enrollments
		}
		if err != nil {
			return err
		}
		last, err := tx.FlowEntry(f.WorkspaceID, f.ID, contactID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case !mayReenter(f.Reentry, last, now):
			return nil
		}
		inserted, err := tx.InsertEnrollment(en)
		if err != nil || !inserted {
			return err
		}
		return e.schedule(ctx, tx, en, en.CurrentStep, now)
	})
}

// mayReenter applies a re-entry policy to the contact's last entry. A
// contact still in the flow is never enrolled again, whatever the policy:
// two runs of one flow would send every message twice.
func mayReenter(r Reentry, last store.FlowEntry, now time.Time) bool {
	switch last.EnrollmentStatus {
	case EnrollmentActive, EnrollmentPaused:
		return false
	}
	switch r.Mode {
	case ReentryAlways:
		return true
	case ReentryEveryDays:
		return !now.Before(last.EnteredAt.Add(time.Duration(r.Days) * 24 * time.Hour))
	}
	return false
}

// reachGoals ends the contact's unfinished enrollments whose goal ev is.
// Their pending jobs find the enrollment ended and do nothing.
func (e *Engine) reachGoals(ctx context.Context, ev store.Event, contactID string) error {
	ens, err := e.st.GoalEnrollments(ctx, ev.WorkspaceID, contactID, ev.Type, ev.ID)
	if err != nil {
		return err
	}
	for _, en := range ens {
		f, err := e.flowVersion(ctx, en.WorkspaceID, en.FlowID, en.FlowVersion)
		if err != nil {
			return err
		}
		if f.Goal == nil || !matchProps(f.Goal.Filters, ev.Props) {
			continue
		}
		err = e.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.EndEnrollment(en.WorkspaceID, en.ID, EnrollmentExitedGoal, e.clock.Now())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
