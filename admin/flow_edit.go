package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
)

// saveFlow stores the editor's flow as the flow's next version, through
// the engine's UpdateFlow: the validation of PUT /api/v1/flows/{id}, step
// checker included. The JSON is the whole flow; a field is applied over it
// only when it differs from the stored flow, so that an edit in either
// place is kept. An error goes next to the field it names, or over the
// JSON, with everything typed kept.
func (h *Handler) saveFlow(w http.ResponseWriter, r *http.Request, q *request) error {
	cur, err := h.flowOf(r.Context(), q, r.PathValue("id"))
	if err != nil {
		return err
	}
	stored := flowForm(cur)
	fm := newForm()
	fm.Values["definition"] = r.PostFormValue("definition")
	for k := range stored.Values {
		if k != "definition" {
			fm.Values[k] = strings.TrimSpace(r.PostFormValue(k))
		}
	}
	changed := func(k string) bool { return fm.Values[k] != stored.Values[k] }

	var e editable
	dec := json.NewDecoder(strings.NewReader(fm.Values["definition"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return h.renderFlow(w, r, q, http.StatusUnprocessableEntity, cur, fm, "definition: "+err.Error())
	}
	if dec.More() {
		return h.renderFlow(w, r, q, http.StatusUnprocessableEntity, cur, fm, "definition: trailing data after the flow")
	}
	f := automation.Flow{Name: e.Name, Trigger: e.Trigger, Steps: e.Steps, Goal: e.Goal, Reentry: e.Reentry}
	h.applyFields(q, &f, fm, changed)
	if len(fm.Errors) > 0 {
		return h.renderFlow(w, r, q, http.StatusUnprocessableEntity, cur, fm, "")
	}
	out, err := h.opt.Automation.UpdateFlow(r.Context(), q.WS.ID, cur.ID, f)
	var inv *automation.InvalidError
	if errors.As(err, &inv) {
		msg := inv.Field + ": " + inv.Reason
		if name := formField(inv.Field, f, stored); name != "" {
			fm.Errors[name] = msg
			return h.renderFlow(w, r, q, http.StatusUnprocessableEntity, cur, fm, "")
		}
		return h.renderFlow(w, r, q, http.StatusUnprocessableEntity, cur, fm, msg)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "flow.update", out.ID, out.Name+" v"+strconv.Itoa(out.Version))
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows/"+out.ID+"?saved="+strconv.Itoa(out.Version), http.StatusSeeOther)
	return nil
}

// applyFields puts the fields that were changed over the flow read from
// the JSON; a value the console cannot read (a duration, a number) is an
// error on its field.
func (h *Handler) applyFields(q *request, f *automation.Flow, fm *form, changed func(string) bool) {
	v := fm.Values
	if changed("trigger_event") {
		f.Trigger.Event = v["trigger_event"]
	}
	if changed("max_age") {
		if d, err := parseDuration(v["max_age"]); err != nil {
			fm.Errors["max_age"] = h.texts.text(q.Locale, "flow.bad_duration")
		} else {
			f.Trigger.MaxAge = automation.Duration(d)
		}
	}
	if changed("goal_event") {
		switch {
		case v["goal_event"] == "":
			f.Goal = nil
		case f.Goal == nil:
			f.Goal = &automation.Goal{Event: v["goal_event"]}
		default:
			f.Goal.Event = v["goal_event"]
		}
	}
	if changed("reentry_mode") {
		f.Reentry.Mode = v["reentry_mode"]
	}
	if changed("reentry_days") {
		n, err := strconv.Atoi(or(v["reentry_days"], "0"))
		if err != nil {
			fm.Errors["reentry_days"] = h.texts.text(q.Locale, "flow.bad_number")
		}
		f.Reentry.Days = n
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		for _, p := range stepParams(*s) {
			name := p.field + "." + s.ID
			if _, ok := v[name]; !ok || !changed(name) {
				continue
			}
			if p.field == "wait" {
				d, err := parseDuration(v[name])
				if err != nil {
					fm.Errors[name] = h.texts.text(q.Locale, "flow.bad_duration")
					continue
				}
				s.Wait.Duration = automation.Duration(d)
				continue
			}
			params := make(map[string]any, len(s.Params)+1)
			for k, x := range s.Params {
				params[k] = x
			}
			params[p.field] = v[name]
			s.Params = params
		}
	}
}

var stepFieldPattern = regexp.MustCompile(`^steps\[(\d+)\]\.(wait\.duration|wait|params\.subject|params\.title|params\.body)$`)

// formField is the editor's field an InvalidError's Field names, "" when
// it has none (the error then goes over the JSON).
func formField(field string, f automation.Flow, stored *form) string {
	name := map[string]string{"trigger.event": "trigger_event", "trigger.max_age": "max_age", "goal.event": "goal_event",
		"reentry.mode": "reentry_mode", "reentry.days": "reentry_days"}[field]
	if m := stepFieldPattern.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(f.Steps) {
			part := strings.TrimPrefix(strings.TrimSuffix(m[2], ".duration"), "params.")
			name = part + "." + f.Steps[i].ID
		}
	}
	if _, ok := stored.Values[name]; !ok {
		return ""
	}
	return name
}
