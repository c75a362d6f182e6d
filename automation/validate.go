package automation

import (
	"fmt"
	"net/url"
	"regexp"
	"time"
)

const (
	maxSteps    = 100
	maxFilters  = 20
	maxWaitDays = 3650
	maxNameLen  = 200

	// A trigger's max_age: under a minute no event would ever be read in
	// time; a year covers any backfill an admin could mean.
	minTriggerAge     = time.Minute
	maxTriggerAgeDays = 365
)

// eventNamePattern is the shape of event names (cdp.EventNamePattern).
var eventNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Validate checks that the flow can run: known step kinds with their
// settings, unique step ids, branch targets that exist, no cycle, every
// step reachable. It fills defaults (status draft, re-entry once).
func (f *Flow) Validate() error {
	if f.Name == "" || len(f.Name) > maxNameLen {
		return invalid("name", "is required, at most %d characters", maxNameLen)
	}
	switch f.Status {
	case "":
		f.Status = FlowDraft
	case FlowDraft, FlowActive, FlowPaused, FlowArchived:
	default:
		return invalid("status", "%q is not draft, active, paused or archived", f.Status)
	}
	if err := validateEvent("trigger", f.Trigger.Event, f.Trigger.Filters); err != nil {
		return err
	}
	if err := validateFilters("trigger.conditions", f.Trigger.Conditions); err != nil {
		return err
	}
	if a := time.Duration(f.Trigger.MaxAge); a != 0 && (a < minTriggerAge || a > maxTriggerAgeDays*24*time.Hour) {
		return invalid("trigger.max_age", "must be from %v to %d days (unset: 48h)", minTriggerAge, maxTriggerAgeDays)
	}
	if f.Goal != nil {
		if err := validateEvent("goal", f.Goal.Event, f.Goal.Filters); err != nil {
			return err
		}
	}
	if err := f.validateReentry(); err != nil {
		return err
	}
	if err := validateSegmentIDs("exclude_segments", f.ExcludeSegments); err != nil {
		return err
	}
	if len(f.Steps) == 0 || len(f.Steps) > maxSteps {
		return invalid("steps", "a flow has 1 to %d steps", maxSteps)
	}
	seen := map[string]bool{}
	for i := range f.Steps {
		s := &f.Steps[i]
		field := fmt.Sprintf("steps[%d]", i)
		if !stepIDPattern.MatchString(s.ID) || s.ID == EndTarget {
			return invalid(field+".id", "%q must be 1-64 of a-z, 0-9, _ and -, and not %q", s.ID, EndTarget)
		}
		if seen[s.ID] {
			return invalid(field+".id", "%q is used by two steps", s.ID)
		}
		seen[s.ID] = true
		if err := validateStep(field, s); err != nil {
			return err
		}
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		targets := []struct{ name, to string }{{"next", s.Next}}
		if s.Kind == KindBranch {
			if s.Next != "" {
				return invalid(fmt.Sprintf("steps[%d].next", i), "a branch goes on through then and else")
			}
			targets = []struct{ name, to string }{{"branch.then", s.Branch.Then}, {"branch.else", s.Branch.Else}}
		}
		for _, t := range targets {
			if t.to != "" && t.to != EndTarget && !seen[t.to] {
				return invalid(fmt.Sprintf("steps[%d].%s", i, t.name), "no step has id %q", t.to)
			}
		}
	}
	return f.validateGraph()
}

func (f *Flow) validateReentry() error {
	switch f.Reentry.Mode {
	case "":
		f.Reentry.Mode = ReentryOnce
		fallthrough
	case ReentryOnce, ReentryAlways:
		if f.Reentry.Days != 0 {
			return invalid("reentry.days", "is only for every_n_days")
		}
	case ReentryEveryDays:
		if f.Reentry.Days < 1 || f.Reentry.Days > maxWaitDays {
			return invalid("reentry.days", "must be from 1 to %d", maxWaitDays)
		}
	default:
		return invalid("reentry.mode", "%q is not once, every_n_days or always", f.Reentry.Mode)
	}
	return nil
}

