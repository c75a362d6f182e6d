package actions

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
)

// ParamError is a step whose params cannot work (a required one missing, a
// number that is not one). Retrying will not help: an engine may fail the
// step at once rather than back off.
type ParamError struct {
	Step   string
	Param  string
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("step %s: params.%s: %s", e.Step, e.Param, e.Reason)
}

// InvalidInput marks the error as the flow author's.
func (e *ParamError) InvalidInput() {}

// StepParam names the param at fault and why (automation.StepChecker).
func (e *ParamError) StepParam() (param, reason string) { return e.Param, e.Reason }

// params reads a step's params as decoded from the flow's JSON: numbers
// are float64, objects map[string]any.
type params struct {
	step string
	m    map[string]any
}

func paramsOf(s automation.Step) params { return params{step: s.ID, m: s.Params} }

func (p params) bad(name, format string, args ...any) error {
	return &ParamError{Step: p.step, Param: name, Reason: fmt.Sprintf(format, args...)}
}

// str is a string param, "" when absent; a number is written as text.
func (p params) str(name string) string {
	switch v := p.m[name].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	}
	return ""
}

// required is a string param that must not be blank.
func (p params) required(name string) (string, error) {
	v := p.str(name)
	if strings.TrimSpace(v) == "" {
		return "", p.bad(name, "is required")
	}
	return v, nil
}

// number is a numeric param (a JSON number or a numeric string); ok is
// false when it is absent.
func (p params) number(name string) (v float64, ok bool, err error) {
	raw, present := p.m[name]
	if !present || raw == nil {
		return 0, false, nil
	}
	switch n := raw.(type) {
	case float64:
		v = n
	case int:
		v = float64(n)
	case int64:
		v = float64(n)
	case json.Number:
		v, err = n.Float64()
	case string:
		if strings.TrimSpace(n) == "" {
			return 0, false, nil
		}
		v, err = strconv.ParseFloat(strings.TrimSpace(n), 64)
	default:
		err = fmt.Errorf("not a number")
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, p.bad(name, "must be a number")
	}
	return v, true, nil
}

// integer is a whole-number param in [lo, hi], def when absent.
func (p params) integer(name string, def, lo, hi int64) (int64, error) {
	v, ok, err := p.number(name)
	if err != nil || !ok {
		return def, err
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, p.bad(name, "must be a whole number from %d to %d", lo, hi)
	}
	return int64(v), nil
}

// object is an object param, nil when absent.
func (p params) object(name string) (map[string]any, error) {
	raw, ok := p.m[name]
	if !ok || raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, p.bad(name, "must be an object")
	}
	return m, nil
}

// duration reads "90m", "24h" or "5d"; def when absent.
func (p params) duration(name string, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(p.str(name))
	if s == "" {
		return def, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, p.bad(name, "%q is not a duration such as \"24h\" or \"2d\"", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, p.bad(name, "%q is not a duration such as \"24h\" or \"2d\"", s)
	}
	return d, nil
}
