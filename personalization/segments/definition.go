// Package segments keeps groups of contacts defined by rules: a definition
// is a JSON tree of and/or/not over conditions on the contact's profile,
// its behaviour in a time window, its orders and its scores. Membership is
// kept in real time by a follower of the event log (Follower), time-based
// conditions flip when they become true (a re-check scheduled for that
// moment), and entering or leaving a segment is an event flows trigger on.
package segments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
)

// Limits that keep one definition cheap to evaluate on every event.
const (
	maxDepth      = 8
	maxNodes      = 64
	maxWindowDays = 365
	maxNameLen    = 200
)

// Node is one node of a definition: exactly one of And, Or, Not (the
// joins) or a condition (Field with Op and Value, Since, Event, Score).
type Node struct {
	And []Node `json:"and,omitempty"`
	Or  []Node `json:"or,omitempty"`
	Not *Node  `json:"not,omitempty"`

	// Field, Op and Value test one field of the contact's facts, the
	// document flow conditions test (automation/actions ContactFacts plus
	// the fields segments add, docs/segments.md), with the operators of
	// flow filters: eq, neq, gte, lte, exists, contains.
	Field string `json:"field,omitempty"`
	Op    string `json:"op,omitempty"`
	Value any    `json:"value,omitempty"`

	Since *Since     `json:"since,omitempty"`
	Event *EventCond `json:"event,omitempty"`
	Score *Score     `json:"score,omitempty"`
}

// Since holds when the date in Field (RFC 3339, e.g. profile.last_order_at)
// is at least Days ago (op gte) or less than Days ago (op lt). A contact
// without the date fails gte and lt alike. It flips by itself as time
// passes: the follower re-checks the contact at that moment.
type Since struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Days  int    `json:"days"`
}

// EventCond counts the contact's events of Type in the last WithinDays days
// whose properties pass every filter of Where, and compares the count with
// Count: op gte ("viewed Shoes at least 3 times") or lte (0 for "no order
// in 7 days"). Email opens a machine made are never counted.
type EventCond struct {
	Type       string              `json:"type"`
	Where      []automation.Filter `json:"where,omitempty"`
	WithinDays int                 `json:"within_days"`
	Op         string              `json:"op"`
	Count      int                 `json:"count"`
}

// Score tests a stored score or prediction of the contact (the columns
// of contact_scores, docs/segments.md) with a flow filter's operators.
type Score struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// ScoreFields are the score and prediction fields a Score condition may
// name: the columns the scores work stores per contact.
var ScoreFields = []string{"rfm_r", "rfm_f", "rfm_m", "rfm_cell", "recency_days", "order_count", "revenue",
	"engagement", "p_alive", "churn_risk", "p_order_30", "p_order_90", "expected_orders_30", "expected_orders_90",
	"expected_spend_90", "clv", "clv_tier", "next_order_at", "prediction_confidence", "price_band"}

// InvalidError is a definition that cannot be used, with the path to the
// bad node ("and[1].event.within_days"); the HTTP layer answers 400.
type InvalidError struct {
	Path, Reason string
}

func (e *InvalidError) Error() string { return "segment: " + e.Path + ": " + e.Reason }

// InvalidInput marks the error as the caller's fault.
func (e *InvalidError) InvalidInput() {}

func invalid(path, format string, args ...any) error {
	if path == "" {
		path = "definition"
	}
	return &InvalidError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads and validates a definition. Unknown fields are refused: a
// misspelt "withn_days" silently ignored would change who is in.
func Parse(data []byte) (Node, error) {
	var n Node
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return n, invalid("definition", "not a definition: %v", err)
	}
	if dec.More() {
		return n, invalid("definition", "trailing data after the definition")
	}
	count := 0
	return n, n.validate("", 0, &count)
}

var eventType = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func join(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + part
}

