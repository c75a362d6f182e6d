package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// capChannels are the channels messaging caps (messaging.Settings.Caps).
var capChannels = []string{"email", "push"}

// rulesForm shows the stored sending rules: quiet hours, a frequency cap
// per channel and the attribution window.
func rulesForm(set messaging.Settings) *form {
	f := newForm()
	f.Values["quiet_start"] = strconv.Itoa(set.QuietHours.Start)
	f.Values["quiet_end"] = strconv.Itoa(set.QuietHours.End)
	for _, ch := range capChannels {
		c := set.Caps[ch]
		f.Values[ch+"_cap_count"] = strconv.Itoa(c.Count)
		f.Values[ch+"_cap_window"] = ""
		if c.Window > 0 {
			f.Values[ch+"_cap_window"] = durationText(c.Window)
		}
	}
	f.Values["attribution_window"] = durationText(set.AttributionWindow)
	return f
}

// durationText writes a duration as the API does ("5d", "4h0m0s"), so
// the form shows what the API would.
func durationText(d messaging.Duration) string {
	b, err := json.Marshal(d)
	if err != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(b, &s)
	return s
}

// parseSettingsDuration reads a duration as the API does: a Go duration ("90m",
// "24h") or whole days ("5d").
func parseSettingsDuration(s string) (messaging.Duration, error) {
	b, _ := json.Marshal(s)
	var d messaging.Duration
	err := json.Unmarshal(b, &d)
	return d, err
}

// rulesPatch checks the sending-rule fields one by one, putting each
// problem next to its field, and returns the messaging settings patch they
// make. The service's own validation (messaging.Settings.Validate) runs
// again on saving.
func (h *Handler) rulesPatch(locale string, f *form) map[string]any {
	hours := map[string]int{}
	for _, k := range []string{"quiet_start", "quiet_end"} {
		n, err := strconv.Atoi(f.Values[k])
		if err != nil || n < 0 || n > 23 {
			f.Errors[k] = h.texts.text(locale, "settings.bad_hour")
		}
		hours[k] = n
	}
	caps := map[string]any{}
	for _, ch := range capChannels {
		ck, wk := ch+"_cap_count", ch+"_cap_window"
		n := 0
		if v := f.Values[ck]; v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 0 || n > 1000 {
				f.Errors[ck] = h.texts.text(locale, "rules.bad_count")
			}
		}
		var d messaging.Duration
		if v := f.Values[wk]; v != "" {
			var err error
			if d, err = parseSettingsDuration(v); err != nil || d <= 0 {
				f.Errors[wk] = h.texts.text(locale, "rules.bad_window")
			}
		} else if n > 0 {
			f.Errors[wk] = h.texts.text(locale, "rules.need_window")
		}
		caps[ch] = map[string]any{"count": n, "window": durationText(d)}
	}
	aw, err := parseSettingsDuration(f.Values["attribution_window"])
	if err != nil || aw <= 0 {
		f.Errors["attribution_window"] = h.texts.text(locale, "rules.bad_attribution")
	}
	return map[string]any{"quiet_hours": map[string]int{"start": hours["quiet_start"], "end": hours["quiet_end"]},
		"caps": caps, "attribution_window": durationText(aw)}
}

// saveRules changes quiet hours, frequency caps and the attribution
// window (owners and marketers).
func (h *Handler) saveRules(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Messaging == nil {
		return errNotFound
	}
	f := newForm()
	keys := []string{"quiet_start", "quiet_end", "attribution_window"}
	for _, ch := range capChannels {
		keys = append(keys, ch+"_cap_count", ch+"_cap_window")
	}
	for _, k := range keys {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	patch := h.rulesPatch(q.Locale, f)
	if len(f.Errors) > 0 {
		return h.renderSettingsForms(w, r, q, http.StatusUnprocessableEntity, settingsForms{Rules: f})
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = h.opt.Messaging.UpdateSettings(r.Context(), q.WS.ID, b)
	var inv *messaging.InvalidSettings
	if errors.As(err, &inv) {
		f.Error = inv.Reason
		return h.renderSettingsForms(w, r, q, http.StatusUnprocessableEntity, settingsForms{Rules: f})
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "settings.rules", q.WS.ID, string(b))
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings?saved=rules#rules", http.StatusSeeOther)
	return nil
}

// saveConsent changes the consent rules (owners): double opt-in for email
// sign-ups on the site, and whether the tracker waits for the visitor's
// tracking consent before it stores or sends anything.
func (h *Handler) saveConsent(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	doi, req := r.PostFormValue("double_opt_in") == "on", r.PostFormValue("require_consent") == "on"
	if h.opt.Messaging != nil {
		b, _ := json.Marshal(map[string]bool{"double_opt_in": doi})
		if _, err := h.opt.Messaging.UpdateSettings(ctx, q.WS.ID, b); err != nil {
			return err
		}
	}
	_, err := h.opt.Workspaces.Update(ctx, q.WS.ID, workspace.Settings{RequireConsent: &req})
	if err != nil {
		return err
	}
	h.record(ctx, q, "settings.consent", q.WS.ID, "double_opt_in="+strconv.FormatBool(doi)+" require_consent="+strconv.FormatBool(req))
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings?saved=consent#consent", http.StatusSeeOther)
	return nil
}

// pushView is the web push section: the key browsers subscribe with, the
// instance's contact for push services and the form that sets the
// workspace's own.
type pushView struct {
	PublicKey string
	Instance  string
	Form      *form
}

func (h *Handler) pushSettings(ctx context.Context, set messaging.Settings, f *form) (*pushView, error) {
	if h.opt.Messaging == nil {
		return nil, nil
	}
	k, err := h.opt.Messaging.VAPIDKeys(ctx)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = newForm()
		f.Values["push_subject"] = set.PushSubject
	}
	return &pushView{PublicKey: k.Public, Instance: h.opt.PushSubject, Form: f}, nil
}

// savePush sets the workspace's contact for push services (owners and
// marketers); empty falls back to the instance's.
func (h *Handler) savePush(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Messaging == nil {
		return errNotFound
	}
	f := newForm()
	f.Values["push_subject"] = strings.TrimSpace(r.PostFormValue("push_subject"))
	if v := f.Values["push_subject"]; v != "" && webpush.ValidSubject(v) != nil {
		f.Errors["push_subject"] = h.texts.text(q.Locale, "push.bad_subject")
		return h.renderSettingsForms(w, r, q, http.StatusUnprocessableEntity, settingsForms{Push: f})
	}
	b, _ := json.Marshal(map[string]string{"push_subject": f.Values["push_subject"]})
	_, err := h.opt.Messaging.UpdateSettings(r.Context(), q.WS.ID, b)
	var inv *messaging.InvalidSettings
	if errors.As(err, &inv) {
		f.Errors["push_subject"] = inv.Reason
		return h.renderSettingsForms(w, r, q, http.StatusUnprocessableEntity, settingsForms{Push: f})
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "settings.push", q.WS.ID, f.Values["push_subject"])
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings?saved=push#push", http.StatusSeeOther)
	return nil
}
