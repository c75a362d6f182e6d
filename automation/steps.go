package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/cartwheelhq/cartwheel/store"
)

// Enrollment is one contact's run through one version of a flow.
type Enrollment = store.Enrollment

// StepRun is the record of what one step of an enrollment did.
type StepRun = store.StepRun

// Result is what a side-effect step did, recorded with the step.
type Result struct {
	// Skipped says why nothing was done (no consent, capped, no
	// subscription…); empty when the action happened.
	Skipped string `json:"skipped,omitempty"`
	// Data is what the action reports: a message id, a discount code.
	Data map[string]any `json:"data,omitempty"`
}

// Actions performs the steps that change the world. Implementations live
// with the channels (messaging, connectors); the engine decides when.
//
// The engine calls an action at most once per successful step, but River
// delivers jobs at least once: if the process dies after an action
// returned and before its step was recorded, the action is called again
// after the restart. StepKey(enrollment, step) is the same on every such
// call, so an implementation that keys its own write on it (the message
// row, the discount code) makes the repeat a no-op.
type Actions interface {
	SendEmail(ctx context.Context, en Enrollment, s Step) (Result, error)
	SendPush(ctx context.Context, en Enrollment, s Step) (Result, error)
	AddInbox(ctx context.Context, en Enrollment, s Step) (Result, error)
	// Tag adds (tag_add) or removes (tag_remove) the tag in s.Params["tag"].
	Tag(ctx context.Context, en Enrollment, s Step) (Result, error)
	Discount(ctx context.Context, en Enrollment, s Step) (Result, error)
	Webhook(ctx context.Context, en Enrollment, s Step) (Result, error)
}

// StepChecker is what Actions may also implement: a check of a step's
// params when its flow is saved (templates that parse, known product
// sources…). An error that has a StepParam method names the param at
// fault; the flow is refused with a 400 on steps[i].params.<param>.
type StepChecker interface {
	CheckStep(s Step) error
}

// Facts gives what branch conditions test about a contact: a JSON-like
// document (attributes, profile counters, tags, consents…) that filters
// address by dotted paths.
type Facts interface {
	ContactFacts(ctx context.Context, workspaceID, contactID string) (map[string]any, error)
}

// Deferred is an error an action returns when its step must wait (quiet
// hours in the contact's timezone, a push service's Retry-After): the step
// runs again at DeferUntil, and the wait is not counted as a failed attempt.
type Deferred interface {
	error
	DeferUntil() time.Time
}

// StepKey is the idempotency key of one step of one enrollment.
func StepKey(en Enrollment, stepID string) string { return en.ID + "/" + stepID }

// stepWorker runs step jobs for River.
type stepWorker struct {
	river.WorkerDefaults[stepArgs]
	e *Engine
}

// Work runs a step. A failure is retried by River; the last one fails the
// enrollment, recorded, rather than leaving it active with no job. A step
// whose own parameters are wrong (an error with InvalidInput) fails at
// once: no retry can fix it.
func (w *stepWorker) Work(ctx context.Context, job *river.Job[stepArgs]) error {
	err := w.e.runStep(ctx, job)
	var d Deferred
	if errors.As(err, &d) {
		// Not a failure: the step runs again when the action said, and the
		// wait does not use up an attempt.
		wait := max(d.DeferUntil().Sub(w.e.clock.Now()), time.Second)
		w.e.log.Debug("automation step deferred", "enrollment", job.Args.EnrollmentID, "step", job.Args.StepID,
			"until", d.DeferUntil(), "reason", err)
		return river.JobSnooze(wait)
	}
	var bad interface{ InvalidInput() }
	if err == nil || job.Attempt < job.MaxAttempts && !errors.As(err, &bad) {
		return err
	}
	w.e.log.Error("automation step failed for good", "enrollment", job.Args.EnrollmentID, "step", job.Args.StepID, "err", err)
	if ferr := w.e.fail(ctx, job, err); ferr != nil {
		return errors.Join(err, ferr)
	}
	return nil
}

// errAlreadyRecorded rolls back a transaction that found its step recorded.
var errAlreadyRecorded = errors.New("step already recorded")

