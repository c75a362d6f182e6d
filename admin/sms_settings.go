package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
)

// routesSMS are the SMS settings page and its segment counter.
func (h *Handler) routesSMS(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/sms", h.inWorkspace(h.smsSettings))
	m.HandleFunc("POST /admin/w/{ws}/sms", h.inWorkspace(h.owner(h.saveSMSSettings)))
	m.HandleFunc("POST /admin/w/{ws}/sms/count", h.inWorkspace(h.smsCount))
}

// smsFields are the settings form's text fields, in order; the two
// secrets are write-only.
var smsFields = []string{"twilio_account_sid", "twilio_auth_token", "twilio_messaging_service_sid", "smsapi_token",
	"sender_id", "from_number", "default_country"}

func (h *Handler) smsSettings(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderSMS(w, r, q, http.StatusOK, nil, nil)
}

// renderSMS shows the page with the settings form (nil: as stored) and
// the counter's form and result (nil: empty).
func (h *Handler) renderSMS(w http.ResponseWriter, r *http.Request, q *request, status int, f, counter *form) error {
	if h.opt.SMS == nil {
		return errNotFound
	}
	ctx := r.Context()
	set, err := h.opt.SMS.Settings(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm()
		f.Values = map[string]string{"provider": set.Provider, "twilio_account_sid": set.TwilioAccountSID,
			"twilio_messaging_service_sid": set.TwilioMessagingServiceSID, "sender_id": set.SenderID,
			"from_number": set.FromNumber, "default_country": set.DefaultCountry}
		if set.Transliterate {
			f.Values["transliterate"] = "on"
		}
		if r.URL.Query().Get("saved") == "1" {
			f.Notice = h.texts.text(q.Locale, "sms.saved")
		}
	}
	if counter == nil {
		counter = newForm()
		if set.Transliterate {
			counter.Values["transliterate"] = "on"
		}
	}
	hooks, err := h.opt.SMS.Webhooks(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	var count *sms.Count
	if t := counter.Values["text"]; t != "" {
		if counter.Values["transliterate"] == "on" {
			t = sms.Transliterate(t)
		}
		c := sms.CountText(t)
		count = &c
	}
	h.render(w, r, q, status, "sms_settings.html", map[string]any{"Title": "sms.title", "Form": f, "Settings": set,
		"Fields": smsFields, "Hooks": hooks, "Counter": counter, "Count": count,
		"DefaultCountry": sms.DefaultCountryFor(set, q.WS.Currency)})
	return nil
}

// saveSMSSettings stores the provider, sender and credentials (owners:
// the credentials spend the shop's money).
func (h *Handler) saveSMSSettings(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.SMS == nil {
		return errNotFound
	}
	f := newForm()
	for _, k := range append([]string{"provider", "transliterate"}, smsFields...) {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	str := func(k string) *string { v := f.Values[k]; return &v }
	translit := f.Values["transliterate"] == "on"
	u := sms.Update{Provider: str("provider"), TwilioAccountSID: str("twilio_account_sid"), TwilioAuthToken: f.Values["twilio_auth_token"],
		TwilioMessagingServiceSID: str("twilio_messaging_service_sid"), SMSAPIToken: f.Values["smsapi_token"],
		SenderID: str("sender_id"), FromNumber: str("from_number"), DefaultCountry: str("default_country"), Transliterate: &translit}
	// Secrets typed into a form that fails are not shown again.
	f.Values["twilio_auth_token"], f.Values["smsapi_token"] = "", ""
	_, err := h.opt.SMS.Apply(r.Context(), q.WS.ID, u)
	var inv *sms.InvalidSettings
	if errors.As(err, &inv) {
		key := "sms.bad." + inv.Field
		if msg := h.texts.text(q.Locale, key); msg != key {
			f.Errors[inv.Field] = msg
		} else {
			f.Error = inv.Reason
		}
		return h.renderSMS(w, r, q, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	// The audit log names what changed, never the secrets themselves.
	h.record(r.Context(), q, "settings.sms", q.WS.ID, f.Values["provider"]+" "+f.Values["sender_id"]+" "+f.Values["from_number"])
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/sms?saved=1", http.StatusSeeOther)
	return nil
}

// smsCount counts a text typed into the counter, as it would be sent.
func (h *Handler) smsCount(w http.ResponseWriter, r *http.Request, q *request) error {
	c := newForm()
	c.Values["text"] = r.PostFormValue("text")
	c.Values["transliterate"] = r.PostFormValue("transliterate")
	if len(c.Values["text"]) > 10000 {
		c.Errors["text"] = h.texts.text(q.Locale, "sms.too_long")
		c.Values["text"] = c.Values["text"][:10000]
		return h.renderSMS(w, r, q, http.StatusUnprocessableEntity, nil, c)
	}
	return h.renderSMS(w, r, q, http.StatusOK, nil, c)
}
