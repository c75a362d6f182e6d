// Package automation turns what contacts do into flows of messages and
// other actions: a flow's trigger enrols a contact, each step of the
// enrollment (wait, branch, send, tag, discount, webhook) runs as a durable
// job, and the flow's goal ends the enrollment early.
//
// The engine is built so that a restart at any point loses no step and
// performs none twice: every step is a River job, River delivers a job at
// least once, and a step's record in step_runs, written in the transaction
// that moves the enrollment on, turns any second delivery into a no-op.
package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging"
)

// Flow statuses.
const (
	FlowDraft  = "draft"
	FlowActive = "active"
	FlowPaused = "paused"
	// FlowArchived is a flow put away: it takes no enrollments, the ones it
	// had ended (exited_archived), and lists leave it out unless asked. It
	// can only be restored to paused.
	FlowArchived = "archived"
)

// Step kinds.
const (
	KindWait      = "wait"
	KindBranch    = "branch"
	KindSendEmail = "send_email"
	KindSendPush  = "send_push"
	KindInbox     = "inbox"
	KindTagAdd    = "tag_add"
	KindTagRemove = "tag_remove"
	KindDiscount  = "discount"
	KindWebhook   = "webhook"
)

// Re-entry modes: whether a contact who already went through a flow may be
// enrolled again. Whatever the mode, a contact is never enrolled in a flow
// while an earlier enrollment in it is unfinished.
const (
	ReentryOnce      = "once"
	ReentryEveryDays = "every_n_days"
	ReentryAlways    = "always"
)

// EndTarget is the branch target that ends the enrollment.
const EndTarget = "end"

