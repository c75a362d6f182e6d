package automation

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// visit logs a page view in a session of its own, at the clock's time
// less ago, and runs both processors.
func (h *harness) visit(typ, visitor, session string, ago time.Duration, props map[string]any) {
	h.t.Helper()
	raw, _ := json.Marshal(props)
	at := h.clock.Now().Add(-ago)
	if err := h.st.AppendEvents(h.ctx, []store.Event{{WorkspaceID: ws, Type: typ, Source: "test", VisitorID: visitor,
		SessionID: session, OccurredAt: at, ReceivedAt: h.clock.Now(), Props: raw}}); err != nil {
		h.t.Fatal(err)
	}
	if err := h.cdp.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	if err := h.proc.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// Conditions on the contact's profile: the third visit without an order
// enrols, the second does not, nor a customer's third. An event older
// than the trigger age enrols nobody but still reaches a goal.
func TestTriggerConditionsAndStaleEvents(t *testing.T) {
	t.Parallel()
	var h *harness
	facts := factsFunc(func(ctx context.Context, workspaceID, contactID string) (map[string]any, error) {
		raw, err := h.st.Profile(ctx, workspaceID, contactID)
		if err != nil {
			return nil, err
		}
		var profile map[string]any
		if err := json.Unmarshal(raw, &profile); err != nil {
			return nil, err
		}
		return map[string]any{"profile": profile}, nil
	})
	h = newHarness(t, Options{Facts: facts})
	third := h.flow(Flow{Name: "third visit", Trigger: Trigger{Event: cdp.EventPageView, Conditions: []Filter{
		{Field: "profile.visits", Op: OpGte, Value: 3}, {Field: "profile.orders", Op: OpEq, Value: 0}}},
		Steps: []Step{sendStep("push", KindSendPush, "third")}})
	cart := h.flow(cartFlow())

	for _, s := range []string{"s1", "s2"} {
		h.visit(cdp.EventPageView, "v1", s, 0, nil)
		h.visit(cdp.EventPageView, "buyer", s, 0, nil)
	}
	if n := len(h.enrollments(third.ID)); n != 0 {
		t.Fatalf("%d enrolled after two visits", n)
	}
	h.visit(cdp.EventOrderPlaced, "buyer", "", 0, map[string]any{"order_id": "o1"})
	h.visit(cdp.EventPageView, "v1", "s3", 0, nil)
	h.visit(cdp.EventPageView, "buyer", "s3", 0, nil)
	en := h.waitEnrollment(third.ID, EnrollmentCompleted, "")
	if en.ContactID != h.contactOf("v1") {
		t.Fatalf("enrolled %s, want v1's contact", en.ContactID)
	}

	// A checkout from three days ago (a backfill, or read after downtime)
	// enrols nobody; a current one does, and an old order still ends it.
	h.visit(cdp.EventCheckoutUpdated, "late", "", 72*time.Hour, checkout)
	if n := len(h.enrollments(cart.ID)); n != 0 {
		t.Fatalf("a stale checkout enrolled %d", n)
	}
	h.visit(cdp.EventCheckoutUpdated, "v2", "", 47*time.Hour, checkout)
	h.waitEnrollment(cart.ID, EnrollmentActive, "email-1")
	h.visit(cdp.EventOrderPlaced, "v2", "", 72*time.Hour, map[string]any{"order_id": "o2"})
	h.waitEnrollment(cart.ID, EnrollmentExitedGoal, "email-1")
}

// A flow with conditions on an engine without Facts enrols nobody.
func TestConditionsWithoutFactsEnrolNobody(t *testing.T) {
	t.Parallel()
	e := &Engine{log: slog.New(slog.DiscardHandler)}
	c := conditionChecker{e: e, workspaceID: ws, contactID: "ct"}
	f := &Flow{Trigger: Trigger{Event: "page_view", Conditions: []Filter{{Field: "profile.visits", Op: OpGte, Value: 3}}}}
	if ok, err := c.pass(context.Background(), f); ok || err != nil {
		t.Fatalf("pass = %v, %v", ok, err)
	}
	f.Trigger.Conditions = nil
	if ok, err := c.pass(context.Background(), f); !ok || err != nil {
		t.Fatalf("no conditions: pass = %v, %v", ok, err)
	}
	bad := Flow{Name: "x", Trigger: Trigger{Event: "page_view", Conditions: []Filter{{Field: "a", Op: "near"}}},
		Steps: []Step{sendStep("push", KindSendPush, "x")}}
	if err := bad.Validate(); !isInvalid(err) {
		t.Fatalf("a bad condition: %v", err)
	}
}