// outcome is what a step decided: its record, the step to go to ("" ends
// the enrollment) and when.
type outcome struct {
	status string
	result Result
	next   string
	at     time.Time
}

// runStep runs one delivery of a step job. Before any side effect it
// checks, in this order, that the enrollment is still active at this step
// (not ended by a goal, not held, not already moved on by an earlier
// delivery), that the step is not recorded yet, that the flow is not
// paused, and that the goal has not been reached.
func (e *Engine) runStep(ctx context.Context, job *river.Job[stepArgs]) error {
	a := job.Args
	for range 3 {
		en, err := e.st.Enrollment(ctx, a.WorkspaceID, a.EnrollmentID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if en.Status != EnrollmentActive || en.CurrentStep != a.StepID {
			return nil // a stale or repeated delivery: nothing left to do
		}
		if en.FlowVersion != a.FlowVersion {
			// Enrollments never change version; a job that disagrees was not
			// scheduled by this engine and must not act.
			e.log.Warn("automation: step job for another flow version ignored", "enrollment", en.ID,
				"job_version", a.FlowVersion, "enrollment_version", en.FlowVersion)
			return nil
		}
		switch _, err := e.st.StepRun(ctx, en.WorkspaceID, en.ID, a.StepID); {
		case err == nil:
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		f, err := e.flowVersion(ctx, en.WorkspaceID, en.FlowID, en.FlowVersion)
		if err != nil {
			return err
		}
		if f.Status == FlowArchived {
			// Archiving ends enrollments in its transaction; one found
			// active here started in a race with it and ends the same way.
			return e.end(ctx, job, en, EnrollmentExitedArchived)
		}
		if f.Status == FlowPaused {
			resumed, err := e.hold(ctx, job, en)
			if err != nil || !resumed {
				return err
			}
			continue // resumed between our read and the hold: run it
		}
		return e.run(ctx, job, f, en)
	}
	return errors.New("flow paused and resumed while the step ran; retrying")
}

func (e *Engine) run(ctx context.Context, job *river.Job[stepArgs], f *Flow, en Enrollment) error {
	s := f.step(en.CurrentStep)
	if s == nil {
		return fmt.Errorf("flow %s version %d has no step %q", f.ID, f.Version, en.CurrentStep)
	}
	now := e.clock.Now()
	out := outcome{status: RunDone, next: f.target(s.ID, s.Next), at: now}
	switch s.Kind {
	case KindWait:
		out.at = e.waitUntil(ctx, en, s.Wait, now)
		out.result.Data = map[string]any{"until": out.at.UTC().Format(time.RFC3339)}
	case KindBranch:
		yes, err := e.branch(ctx, en, s.Branch)
		if err != nil {
			return err
		}
		to, taken := s.Branch.Else, "else"
		if yes {
			to, taken = s.Branch.Then, "then"
		}
		out.next = f.target(s.ID, to)
		out.result.Data = map[string]any{"branch": taken}
	default:
		reached, err := e.goalReached(ctx, f, en)
		if err != nil {
			return err
		}
		if reached {
			return e.end(ctx, job, en, EnrollmentExitedGoal)
		}
		// The goal or the checkout may have been settled by what the log
		// holds before the trigger (webhooks are not ordered), or by the
		// checkout's own state: checked before every side effect.
		why, err := e.settledEnrollment(ctx, f, en)
		if err != nil {
			return err
		}
		if why != "" {
			e.log.Info("automation: enrollment ended before a step", "enrollment", en.ID, "step", s.ID, "reason", why)
			return e.end(ctx, job, en, EnrollmentExitedGoal)
		}
		if s.Kind == KindSendEmail || s.Kind == KindSendPush || s.Kind == KindInbox {
			seg, err := excludedBy(f, func(id string) (bool, error) { return e.st.SegmentMember(ctx, en.WorkspaceID, id, en.ContactID) })
			if err != nil {
				return err
			}
			if seg != "" {
				e.log.Info("automation: enrollment cancelled before a send", "enrollment", en.ID, "step", s.ID,
					"reason", "member of excluded segment "+seg)
				return e.end(ctx, job, en, EnrollmentCancelled)
			}
		}
		res, err := e.act(ctx, en, *s)
		if err != nil {
			return fmt.Errorf("step %s (%s): %w", s.ID, s.Kind, err)
		}
		out.result = res
		if res.Skipped != "" {
			out.status = RunSkipped
		}
	}
	return e.advance(ctx, job, en, out)
}

// advance records the step and moves the enrollment on, in one
// transaction with scheduling the next step's job and completing this one.
//
// Exactly once: River may deliver this job again (a crash before River
// saw it complete, a stuck-job rescue). The step_runs row written here is
// unique per (enrollment, step), and runStep returns early when it finds
// it, so a second delivery changes nothing; if two deliveries race past
// that check, the second insert finds the row, and its transaction rolls
// back without scheduling anything. Completing the job in this same
// transaction means a committed step is never delivered again at all in
// the common case. What remains is the gap between a side effect and this
// commit, which Actions close with StepKey.
func (e *Engine) advance(ctx context.Context, job *river.Job[stepArgs], en Enrollment, out outcome) error {
	now := e.clock.Now()
	status, nextAt := EnrollmentActive, out.at
	if out.next == "" {
		status, nextAt = EnrollmentCompleted, time.Time{}
	}
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		if err := e.record(tx, job, en, out.status, out.result, now); err != nil {
			return err
		}
		moved, err := tx.AdvanceEnrollment(en.WorkspaceID, en.ID, en.CurrentStep, out.next, status, nextAt, now)
		if err != nil {
			return err
		}
		// Not moved: a goal ended the enrollment while the step ran. The
		// record stays (the action did happen) and nothing follows.
		if moved && out.next != "" {
			if err := e.schedule(ctx, tx, en, out.next, out.at); err != nil {
				return err
			}
		}
		return complete(ctx, tx, job)
	})
	if errors.Is(err, errAlreadyRecorded) {
		return nil
	}
	return err
}

