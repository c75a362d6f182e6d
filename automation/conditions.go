package automation

import (
	"context"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// conditionChecker evaluates triggers' conditions for one event. The
// contact's facts are read at most once per event, however many flows the
// event triggers, and only when a flow has conditions.
//
// The facts are read when the automation processor applies the event,
// which is never before the profile processor has counted it (the
// processor stops at the profile checkpoint): "profile.visits >= 3" on a
// page view includes that page view's visit.
type conditionChecker struct {
	e                      *Engine
	workspaceID, contactID string
	doc                    any
	loaded                 bool
}

// pass reports whether f's trigger conditions hold for the contact. A flow
// with conditions on an engine without Facts enrols nobody: enrolling
// everyone the conditions were meant to filter out would be worse, and
// the error is the deployment's, so it is logged rather than retried.
func (c *conditionChecker) pass(ctx context.Context, f *Flow) (bool, error) {
	if len(f.Trigger.Conditions) == 0 {
		return true, nil
	}
	if c.e.facts == nil {
		c.e.log.Error("automation: flow has trigger conditions but the engine has no Facts; nobody enrolled",
			"flow", f.ID)
		return false, nil
	}
	if !c.loaded {
		facts, err := c.e.facts.ContactFacts(ctx, c.workspaceID, c.contactID)
		if err != nil {
			return false, fmt.Errorf("contact facts: %w", err)
		}
		if c.doc, err = normalize(facts); err != nil {
			return false, fmt.Errorf("contact facts: %w", err)
		}
		c.loaded = true
	}
	return matchAll(f.Trigger.Conditions, c.doc), nil
}

// tooOld says why an event is too old to enrol anyone in f ("" when it
// is not): older than the flow's trigger max_age, else the engine's
// default (Options.MaxTriggerAge; negative turns the default off). An
// event without a time is taken as current.
func (e *Engine) tooOld(f *Flow, ev store.Event) string {
	limit := time.Duration(f.Trigger.MaxAge)
	if limit == 0 {
		limit = e.maxAge
	}
	if limit < 0 || ev.OccurredAt.IsZero() {
		return ""
	}
	age := e.clock.Now().Sub(ev.OccurredAt)
	if age <= limit {
		return ""
	}
	return fmt.Sprintf("the event happened %v ago, more than the trigger's max_age of %v", age.Round(time.Second), limit)
}