func validateEvent(field, event string, filters []Filter) error {
	if !eventNamePattern.MatchString(event) {
		return invalid(field+".event", "%q is not an event name", event)
	}
	return validateFilters(field+".filters", filters)
}

func validateFilters(field string, filters []Filter) error {
	if len(filters) > maxFilters {
		return invalid(field, "at most %d filters", maxFilters)
	}
	for i, fl := range filters {
		if err := fl.validate(); err != nil {
			return invalid(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
	return nil
}

// validateStep checks that a step has its kind's settings and no other's.
func validateStep(field string, s *Step) error {
	if (s.Wait != nil) != (s.Kind == KindWait) {
		return invalid(field+".wait", "is set for wait steps and only for them")
	}
	if (s.Branch != nil) != (s.Kind == KindBranch) {
		return invalid(field+".branch", "is set for branch steps and only for them")
	}
	switch s.Kind {
	case KindWait:
		if len(s.Params) > 0 {
			return invalid(field+".params", "a wait step takes none")
		}
		d := time.Duration(s.Wait.Duration)
		if d < 0 || d > maxWaitDays*24*time.Hour {
			return invalid(field+".wait.duration", "must be from 0 to %d days", maxWaitDays)
		}
		if h := s.Wait.UntilHour; h != nil && (*h < 0 || *h > 23) {
			return invalid(field+".wait.until_hour", "must be from 0 to 23")
		}
		if d == 0 && s.Wait.UntilHour == nil {
			return invalid(field+".wait", "needs a duration, an until_hour or both")
		}
	case KindBranch:
		if len(s.Params) > 0 {
			return invalid(field+".params", "a branch takes none")
		}
		if len(s.Branch.Condition) == 0 {
			return invalid(field+".branch.condition", "needs at least one filter")
		}
		return validateFilters(field+".branch.condition", s.Branch.Condition)
	case KindTagAdd, KindTagRemove:
		if tag, _ := s.Params["tag"].(string); tag == "" || len(tag) > 100 {
			return invalid(field+".params.tag", "is required, at most 100 characters")
		}
	case KindWebhook:
		raw, _ := s.Params["url"].(string)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid(field+".params.url", "must be an http or https URL")
		}
	case KindSendBest:
		return validateBest(field, s)
	case KindSendEmail, KindSendPush, KindInbox, KindDiscount, KindSendSMS:
		// What these need is their channel's to check (templates, copy).
	default:
		return invalid(field+".kind", "%q is not a step kind", s.Kind)
	}
	return nil
}

// validateGraph walks the steps from the first: a cycle would run a
// contact through the same steps for ever (and could never be recorded
// once per step), and a step nothing leads to is a mistake in the flow.
func (f *Flow) validateGraph() error {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case onPath:
			return invalid("steps", "step %q leads back to itself: flows may not loop", id)
		case done:
			return nil
		}
		state[id] = onPath
		for _, next := range f.successors(f.step(id)) {
			if err := visit(next); err != nil {
				return err
			}
		}
		state[id] = done
		return nil
	}
	if err := visit(f.Steps[0].ID); err != nil {
		return err
	}
	for _, s := range f.Steps {
		if state[s.ID] != done {
			return invalid("steps", "no path leads to step %q", s.ID)
		}
	}
	return nil
}

// segmentIDPattern is the shape of segment ids; whether the segment exists
// is not checked here (a deleted segment excludes nobody).
var segmentIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func validateSegmentIDs(field string, ids []string) error {
	if len(ids) > maxFilters {
		return invalid(field, "at most %d segments", maxFilters)
	}
	for i, id := range ids {
		if !segmentIDPattern.MatchString(id) {
			return invalid(fmt.Sprintf("%s[%d]", field, i), "%q is not a segment id", id)
		}
	}
	return nil
}
