package automation

import (
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// TestExcludedSegmentMembersNeverEnterAndGetNoSend checks exclusion
// segments on a flow: a member of an excluded segment is not enrolled, and
// a contact who joins one while waiting in the flow is sent nothing more
// (the enrollment is cancelled before the send).
func TestExcludedSegmentMembersNeverEnterAndGetNoSend(t *testing.T) {
	h := newHarness(t, Options{})
	contact := func(visitor string) string {
		t.Helper()
		c, err := h.st.ContactByIdentity(h.ctx, ws, cdp.KindVisitor, visitor)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	join := func(contactID string) {
		t.Helper()
		if err := h.st.InTx(h.ctx, func(tx *store.Tx) error {
			return tx.JoinSegment(ws, "seg_staff", contactID, h.clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	f := h.flow(Flow{Name: "Browse reminder", Trigger: Trigger{Event: cdp.EventProductView},
		Steps:           []Step{waitStep("wait", hours(1)), sendStep("email", KindSendEmail, "browse")},
		ExcludeSegments: []string{"seg_staff"}})

	h.logEvent(cdp.EventPageView, "v-staff", nil)
	join(contact("v-staff"))
	h.event(cdp.EventProductView, "v-staff", map[string]any{"product": map[string]any{"id": "p1"}})
	if ens := h.enrollments(f.ID); len(ens) != 0 {
		t.Fatalf("a member of the excluded segment was enrolled: %+v", ens)
	}

	h.event(cdp.EventProductView, "v-ann", map[string]any{"product": map[string]any{"id": "p1"}})
	h.waitEnrollment(f.ID, EnrollmentActive, "email")
	join(contact("v-ann"))
	h.clock.Add(time.Hour)
	h.waitEnrollment(f.ID, EnrollmentCancelled, "email")
	if sent := h.actions.list(KindSendEmail); len(sent) != 0 {
		t.Fatalf("sent to a member of the excluded segment: %+v", sent)
	}
}
