package automation

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Filter operators.
const (
	OpEq       = "eq"
	OpNeq      = "neq"
	OpGte      = "gte"
	OpLte      = "lte"
	OpExists   = "exists"
	OpContains = "contains"
)

// Filter tests one field of a JSON document: an event's properties for
// triggers and goals, the contact's facts for branches. Field is a dotted
// path ("cart.items.0.sku"); numbers index arrays.
type Filter struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	// Value is compared with the field; for exists, false asks that the
	// field be missing (or null) and anything else that it be present.
	Value any `json:"value,omitempty"`
}

func (fl Filter) validate() error {
	if fl.Field == "" || len(fl.Field) > 200 {
		return errors.New("field is required, at most 200 characters")
	}
	switch fl.Op {
	case OpExists:
		if _, ok := fl.Value.(bool); fl.Value != nil && !ok {
			return errors.New("exists takes true, false or no value")
		}
	case OpEq, OpNeq, OpContains:
		if fl.Value == nil {
			return fmt.Errorf("%s needs a value", fl.Op)
		}
	case OpGte, OpLte:
		switch fl.Value.(type) {
		case float64, int, int64, string:
		default:
			return fmt.Errorf("%s compares with a number or a string", fl.Op)
		}
	default:
		return fmt.Errorf("op %q is not eq, neq, gte, lte, exists or contains", fl.Op)
	}
	return nil
}

// matchAll reports whether doc passes every filter.
func matchAll(filters []Filter, doc any) bool {
	for _, fl := range filters {
		if !fl.match(doc) {
			return false
		}
	}
	return true
}

// matchProps reports whether an event's properties pass every filter.
func matchProps(filters []Filter, props json.RawMessage) bool {
	if len(filters) == 0 {
		return true
	}
	var doc any
	if len(props) > 0 && json.Unmarshal(props, &doc) != nil {
		return false
	}
	return matchAll(filters, doc)
}

func (fl Filter) match(doc any) bool {
	v, ok := lookup(doc, fl.Field)
	ok = ok && v != nil
	switch fl.Op {
	case OpExists:
		want, isBool := fl.Value.(bool)
		return ok == (!isBool || want)
	case OpEq:
		return ok && equal(v, fl.Value)
	case OpNeq:
		return !ok || !equal(v, fl.Value)
	case OpGte, OpLte:
		c, comparable := compare(v, fl.Value)
		if !ok || !comparable {
			return false
		}
		if fl.Op == OpGte {
			return c >= 0
		}
		return c <= 0
	case OpContains:
		switch x := v.(type) {
		case string:
			s, isStr := fl.Value.(string)
			return isStr && strings.Contains(x, s)
		case []any:
			for _, el := range x {
				if equal(el, fl.Value) {
					return true
				}
			}
		}
	}
	return false
}

// lookup walks a dotted path through decoded JSON.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for part := range strings.SplitSeq(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func equal(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

// compare orders two numbers or two strings (ISO dates order as strings).
func compare(a, b any) (int, bool) {
	if x, ok := number(a); ok {
		y, ok := number(b)
		switch {
		case !ok:
			return 0, false
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	x, ok1 := a.(string)
	y, ok2 := b.(string)
	return strings.Compare(x, y), ok1 && ok2
}

// normalize turns Go values (facts a provider built) into what decoding
// JSON gives, so filters compare them the same way as event properties.
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// Match reports whether doc passes the filter. Segments
// (personalization/segments) test profile fields with it, so that a
// condition means the same in a segment as in a flow.
func (fl Filter) Match(doc any) bool { return fl.match(doc) }

// Check reports what is wrong with the filter, nil when it is usable.
func (fl Filter) Check() error { return fl.validate() }