func (n *Node) kinds() []string {
	var k []string
	if n.And != nil {
		k = append(k, "and")
	}
	if n.Or != nil {
		k = append(k, "or")
	}
	if n.Not != nil {
		k = append(k, "not")
	}
	if n.Field != "" || n.Op != "" {
		k = append(k, "field")
	}
	if n.Since != nil {
		k = append(k, "since")
	}
	if n.Event != nil {
		k = append(k, "event")
	}
	if n.Score != nil {
		k = append(k, "score")
	}
	return k
}

func (n *Node) validate(path string, depth int, count *int) error {
	*count++
	if *count > maxNodes {
		return invalid(path, "a definition has at most %d nodes", maxNodes)
	}
	if depth > maxDepth {
		return invalid(path, "nested deeper than %d", maxDepth)
	}
	k := n.kinds()
	if len(k) != 1 {
		if len(k) == 0 {
			return invalid(path, "empty node: give and, or, not, field, since, event or score")
		}
		return invalid(path, "one node holds one of and, or, not, field, since, event, score; this has %s", strings.Join(k, ", "))
	}
	if n.Value != nil && k[0] != "field" {
		return invalid(join(path, "value"), "value belongs to a field condition")
	}
	switch k[0] {
	case "and", "or":
		list := n.And
		if k[0] == "or" {
			list = n.Or
		}
		if len(list) == 0 {
			return invalid(join(path, k[0]), "needs at least one condition")
		}
		for i := range list {
			if err := list[i].validate(fmt.Sprintf("%s[%d]", join(path, k[0]), i), depth+1, count); err != nil {
				return err
			}
		}
	case "not":
		return n.Not.validate(join(path, "not"), depth+1, count)
	case "field":
		if err := (automation.Filter{Field: n.Field, Op: n.Op, Value: n.Value}).Check(); err != nil {
			return invalid(join(path, "field"), "%v", err)
		}
	case "since":
		s := n.Since
		if s.Field == "" || len(s.Field) > 200 {
			return invalid(join(path, "since.field"), "is required, at most 200 characters")
		}
		if s.Op != "gte" && s.Op != "lt" {
			return invalid(join(path, "since.op"), "%q is not gte or lt", s.Op)
		}
		if s.Days < 0 || s.Days > 3650 {
			return invalid(join(path, "since.days"), "must be from 0 to 3650")
		}
	case "event":
		e := n.Event
		if !eventType.MatchString(e.Type) {
			return invalid(join(path, "event.type"), "%q is not an event name", e.Type)
		}
		if e.WithinDays < 1 || e.WithinDays > maxWindowDays {
			return invalid(join(path, "event.within_days"), "must be from 1 to %d", maxWindowDays)
		}
		if e.Op != "gte" && e.Op != "lte" {
			return invalid(join(path, "event.op"), "%q is not gte or lte", e.Op)
		}
		if e.Count < 0 || e.Count > 1000 {
			return invalid(join(path, "event.count"), "must be from 0 to 1000")
		}
		if e.Op == "gte" && e.Count == 0 {
			return invalid(join(path, "event.count"), "at least 0 events is always true; use count 1 or more")
		}
		if len(e.Where) > 10 {
			return invalid(join(path, "event.where"), "at most 10 filters")
		}
		for i, f := range e.Where {
			if err := f.Check(); err != nil {
				return invalid(fmt.Sprintf("%s[%d]", join(path, "event.where"), i), "%v", err)
			}
		}
	case "score":
		s := n.Score
		if !slices.Contains(ScoreFields, s.Field) {
			return invalid(join(path, "score.field"), "%q is not a score field (%s)", s.Field, strings.Join(ScoreFields, ", "))
		}
		if err := (automation.Filter{Field: s.Field, Op: s.Op, Value: s.Value}).Check(); err != nil {
			return invalid(join(path, "score"), "%v", err)
		}
	}
	return nil
}

// usesScores reports whether any condition reads scores.
func (n *Node) usesScores() bool {
	if n.Score != nil {
		return true
	}
	if n.Not != nil && n.Not.usesScores() {
		return true
	}
	for _, l := range [][]Node{n.And, n.Or} {
		for i := range l {
			if l[i].usesScores() {
				return true
			}
		}
	}
	return false
}
