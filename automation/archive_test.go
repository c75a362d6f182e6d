package automation

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// An archived flow never sends the step after its wait: archiving ends the
// waiting enrollment, whose job, when due, finds it ended. It takes no new
// enrollments, and is restored to paused, never straight to active.
func TestArchiveEndsEnrollmentsAndSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	f := h.flow(Flow{Name: "archive", Trigger: Trigger{Event: cdp.EventCheckoutUpdated}, Steps: []Step{
		waitStep("wait", hours(1)), sendStep("email", KindSendEmail, "after the wait"),
	}})
	h.event(cdp.EventCheckoutUpdated, "v1", checkout)
	en := h.waitEnrollment(f.ID, EnrollmentActive, "email")

	got, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowArchived)
	if err != nil || got.Status != FlowArchived {
		t.Fatalf("archive: %+v %v", got, err)
	}
	if e, err := h.eng.Enrollment(h.ctx, ws, en.ID); err != nil || e.Status != EnrollmentExitedArchived {
		t.Fatalf("enrollment after archiving: %+v %v", e, err)
	}
	// The email step's job comes due and runs: it must find nothing to do.
	h.clock.Add(2 * time.Hour)
	h.waitFor("the email step's job to be worked", func() bool {
		j := h.job(en.ID, "email")
		return j != nil && j.State == rivertype.JobStateCompleted
	})
	if n := len(h.actions.list("")); n != 0 {
		t.Fatalf("%d actions after archiving: %+v", n, h.actions.list(""))
	}
	if runs := h.stepRuns(en.ID); len(runs) != 1 || runs[0] != "wait:done" {
		t.Fatalf("step runs %v, want only the wait", runs)
	}
	// No new enrollment while archived.
	h.event(cdp.EventCheckoutUpdated, "v2", map[string]any{"email": "bo@example.com", "token": "c2"})
	if ens := h.enrollments(f.ID); len(ens) != 1 {
		t.Fatalf("%d enrollments in an archived flow, want the one ended", len(ens))
	}

	if _, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowActive); !isInvalid(err) {
		t.Fatalf("archived straight to active: %v", err)
	}
	if got, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowPaused); err != nil || got.Status != FlowPaused {
		t.Fatalf("restore: %+v %v", got, err)
	}
	if _, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowActive); err != nil {
		t.Fatal(err)
	}
	// The archived enrollment stays ended; a new trigger enrols again.
	h.event(cdp.EventCheckoutUpdated, "v3", map[string]any{"email": "cy@example.com", "token": "c3"})
	h.waitFor("a new enrollment after restoring", func() bool { return len(h.enrollments(f.ID)) == 2 })
	if e, err := h.eng.Enrollment(h.ctx, ws, en.ID); err != nil || e.Status != EnrollmentExitedArchived {
		t.Fatalf("archived enrollment after restoring: %+v %v", e, err)
	}
	if _, err := h.eng.CreateFlow(h.ctx, ws, Flow{Name: "born archived", Status: FlowArchived,
		Trigger: Trigger{Event: cdp.EventCheckoutUpdated}, Steps: []Step{sendStep("email", KindSendEmail, "x")}}); !isInvalid(err) {
		t.Fatalf("creating an archived flow: %v", err)
	}
}

// A flow paused with an enrollment held at its next step, then archived,
// ends that enrollment too: activating after a restore does not resume it.
func TestArchiveEndsHeldEnrollments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	f := h.flow(Flow{Name: "archive held", Trigger: Trigger{Event: cdp.EventCheckoutUpdated}, Steps: []Step{
		waitStep("wait", hours(1)), sendStep("email", KindSendEmail, "held"),
	}})
	h.event(cdp.EventCheckoutUpdated, "v1", checkout)
	h.waitEnrollment(f.ID, EnrollmentActive, "email")
	if _, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowPaused); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(time.Hour)
	en := h.waitEnrollment(f.ID, EnrollmentPaused, "email")
	if _, err := h.eng.SetStatus(h.ctx, ws, f.ID, FlowArchived); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{FlowPaused, FlowActive} {
		if _, err := h.eng.SetStatus(h.ctx, ws, f.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if e, err := h.eng.Enrollment(h.ctx, ws, en.ID); err != nil || e.Status != EnrollmentExitedArchived {
		t.Fatalf("held enrollment after archiving and restoring: %+v %v", e, err)
	}
	h.clock.Add(time.Hour)
	if n := len(h.actions.list("")); n != 0 {
		t.Fatalf("%d actions", n)
	}
}
