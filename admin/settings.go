package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// shopRow is a connected shop with the state of its syncs.
type shopRow struct {
	store.Shop
	Syncs []store.SyncState
}

// settings shows the workspace's settings, its email sending, the tracker
// snippet with whether the tracker has been heard from, and the shops.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderSettingsForms(w, r, q, http.StatusOK, settingsForms{})
}

// settingsForms are the settings page's forms; a nil one shows what is
// stored, a given one what was typed, with its errors.
type settingsForms struct {
	WS, Msg, Test, Rules, Consent, Push *form
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, q *request, status int, wsForm, msgForm *form) error {
	return h.renderSettingsForms(w, r, q, status, settingsForms{WS: wsForm, Msg: msgForm})
}

// renderSettingsForms shows the settings page with the forms given.
func (h *Handler) renderSettingsForms(w http.ResponseWriter, r *http.Request, q *request, status int, fs settingsForms) error {
	ctx := r.Context()
	if fs.Test == nil {
		fs.Test = newForm()
		fs.Test.Values["test_to"] = q.User.Email
	}
	if fs.WS == nil {
		fs.WS = newForm()
		fs.WS.Values = map[string]string{"name": q.WS.Name, "timezone": q.WS.Timezone, "currency": q.WS.Currency,
			"locale": q.WS.Locale}
	}
	var set messaging.Settings
	if h.opt.Messaging != nil {
		var err error
		if set, err = h.opt.Messaging.Settings(ctx, q.WS.ID); err != nil {
			return err
		}
		if fs.Msg == nil {
			fs.Msg = newForm()
			fs.Msg.Values = map[string]string{"from_email": set.FromEmail, "from_name": set.FromName, "reply_to": set.ReplyTo,
				"address": set.Address}
		}
		if fs.Rules == nil {
			fs.Rules = rulesForm(set)
		}
	}
	if fs.Consent == nil {
		fs.Consent = newForm()
		if set.DoubleOptIn {
			fs.Consent.Values["double_opt_in"] = "on"
		}
		if q.WS.RequireConsent {
			fs.Consent.Values["require_consent"] = "on"
		}
	}
	push, err := h.pushSettings(ctx, set, fs.Push)
	if err != nil {
		return err
	}
	seen, err := h.opt.Store.TrackerLastSeen(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	shops, err := h.opt.Workspaces.Shops(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	rows := make([]shopRow, 0, len(shops))
	for _, sh := range shops {
		syncs, err := h.opt.Store.Syncs(ctx, q.WS.ID, sh.ID)
		if err != nil {
			return err
		}
		rows = append(rows, shopRow{Shop: sh, Syncs: syncs})
	}
	notice := ""
	if s := r.URL.Query().Get("saved"); s != "" && r.Method == http.MethodGet {
		notice = h.texts.text(q.Locale, "settings.saved."+s)
	}
	h.render(w, r, q, status, "settings.html", map[string]any{"Title": "settings.title", "WSForm": fs.WS, "MsgForm": fs.Msg,
		"Rules": fs.Rules, "Consent": fs.Consent, "Push": push, "Saved": notice,
		"Snippet":     string(tracker.TagWithOptions(h.origin, q.WS.SiteKey, tracker.TagOptions{RequireConsent: q.WS.RequireConsent})),
		"TrackerSeen": seen, "TrackerRecent": !seen.IsZero() && time.Since(seen) < 24*time.Hour, "Shops": rows, "Test": fs.Test,
		"CanConnect": h.opt.Connectors != nil})
	return nil
}

// saveWorkspace changes the workspace's name, time zone, currency and
// language (owners).
func (h *Handler) saveWorkspace(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	for _, k := range []string{"name", "timezone", "currency", "locale"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	if _, err := time.LoadLocation(f.Values["timezone"]); err != nil || f.Values["timezone"] == "" {
		f.Errors["timezone"] = h.texts.text(q.Locale, "settings.bad_timezone")
		return h.renderSettings(w, r, q, http.StatusUnprocessableEntity, f, nil)
	}
	name, tz, cur, loc := f.Values["name"], f.Values["timezone"], strings.ToUpper(f.Values["currency"]), f.Values["locale"]
	_, err := h.opt.Workspaces.Update(r.Context(), q.WS.ID, workspace.Settings{Name: &name, Timezone: &tz, Currency: &cur, Locale: &loc})
	var inv *workspace.InvalidError
	if errors.As(err, &inv) {
		f.Errors[inv.Field] = h.texts.text(q.Locale, "settings.bad_"+inv.Field)
		return h.renderSettings(w, r, q, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "settings.workspace", q.WS.ID, name+" "+tz+" "+cur+" "+loc)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings?saved=workspace", http.StatusSeeOther)
	return nil
}

// saveMessaging changes the sender and the postal address (owners and
// marketers); quiet hours, caps and double opt-in have their own forms.
func (h *Handler) saveMessaging(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Messaging == nil {
		return errNotFound
	}
	f := newForm()
	for _, k := range []string{"from_email", "from_name", "reply_to", "address"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	for _, k := range []string{"from_email", "reply_to"} {
		if v := f.Values[k]; v != "" {
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				f.Errors[k] = h.texts.text(q.Locale, "invalid_email")
			}
		}
	}
	if len(f.Errors) > 0 {
		return h.renderSettings(w, r, q, http.StatusUnprocessableEntity, nil, f)
	}
	patch, err := json.Marshal(map[string]any{"from_email": f.Values["from_email"], "from_name": f.Values["from_name"],
		"reply_to": f.Values["reply_to"], "address": f.Values["address"]})
	if err != nil {
		return err
	}
	_, err = h.opt.Messaging.UpdateSettings(r.Context(), q.WS.ID, patch)
	var inv *messaging.InvalidSettings
	if errors.As(err, &inv) {
		f.Error = inv.Reason
		return h.renderSettings(w, r, q, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "settings.messaging", q.WS.ID, f.Values["from_email"])
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings?saved=messaging", http.StatusSeeOther)
	return nil
}

// testEmail sends one email through the instance's SMTP relay to an
// address the person types, and says in words what became of it.
func (h *Handler) testEmail(w http.ResponseWriter, r *http.Request, q *request) error {
	to := strings.TrimSpace(r.PostFormValue("to"))
	f := newForm()
	f.Values["test_to"] = to
	if a, err := mail.ParseAddress(to); err != nil || a.Address != to {
		f.Errors["test_to"] = h.texts.text(q.Locale, "invalid_email")
		return h.renderSettingsTest(w, r, q, http.StatusUnprocessableEntity, f)
	}
	switch {
	case h.opt.SendMail == nil:
		f.Error = h.texts.text(q.Locale, "settings.test_norelay")
	default:
		err := h.opt.SendMail(r.Context(), to, h.texts.text(q.Locale, "settings.test_subject"), h.texts.text(q.Locale, "settings.test_body"))
		if err != nil {
			f.Error = h.texts.text(q.Locale, "settings.test_failed", err.Error())
		} else {
			f.Notice = h.texts.text(q.Locale, "settings.test_sent", to)
		}
	}
	h.record(r.Context(), q, "settings.test_email", to, f.Error)
	return h.renderSettingsTest(w, r, q, http.StatusOK, f)
}

func (h *Handler) renderSettingsTest(w http.ResponseWriter, r *http.Request, q *request, status int, test *form) error {
	return h.renderSettingsForms(w, r, q, status, settingsForms{Test: test})
}
