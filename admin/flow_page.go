package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// funnelRow is one step of a flow with its figures.
type funnelRow struct {
	ID, Kind, Setting string
	store.StepFunnel
	// Earlier is a step only an earlier version of the flow has.
	Earlier bool
}

// editField is one field of the flow editor: a trigger, goal or re-entry
// setting, or a step's main parameter; the rest is in the JSON.
type editField struct {
	// ID is the input's id: Name with its dots made dashes, so that it
	// needs no escaping in a selector.
	ID, Name, Label, Value, Err string
	Long                        bool
}

// flowPage shows a flow: its funnel (entered, at each step now, passed
// each step, sent and clicked per send step, converted, revenue), pause
// and resume, and the editor.
func (h *Handler) flowPage(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Automation == nil {
		return errNotFound
	}
	f, err := h.opt.Automation.Flow(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.renderFlow(w, r, q, http.StatusOK, f, flowForm(f), "")
}

// renderFlow writes the flow page with the editor's values and errors
// (jsonErr is an error the editor's fields cannot show).
func (h *Handler) renderFlow(w http.ResponseWriter, r *http.Request, q *request, status int, f automation.Flow, fm *form, jsonErr string) error {
	funnel, err := h.opt.Store.FlowFunnel(r.Context(), q.WS.ID, f.ID)
	if err != nil {
		return err
	}
	rows := make([]funnelRow, 0, len(f.Steps))
	seen := map[string]bool{}
	for _, s := range f.Steps {
		seen[s.ID] = true
		rows = append(rows, funnelRow{ID: s.ID, Kind: s.Kind, Setting: stepSetting(s), StepFunnel: funnel.Steps[s.ID]})
	}
	for id, sf := range funnel.Steps {
		if !seen[id] {
			rows = append(rows, funnelRow{ID: id, StepFunnel: sf, Earlier: true})
		}
	}
	var revenue int64
	for _, m := range funnel.Revenue {
		if m.Currency == q.WS.Currency {
			revenue = m.Minor
		}
	}
	saved, _ := strconv.Atoi(r.URL.Query().Get("saved"))
	h.render(w, r, q, status, "flow_page.html", map[string]any{"Title": "flows.title", "F": f, "Funnel": funnel,
		"Rows": rows, "Revenue": revenue, "Running": funnel.Statuses[automation.EnrollmentActive] + funnel.Statuses[automation.EnrollmentPaused],
		"Fields": h.editFields(q, f, fm), "Form": fm, "JSONErr": jsonErr, "Saved": saved,
		"ConvertedPct": percent(int64(funnel.Converted), int64(funnel.Entered)), "CanPreview": h.opt.Preview != nil})
	return nil
}

// stepSetting is what says most about a step in the funnel's table.
func stepSetting(s automation.Step) string {
	if v, ok := smsStepSetting(s); ok {
		return v
	}
	switch {
	case s.Kind == automation.KindWait && s.Wait != nil:
		out := formatDuration(time.Duration(s.Wait.Duration))
		if s.Wait.UntilHour != nil {
			out = strings.TrimSpace(out + fmt.Sprintf(" → %02d:00", *s.Wait.UntilHour))
		}
		return out
	case s.Kind == automation.KindBranch && s.Branch != nil:
		return fmt.Sprintf("then %s / else %s", or(s.Branch.Then, "→"), or(s.Branch.Else, "→"))
	}
	if v, ok := s.Params["percent"]; ok && s.Kind == automation.KindDiscount {
		return fmt.Sprintf("%v %%", v)
	}
	for _, k := range []string{"subject", "title", "tag", "url"} {
		if v, ok := s.Params[k]; ok {
			return fmt.Sprint(v)
		}
	}
	return ""
}

func or(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// formatDuration writes a wait as a person types it: "1h", "90m" as
// "1h30m", whole days as "2d"; nothing for none.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseDuration reads what formatDuration writes (and any Go duration),
// as the API reads a flow's durations.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	b, _ := json.Marshal(s)
	var d automation.Duration
	if err := json.Unmarshal(b, &d); err != nil {
		return 0, err
	}
	return time.Duration(d), nil
}

// editable is the part of a flow the editor's JSON holds: what a new
// version may change (the status changes by pausing and resuming).
type editable struct {
	Name    string             `json:"name"`
	Trigger automation.Trigger `json:"trigger"`
	Steps   []automation.Step  `json:"steps"`
	Goal    *automation.Goal   `json:"goal,omitempty"`
	Reentry automation.Reentry `json:"reentry"`
}

// flowForm is the editor filled from a flow as stored.
func flowForm(f automation.Flow) *form {
	fm := newForm()
	v := fm.Values
	v["trigger_event"] = f.Trigger.Event
	v["max_age"] = formatDuration(time.Duration(f.Trigger.MaxAge))
	// Every field has its key, empty or not: saveFlow reads the form's
	// fields by these keys.
	v["goal_event"], v["reentry_days"] = "", ""
	if f.Goal != nil {
		v["goal_event"] = f.Goal.Event
	}
	v["reentry_mode"] = f.Reentry.Mode
	if f.Reentry.Days > 0 {
		v["reentry_days"] = strconv.Itoa(f.Reentry.Days)
	}
	for _, s := range f.Steps {
		for _, p := range stepParams(s) {
			v[p.field+"."+s.ID] = p.value
		}
	}
	// Not HTML-escaped: the email bodies in it are read and edited as
	// HTML (the template escapes the textarea's content).
	var def strings.Builder
	enc := json.NewEncoder(&def)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(editable{Name: f.Name, Trigger: f.Trigger, Steps: f.Steps, Goal: f.Goal, Reentry: f.Reentry})
	v["definition"] = strings.TrimSpace(def.String())
	return fm
}

type stepParam struct{ field, value string }

// stepParams are a step's parameters the editor has a field for: a wait's
// duration, an email's subject, a push's or inbox item's title and body.
func stepParams(s automation.Step) []stepParam {
	str := func(k string) string { v, _ := s.Params[k].(string); return v }
	switch s.Kind {
	case automation.KindWait:
		if s.Wait != nil {
			return []stepParam{{"wait", formatDuration(time.Duration(s.Wait.Duration))}}
		}
	case automation.KindSendEmail:
		return []stepParam{{"subject", str("subject")}}
	case automation.KindSendPush, automation.KindInbox:
		return []stepParam{{"title", str("title")}, {"body", str("body")}}
	case automation.KindSendSMS:
		return []stepParam{{"text", str("text")}}
	}
	return nil
}

// editFields lists the editor's fields in order, labelled in the
// request's language, with the values and errors of fm.
func (h *Handler) editFields(q *request, f automation.Flow, fm *form) []editField {
	tx := func(key string, args ...any) string { return h.texts.text(q.Locale, key, args...) }
	field := func(name, label string, long bool) editField {
		return editField{ID: "f-" + strings.ReplaceAll(name, ".", "-"), Name: name, Label: label, Value: fm.Values[name], Err: fm.Errors[name], Long: long}
	}
	out := []editField{
		field("trigger_event", tx("flow.f.trigger_event"), false),
		field("max_age", tx("flow.f.max_age"), false),
		field("goal_event", tx("flow.f.goal_event"), false),
		field("reentry_mode", tx("flow.f.reentry_mode"), false),
		field("reentry_days", tx("flow.f.reentry_days"), false),
	}
	for i, s := range f.Steps {
		for _, p := range stepParams(s) {
			out = append(out, field(p.field+"."+s.ID, tx("flow.f."+p.field, i+1, s.ID), p.field == "body"))
		}
	}
	return out
}

// flowOf loads a flow for a form post; the engine must be running.
func (h *Handler) flowOf(ctx context.Context, q *request, id string) (automation.Flow, error) {
	if h.opt.Automation == nil {
		return automation.Flow{}, errNotFound
	}
	return h.opt.Automation.Flow(ctx, q.WS.ID, id)
}