// Flow is a trigger, the steps an enrolled contact goes through, an
// optional goal that ends the enrollment early, and a re-entry policy.
type Flow struct {
	ID          string  `json:"id"`
	WorkspaceID string  `json:"workspace_id"`
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Trigger     Trigger `json:"trigger"`
	Steps       []Step  `json:"steps"`
	Goal        *Goal   `json:"goal,omitempty"`
	Reentry     Reentry `json:"reentry"`
	// ExcludeSegments names segments (personalization/segments) whose
	// members never enter the flow and, if they join one while enrolled,
	// are sent nothing more: the enrollment is cancelled before its next
	// send.
	ExcludeSegments []string  `json:"exclude_segments,omitempty"`
	Version         int       `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Trigger enrols a contact when it does an event of type Event whose
// properties pass every filter and, when Conditions are set, whose facts
// (Options.Facts) pass every condition then: "a page view by a contact
// with 3 visits and no order".
//
// MaxAge is how old (by the time it happened) an event may be when the
// processor reads it and still enrol anyone; unset means the engine's
// default (Options.MaxTriggerAge, 48 h). Older events, from a backfill or
// read after downtime, only reach goals.
type Trigger struct {
	Event      string   `json:"event"`
	Filters    []Filter `json:"filters,omitempty"`
	Conditions []Filter `json:"conditions,omitempty"`
	MaxAge     Duration `json:"max_age,omitempty"`
}

// Goal ends an enrollment (status exited_goal) when the contact does an
// event of type Event whose properties pass every filter.
type Goal struct {
	Event   string   `json:"event"`
	Filters []Filter `json:"filters,omitempty"`
}

// Reentry is the flow's re-entry policy; Days is for every_n_days.
type Reentry struct {
	Mode string `json:"mode"`
	Days int    `json:"days,omitempty"`
}

// Step is one step of a flow. ID is stable within the flow, across
// versions: enrollments, jobs and step records name steps by it. Wait is
// set for wait steps, Branch for branches, and Params carries what a
// side-effect step needs (template, title, tag, url…), as its action
// reads it. Steps run in order; Next, on any step but a branch, names
// another step to go to instead, or "end", so that the arms of a branch
// can each end on their own.
type Step struct {
	ID     string         `json:"id"`
	Kind   string         `json:"kind"`
	Wait   *Wait          `json:"wait,omitempty"`
	Branch *Branch        `json:"branch,omitempty"`
	Params map[string]any `json:"params,omitempty"`
	Next   string         `json:"next,omitempty"`
}

// Wait delays the next step by Duration, then, if UntilHour is set, until
// that hour (0-23) of the day in the contact's timezone.
type Wait struct {
	Duration  Duration `json:"duration,omitempty"`
	UntilHour *int     `json:"until_hour,omitempty"`
}

// Branch goes to step Then if the contact's facts pass every filter of
// Condition, else to step Else. An empty target is the step after the
// branch; "end" ends the enrollment.
type Branch struct {
	Condition []Filter `json:"condition"`
	Then      string   `json:"then,omitempty"`
	Else      string   `json:"else,omitempty"`
}

// Duration is a time.Duration written in JSON as "90m", "24h" or "5d";
// DecodeFlow's validation bounds a wait to maxWaitDays.
type Duration = messaging.Duration

// InvalidError is a flow that can never run as given; the HTTP layer
// answers 400.
type InvalidError struct {
	Field, Reason string
}

func (e *InvalidError) Error() string { return "flow: " + e.Field + ": " + e.Reason }

// InvalidInput marks the error as the caller's fault.
func (e *InvalidError) InvalidInput() {}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DecodeFlow reads a flow from an admin's JSON and validates it. Unknown
// fields are refused: a misspelt "filter" silently ignored would enrol
// everyone.
func DecodeFlow(data []byte) (Flow, error) {
	var f Flow
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, invalid("body", "%v", err)
	}
	if dec.More() {
		return f, invalid("body", "trailing data after the flow")
	}
	return f, f.Validate()
}

// definition is the versioned part of a flow, stored as one JSON document
// per version.
type definition struct {
	Trigger Trigger `json:"trigger"`
	Steps   []Step  `json:"steps"`
	Goal    *Goal   `json:"goal,omitempty"`
	Reentry Reentry `json:"reentry"`
	// ExcludeSegments is Flow.ExcludeSegments.
	ExcludeSegments []string `json:"exclude_segments,omitempty"`
}

func (f *Flow) definition() ([]byte, error) {
	return json.Marshal(definition{Trigger: f.Trigger, Steps: f.Steps, Goal: f.Goal, Reentry: f.Reentry,
		ExcludeSegments: f.ExcludeSegments})
}

func decodeDefinition(f *Flow, data []byte) error {
	var d definition
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("flow %s version %d: stored definition: %w", f.ID, f.Version, err)
	}
	f.Trigger, f.Steps, f.Goal, f.Reentry, f.ExcludeSegments = d.Trigger, d.Steps, d.Goal, d.Reentry, d.ExcludeSegments
	return nil
}

// step returns the step with id, or nil.
func (f *Flow) step(id string) *Step {
	for i := range f.Steps {
		if f.Steps[i].ID == id {
			return &f.Steps[i]
		}
	}
	return nil
}

// after returns the id of the step following id in order, "" at the end.
func (f *Flow) after(id string) string {
	for i := range f.Steps {
		if f.Steps[i].ID == id && i+1 < len(f.Steps) {
			return f.Steps[i+1].ID
		}
	}
	return ""
}

// target resolves a step or branch target: "" is the step after from in
// order, "end" none.
func (f *Flow) target(from, to string) string {
	switch to {
	case "":
		return f.after(from)
	case EndTarget:
		return ""
	}
	return to
}

// successors lists the steps that can follow a step.
func (f *Flow) successors(s *Step) []string {
	var out []string
	add := func(id string) {
		if id != "" {
			out = append(out, id)
		}
	}
	if s.Kind == KindBranch && s.Branch != nil {
		add(f.target(s.ID, s.Branch.Then))
		add(f.target(s.ID, s.Branch.Else))
		return out
	}
	add(f.target(s.ID, s.Next))
	return out
}

var stepIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