func (e *Engine) record(tx *store.Tx, job *river.Job[stepArgs], en Enrollment, status string, res Result, at time.Time) error {
	body, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("step %s result: %w", en.CurrentStep, err)
	}
	ok, err := tx.RecordStepRun(store.StepRun{EnrollmentID: en.ID, StepID: en.CurrentStep, WorkspaceID: en.WorkspaceID,
		Attempt: job.Attempt, Status: status, Result: body, At: at})
	if err != nil {
		return err
	}
	if !ok {
		return errAlreadyRecorded
	}
	return nil
}

// complete marks the job done inside tx (see advance).
func complete(ctx context.Context, tx *store.Tx, job *river.Job[stepArgs]) error {
	if _, err := river.JobCompleteTx[*riversqlite.Driver](ctx, tx.JobTx(), job); err != nil {
		return fmt.Errorf("complete job %d: %w", job.ID, err)
	}
	return nil
}

// end finishes the enrollment with status (exited_goal when the goal was
// found in the log before a send).
func (e *Engine) end(ctx context.Context, job *river.Job[stepArgs], en Enrollment, status string) error {
	return e.st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.EndEnrollment(en.WorkspaceID, en.ID, status, e.clock.Now()); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
}

// fail records a step's last failure and fails its enrollment. It runs on
// a context of its own (keeping the job's values, which JobCompleteTx
// needs): the job's may be the one that just timed out, and a failure that
// cannot be recorded would leave the enrollment active with no job.
func (e *Engine) fail(ctx context.Context, job *river.Job[stepArgs], cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	en, err := e.st.Enrollment(ctx, job.Args.WorkspaceID, job.Args.EnrollmentID)
	if err != nil || en.Status != EnrollmentActive || en.CurrentStep != job.Args.StepID {
		return err
	}
	now := e.clock.Now()
	err = e.st.InTx(ctx, func(tx *store.Tx) error {
		if err := e.record(tx, job, en, RunFailed, Result{Data: map[string]any{"error": cause.Error()}}, now); err != nil {
			return err
		}
		if _, err := tx.EndEnrollment(en.WorkspaceID, en.ID, EnrollmentFailed, now); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	if errors.Is(err, errAlreadyRecorded) {
		return nil
	}
	return err
}

// hold parks an enrollment whose flow is paused, completing its job; the
// resume schedules the step again. The flow's status is read again inside
// the transaction, which SQLite serialises with SetStatus's: either the
// resume sees this enrollment held, or this sees the flow active and
// reports resumed.
func (e *Engine) hold(ctx context.Context, job *river.Job[stepArgs], en Enrollment) (resumed bool, err error) {
	err = e.st.InTx(ctx, func(tx *store.Tx) error {
		status, err := tx.FlowStatus(en.WorkspaceID, en.FlowID)
		if err != nil {
			return err
		}
		if status != FlowPaused {
			resumed = true
			return nil
		}
		if _, err := tx.HoldEnrollment(en.WorkspaceID, en.ID, en.CurrentStep, e.clock.Now()); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	return resumed, err
}

// act runs a side-effect step through Actions.
func (e *Engine) act(ctx context.Context, en Enrollment, s Step) (Result, error) {
	switch s.Kind {
	case KindSendEmail:
		return e.actions.SendEmail(ctx, en, s)
	case KindSendPush:
		return e.actions.SendPush(ctx, en, s)
	case KindInbox:
		return e.actions.AddInbox(ctx, en, s)
	case KindTagAdd, KindTagRemove:
		return e.actions.Tag(ctx, en, s)
	case KindDiscount:
		return e.actions.Discount(ctx, en, s)
	case KindWebhook:
		return e.actions.Webhook(ctx, en, s)
	case KindSendSMS, KindSendBest:
		return e.actChannel(ctx, en, s)
	}
	return Result{}, fmt.Errorf("step kind %q has no action", s.Kind)
}

// goalReached looks in the log for the goal event since the enrollment
// began, so that a goal the automation processor has not read yet (it
// lags, or is catching up after downtime) still stops a send.
func (e *Engine) goalReached(ctx context.Context, f *Flow, en Enrollment) (bool, error) {
	if f.Goal == nil {
		return false, nil
	}
	// An anonymous contact enrolled (a cart push) may since have been
	// merged into the person who identified at checkout: the order is
	// then logged for the surviving contact, which Contact resolves to.
	contactID := en.ContactID
	switch c, err := e.st.Contact(ctx, en.WorkspaceID, en.ContactID); {
	case err == nil:
		contactID = c.ID
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	evs, err := e.st.ContactEventsOfType(ctx, en.WorkspaceID, contactID, f.Goal.Event, en.TriggerEventID, 100)
	if err != nil {
		return false, err
	}
	for _, ev := range evs {
		if matchProps(f.Goal.Filters, ev.Props) {
			return true, nil
		}
	}
	return false, nil
}

// branch evaluates a branch's condition against the contact's facts.
func (e *Engine) branch(ctx context.Context, en Enrollment, b *Branch) (bool, error) {
	if e.facts == nil {
		return false, errors.New("branch step: the engine has no Facts")
	}
	facts, err := e.facts.ContactFacts(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return false, fmt.Errorf("contact facts: %w", err)
	}
	doc, err := normalize(facts)
	if err != nil {
		return false, fmt.Errorf("contact facts: %w", err)
	}
	return matchAll(b.Condition, doc), nil
}

// waitUntil is when a wait step started at now ends.
func (e *Engine) waitUntil(ctx context.Context, en Enrollment, w *Wait, now time.Time) time.Time {
	t := now.Add(time.Duration(w.Duration))
	if w.UntilHour == nil {
		return t
	}
	loc := time.UTC
	if e.tz != nil {
		if l := e.tz(ctx, en.WorkspaceID, en.ContactID); l != nil {
			loc = l
		}
	}
	return nextHour(t, *w.UntilHour, loc)
}

// nextHour is the first time at or after t when the clock in loc shows
// hour:00. time.Date normalises a day that DST makes skip the hour.
func nextHour(t time.Time, hour int, loc *time.Location) time.Time {
	l := t.In(loc)
	c := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if c.Before(l) {
		c = time.Date(l.Year(), l.Month(), l.Day()+1, hour, 0, 0, 0, loc)
	}
	return c
}
