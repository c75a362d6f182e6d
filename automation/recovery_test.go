package automation

import (
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
)

// checkoutOf records a checkout of the visitor as a connector does; a
// non-zero completed marks it completed.
func (h *harness) checkoutOf(visitor, token string, created, completed time.Time) {
	h.t.Helper()
	in := cdp.NewIngest(h.st, h.log, h.clock.Now)
	if err := in.RecordCheckout(h.ctx, commerce.Checkout{WorkspaceID: ws, ShopID: "shop", Token: token, VisitorID: visitor,
		Email: visitor + "@example.com", Currency: "EUR", TotalMinor: 1200, CreatedAt: created, UpdatedAt: h.clock.Now(),
		CompletedAt: completed, Items: []commerce.LineItem{{ProductID: "beans", Title: "Beans", Quantity: 1, PriceMinor: 1200}}},
		"test"); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) catchUp() {
	h.t.Helper()
	if err := h.cdp.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	if err := h.proc.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// A checkout's own state decides: one whose order arrived first, or that
// is completed, enrols nobody; one completed after enrolment ends before
// the next send, with no action taken.
func TestCompletedCheckoutNeitherEnrolsNorSends(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	f := h.flow(cartFlow())
	now := h.clock.Now()

	// The order of checkout tok-a is stored before the checkout's update.
	in := cdp.NewIngest(h.st, h.log, h.clock.Now)
	if err := in.RecordOrder(h.ctx, commerce.Order{WorkspaceID: ws, ShopID: "shop", ID: "o-a", ExternalID: "o-a",
		Email: "va@example.com", VisitorID: "va", CheckoutToken: "tok-a", Currency: "EUR", TotalMinor: 1200, PlacedAt: now,
		Items: []commerce.LineItem{{ProductID: "beans", Quantity: 1, PriceMinor: 1200}}}, "test"); err != nil {
		t.Fatal(err)
	}
	h.checkoutOf("va", "tok-a", now.Add(-time.Hour), time.Time{})
	h.catchUp()
	if n := len(h.enrollments(f.ID)); n != 0 {
		t.Fatalf("an ordered checkout enrolled %d", n)
	}

	h.checkoutOf("vb", "tok-b", now, time.Time{})
	h.catchUp()
	h.waitEnrollment(f.ID, EnrollmentActive, "email-1")
	h.checkoutOf("vb", "tok-b", now, now.Add(time.Minute)) // completed; no order webhook yet
	h.catchUp()
	h.clock.Add(61 * time.Minute)
	h.waitEnrollment(f.ID, EnrollmentExitedGoal, "email-1")
	if calls := h.actions.list(""); len(calls) != 0 {
		t.Fatalf("actions taken for a completed checkout: %+v", calls)
	}
}
