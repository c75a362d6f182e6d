package automation

import (
	"context"
	"errors"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// EventFor is a logged event with the contact it resolved to.
type EventFor struct {
	Event     store.Event
	ContactID string
}

// HandleEvent applies one logged event of a contact; see HandleEvents.
func (e *Engine) HandleEvent(ctx context.Context, ev store.Event, contactID string) error {
	return e.HandleEvents(ctx, []EventFor{{ev, contactID}})
}

// HandleEvents applies logged events in log order: each ends its contact's
// enrollments whose goal it reaches, then enrols the contact in every
// active flow it triggers, as the flow's re-entry policy allows. Goals
// come first so that an event that is both (an order ends the cart flow
// and starts the post-purchase one) does both, and never ends the
// enrollment it starts.
//
// The enrollments of a batch commit in one transaction, with their first
// jobs: one commit per event would make the one writer connection the
// limit on how fast flows start. Before an event's goals are looked up,
// enrollments still pending for its contact are committed, so an order
// right after a checkout in the same batch ends the enrollment the
// checkout made.
//
// It is safe to apply an event twice (the processor replays after a
// crash): an enrollment is unique per flow, contact and trigger event, and
// an ended enrollment stays ended.
func (e *Engine) HandleEvents(ctx context.Context, evs []EventFor) error {
	b := enrollBatch{e: e, contacts: map[string]bool{}}
	flows := map[[2]string][]store.Flow{} // by workspace and event type, read once a batch
	for _, it := range evs {
		ev, contactID := it.Event, it.ContactID
		if contactID == "" {
			continue
		}
		if b.contacts[contactID] {
			if err := b.flush(ctx); err != nil {
				return err
			}
		}
		if err := e.reachGoals(ctx, ev, contactID); err != nil {
			return err
		}
		key := [2]string{ev.WorkspaceID, ev.Type}
		sfs, ok := flows[key]
		if !ok {
			var err error
			if sfs, err = e.st.TriggeredFlows(ctx, ev.WorkspaceID, ev.Type); err != nil {
				return err
			}
			flows[key] = sfs
		}
		conds := conditionChecker{e: e, workspaceID: ev.WorkspaceID, contactID: contactID}
		for _, sf := range sfs {
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
			if why := e.tooOld(f, ev); why != "" {
				// Said at info: an admin asking why a checkout got no
				// reminder finds the answer in the log.
				e.log.Info("automation: not enrolled", "flow", f.ID, "contact", contactID, "event", ev.ID, "reason", why)
				continue
			}
			switch ok, err := conds.pass(ctx, f); {
			case err != nil:
				return err
			case !ok:
				continue
			}
			switch why, err := e.settled(ctx, f, ev, contactID); {
			case err != nil:
				return err
			case why != "":
				e.log.Info("automation: not enrolled", "flow", f.ID, "contact", contactID, "event", ev.ID, "reason", why)
				continue
			}
			b.add(f, ev, contactID)
		}
	}
	return b.flush(ctx)
}

// enrollBatch collects the enrollments of a batch of events.
type enrollBatch struct {
	e        *Engine
	pending  []pendingEnrollment
	contacts map[string]bool
}

type pendingEnrollment struct {
	f       *Flow
	ev      store.Event
	contact string
}

func (b *enrollBatch) add(f *Flow, ev store.Event, contactID string) {
	b.pending = append(b.pending, pendingEnrollment{f, ev, contactID})
	b.contacts[contactID] = true
}

// flush commits the pending enrollments in one transaction.
func (b *enrollBatch) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	err := b.e.st.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range b.pending {
			if err := b.e.enroll(ctx, tx, p.f, p.ev, p.contact); err != nil {
				return err
			}
		}
		return nil
	})
	b.pending = b.pending[:0]
	clear(b.contacts)
	return err
}

// enroll starts the contact on the flow's first step, unless the re-entry
// policy forbids it. The policy is read and the enrollment and its first
// job written in one transaction, so two events at once cannot both enrol.
func (e *Engine) enroll(ctx context.Context, tx *store.Tx, f *Flow, ev store.Event, contactID string) error {
	now := e.clock.Now()
	en := store.Enrollment{ID: ids.New("enr"), WorkspaceID: ev.WorkspaceID, FlowID: f.ID, FlowVersion: f.Version,
		ContactID: contactID, TriggerEventID: ev.ID, Status: EnrollmentActive, CurrentStep: f.Steps[0].ID, NextAt: now,
		CreatedAt: now, UpdatedAt: now}
	status, err := tx.FlowStatus(f.WorkspaceID, f.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && status != FlowActive {
		return nil // paused (or gone) since it was listed: no new enrollments
	}
	if err != nil {
		return err
	}
	if seg, err := excludedBy(f, func(id string) (bool, error) { return tx.SegmentMember(f.WorkspaceID, id, contactID) }); err != nil || seg != "" {
		if seg != "" {
			e.log.Info("automation: not enrolled", "flow", f.ID, "contact", contactID, "event", ev.ID,
				"reason", "member of excluded segment "+seg)
		}
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

// excludedBy returns the first of the flow's exclusion segments the
// contact is in ("" when none), asking member.
func excludedBy(f *Flow, member func(segmentID string) (bool, error)) (string, error) {
	for _, id := range f.ExcludeSegments {
		in, err := member(id)
		if err != nil {
			return "", err
		}
		if in {
			return id, nil
		}
	}
	return "", nil
}
