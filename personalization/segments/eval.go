package segments

import (
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
)

const day = 24 * time.Hour

// Facts is what a definition is evaluated against: the contact's facts
// document, its scores, and its recent events of the types the
// workspace's segments count.
type Facts struct {
	// Doc is the decoded JSON facts document (map[string]any).
	Doc any
	// Scores maps score fields to values; nil when the contact has none.
	Scores map[string]any
	// Events holds, per type, the contact's events within the longest
	// window any segment looks back, oldest first.
	Events map[string][]Occurrence
}

// Occurrence is one event a window condition may count.
type Occurrence struct {
	At    time.Time
	Props any // decoded JSON properties
}

// Result is a definition's answer for one contact now, and the earliest
// later time it can change without a new event (zero: never by itself).
type Result struct {
	In   bool
	Next time.Time
}

// earlier returns the earlier of two re-check times, zero meaning none.
func earlier(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// Eval evaluates the definition for f at now.
func (n *Node) Eval(f *Facts, now time.Time) Result {
	switch {
	case n.And != nil, n.Or != nil:
		isAnd := n.And != nil
		list := n.And
		if !isAnd {
			list = n.Or
		}
		// While some child decides the result (a false one under and, a true
		// one under or), it can only change once every deciding child has
		// flipped: the latest of their times, never if one never flips by
		// itself. Otherwise any child flipping changes it.
		var deciding, all time.Time
		decided, never := false, false
		for i := range list {
			r := list[i].Eval(f, now)
			all = earlier(all, r.Next)
			if r.In != isAnd {
				decided = true
				if r.Next.IsZero() {
					never = true
				} else if r.Next.After(deciding) {
					deciding = r.Next
				}
			}
		}
		if decided {
			if never {
				deciding = time.Time{}
			}
			return Result{In: !isAnd, Next: deciding}
		}
		return Result{In: isAnd, Next: all}
	case n.Not != nil:
		r := n.Not.Eval(f, now)
		return Result{In: !r.In, Next: r.Next}
	case n.Since != nil:
		return n.Since.eval(f, now)
	case n.Event != nil:
		return n.Event.eval(f, now)
	case n.Score != nil:
		var doc any
		if f.Scores != nil {
			doc = f.Scores
		}
		return Result{In: automation.Filter{Field: n.Score.Field, Op: n.Score.Op, Value: n.Score.Value}.Match(doc)}
	}
	return Result{In: automation.Filter{Field: n.Field, Op: n.Op, Value: n.Value}.Match(f.Doc)}
}

// lookup walks a dotted path through decoded JSON.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '.' {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[path[start:i]]; !ok {
			return nil, false
		}
		start = i + 1
	}
	return cur, true
}

func (s *Since) eval(f *Facts, now time.Time) Result {
	v, _ := lookup(f.Doc, s.Field)
	str, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil || t.IsZero() {
		return Result{}
	}
	at := t.Add(time.Duration(s.Days) * day) // the moment "at least Days ago" becomes true
	reached := !now.Before(at)
	var next time.Time
	if !reached {
		next = at
	}
	if s.Op == "gte" {
		return Result{In: reached, Next: next}
	}
	return Result{In: !reached, Next: next}
}

func (e *EventCond) eval(f *Facts, now time.Time) Result {
	window := time.Duration(e.WithinDays) * day
	from := now.Add(-window)
	n := 0
	var next time.Time
	for _, o := range f.Events[e.Type] {
		// An event counts while now is before its time plus the window;
		// at that instant it leaves, and the count may flip the result.
		if !o.At.After(from) || machineOpen(e.Type, o.Props) || !matchAll(e.Where, o.Props) {
			continue
		}
		n++
		next = earlier(next, o.At.Add(window))
	}
	in := n >= e.Count
	if e.Op == "lte" {
		in = n <= e.Count
	}
	return Result{In: in, Next: next}
}

func matchAll(fs []automation.Filter, doc any) bool {
	for _, fl := range fs {
		if !fl.Match(doc) {
			return false
		}
	}
	return true
}

// machineOpen reports an email open a mail server or privacy proxy made
// (messaging logs only people's opens, with machine false; an event
// saying machine true from elsewhere is still not a person's).
func machineOpen(typ string, props any) bool {
	if typ != "email_opened" {
		return false
	}
	m, _ := props.(map[string]any)
	machine, _ := m["machine"].(bool)
	return machine
}
