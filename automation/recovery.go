package automation

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// maxGoalLookup bounds how many goal events one check reads.
const maxGoalLookup = 100

// checkoutTriggers are the events that make a flow an abandoned-checkout
// flow: its enrollments are about one checkout, whose state in the store
// decides whether a reminder still makes sense.
var checkoutTriggers = map[string]bool{cdp.EventCheckoutUpdated: true, cdp.EventCheckoutStarted: true}

// checkoutToken is the checkout an event is about: a checkout_updated
// event's "token", a tracker's checkout_started "checkout_token".
func checkoutToken(ev store.Event) string {
	if !checkoutTriggers[ev.Type] {
		return ""
	}
	var p struct {
		Token         string `json:"token"`
		CheckoutToken string `json:"checkout_token"`
	}
	_ = json.Unmarshal(ev.Props, &p) // props that are no object name no checkout
	if p.Token != "" {
		return p.Token
	}
	return p.CheckoutToken
}

// Reasons an enrollment ends, or is never made, because what it would
// remind of is settled.
const (
	reasonCheckoutCompleted = "checkout completed"
	reasonCheckoutOrdered   = "order placed for the checkout"
	reasonGoalBefore        = "goal reached since the trigger happened"
)

// settled says why the contact must get nothing more from flow f started
// by trigger, "" when nothing stands in the way. Webhooks are not ordered,
// so the log's order proves nothing:
//
//   - a checkout trigger's checkout, as stored, is completed (Shopify's
//     last checkouts/update carries completed_at, often after
//     orders/create), or an order of it is stored, whenever it arrived;
//   - the goal happened (by its own time) after the trigger did — for a
//     checkout, after the checkout was created — even if its event was
//     logged before the trigger's.
func (e *Engine) settled(ctx context.Context, f *Flow, trigger store.Event, contactID string) (string, error) {
	since := trigger.OccurredAt
	if token := checkoutToken(trigger); token != "" {
		c, err := e.st.Checkout(ctx, trigger.WorkspaceID, token)
		switch {
		case err == nil:
			if !c.CompletedAt.IsZero() {
				return reasonCheckoutCompleted, nil
			}
			if !c.CreatedAt.IsZero() && c.CreatedAt.Before(since) {
				since = c.CreatedAt
			}
		case !errors.Is(err, store.ErrNotFound):
			return "", err
		}
		ordered, err := e.st.CheckoutOrdered(ctx, trigger.WorkspaceID, token)
		if err != nil {
			return "", err
		}
		if ordered {
			return reasonCheckoutOrdered, nil
		}
	}
	if f.Goal == nil || since.IsZero() {
		return "", nil
	}
	evs, err := e.st.ContactEventsOfTypeSince(ctx, trigger.WorkspaceID, contactID, f.Goal.Event, since, trigger.ID, maxGoalLookup)
	if err != nil {
		return "", err
	}
	for _, ev := range evs {
		if matchProps(f.Goal.Filters, ev.Props) {
			return reasonGoalBefore, nil
		}
	}
	return "", nil
}

// settledEnrollment is settled for a running enrollment: its trigger event
// read back from the log (an erased one settles nothing) and its contact
// followed through merges.
func (e *Engine) settledEnrollment(ctx context.Context, f *Flow, en Enrollment) (string, error) {
	if en.TriggerEventID <= 0 {
		return "", nil
	}
	ev, err := e.st.Event(ctx, en.WorkspaceID, en.TriggerEventID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	contactID := en.ContactID
	switch c, err := e.st.Contact(ctx, en.WorkspaceID, en.ContactID); {
	case err == nil:
		contactID = c.ID
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	return e.settled(ctx, f, ev, contactID)
}
