package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartwheelhq/cartwheel/store"
)

// Events the channel logs.
const (
	EventConsent       = "consent" // cdp's consent event, channel sms
	EventSMSDelivered  = "sms_delivered"
	EventSMSFailed     = "sms_failed"
	EventSMSReceived   = "sms_received"
	sourcePrefix       = "sms_"
	maxWebhookBodySize = 64 << 10
)

// ServeHTTP answers the providers' webhooks under
// /webhooks/sms/{provider}/{workspace}/{status|inbound}. Nothing is read
// before the request is verified: Twilio's X-Twilio-Signature against the
// workspace's Auth Token, SMSAPI's URL key. An unverified request is
// answered 403 and changes nothing.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/webhooks/sms/"), "/")
	if len(parts) != 3 || (parts[2] != hookStatus && parts[2] != hookInbound) {
		http.NotFound(w, r)
		return
	}
	provider, ws, kind := parts[0], parts[1], parts[2]
	ctx := r.Context()
	set, cred, err := s.load(ctx, ws)
	if err != nil {
		s.log.Error("sms webhook: settings", "workspace", ws, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if set.Provider != provider || provider == "" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBodySize))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	form := url.Values{}
	if r.Method == http.MethodPost {
		if form, err = url.ParseQuery(string(body)); err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
	}
	if !s.verify(provider, ws, kind, cred, r, form) {
		s.log.Warn("sms webhook: refused, bad signature", "provider", provider, "workspace", ws, "kind", kind)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	// SMSAPI reports by GET with the fields in the query; Twilio posts a
	// form (and its query carries only what Cartwheel put in the URL).
	fields := form
	if provider == ProviderSMSAPI {
		fields = r.URL.Query()
		for k, v := range form {
			fields[k] = v
		}
	}
	switch kind {
	case hookStatus:
		err = s.receipts(ctx, ws, provider, fields, r.URL.Query().Get("m"))
	default:
		err = s.inbound(ctx, ws, provider, fields)
	}
	var bad *badWebhook
	switch {
	case errors.As(err, &bad):
		http.Error(w, bad.Error(), http.StatusBadRequest)
		return
	case err != nil:
		s.log.Error("sms webhook", "provider", provider, "workspace", ws, "kind", kind, "err", err)
		// 5xx: both providers retry, and nothing was half done that a
		// retry would repeat (receipts and consent are idempotent).
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if provider == ProviderTwilio {
		// An empty TwiML answer: no reply text. Twilio's own opt-out
		// handling already confirms a STOP to the person.
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
		return
	}
	_, _ = io.WriteString(w, "OK") // what SMSAPI expects
}

// verify checks a webhook belongs to the workspace's provider account.
func (s *Service) verify(provider, ws, kind string, cred credentials, r *http.Request, form url.Values) bool {
	switch provider {
	case ProviderTwilio:
		full := s.public + r.URL.RequestURI()
		return r.Method == http.MethodPost && VerifyTwilio(cred.TwilioAuthToken, full, form, r.Header.Get("X-Twilio-Signature"))
	case ProviderSMSAPI:
		k := r.URL.Query().Get("k")
		return k != "" && s.box.Verify("sms-webhook", []byte(ws+"/"+ProviderSMSAPI+"/"+kind), k)
	}
	return false
}

// badWebhook is a verified request whose content cannot be read: 400.
type badWebhook struct{ err error }

func (e *badWebhook) Error() string { return e.err.Error() }

// deliveryRank orders delivery states: a late "sent" must not undo a
// "delivered" that arrived first.
func deliveryRank(s string) int {
	switch s {
	case DeliveryQueued:
		return 1
	case DeliverySent:
		return 2
	case DeliveryDelivered, DeliveryUndelivered, DeliveryFailed:
		return 3
	}
	return 0
}

// receipts records delivery reports on their messages.
func (s *Service) receipts(ctx context.Context, ws, provider string, fields url.Values, ref string) error {
	var rs []Receipt
	switch provider {
	case ProviderTwilio:
		r, err := twilioReceipt(fields, ref)
		if err != nil {
			return &badWebhook{err}
		}
		rs = []Receipt{r}
	case ProviderSMSAPI:
		var err error
		if rs, err = smsapiReceipts(fields); err != nil {
			return &badWebhook{err}
		}
	}
	for _, r := range rs {
		if err := s.receipt(ctx, ws, provider, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) receipt(ctx context.Context, ws, provider string, r Receipt) error {
	id, err := s.st.SMSMessageByProviderID(ctx, ws, provider, r.ProviderID)
	if errors.Is(err, store.ErrNotFound) {
		// A receipt for a text whose id was not kept (or not this
		// workspace's): nothing to update, and no reason to make the
		// provider retry.
		s.log.Info("sms receipt for an unknown message", "provider", provider, "workspace", ws, "provider_id", r.ProviderID)
		return nil
	}
	if err != nil {
		return err
	}
	info, err := s.st.SMSMessageInfo(ctx, ws, id)
	if err != nil {
		return err
	}
	if deliveryRank(r.Status) < deliveryRank(info.Delivery) || r.Status == info.Delivery {
		return nil
	}
	now := s.now()
	if err := s.st.SetSMSDelivery(ctx, ws, id, r.Status, r.Code, now); err != nil {
		return err
	}
	m, err := s.st.Message(ctx, ws, id)
	if err != nil {
		return err
	}
	ev := ""
	switch r.Status {
	case DeliveryDelivered:
		ev = EventSMSDelivered
	case DeliveryUndelivered, DeliveryFailed:
		ev = EventSMSFailed
		// It never reached the phone: the message says so, and it no
		// longer counts against the contact's frequency cap.
		if err := s.st.SetMessageStatus(ctx, ws, id, store.MessageFailed, fmt.Sprintf("%s: %s (%s)", provider, r.Status, r.Code), m.SentAt); err != nil {
			return err
		}
	}
	if ev != "" && s.events != nil {
		if err := s.events.RecordFor(ctx, ws, m.ContactID, ev, sourcePrefix+provider, now,
			map[string]any{"message_id": id, "flow_id": m.FlowID, "status": r.Status, "code": r.Code}); err != nil {
			s.log.Warn("sms: could not log the receipt", "message", id, "err", err)
		}
	}
	return nil
}

// inbound acts on a reply: STOP withdraws the SMS consent of every contact
// with the number, START gives it back where StartAllowed. Other replies
// are logged as sms_received for the shop to read.
func (s *Service) inbound(ctx context.Context, ws, provider string, fields url.Values) error {
	var in Inbound
	var err error
	switch provider {
	case ProviderTwilio:
		in, err = twilioInbound(fields)
	case ProviderSMSAPI:
		in, err = smsapiInbound(fields)
	}
	if err != nil {
		return &badWebhook{err}
	}
	from, err := NormalizeE164(in.From, "")
	if err != nil {
		return &badWebhook{err}
	}
	contacts, err := s.contactsOf(ctx, ws, from)
	if err != nil {
		return err
	}
	kw := Keyword(in.Text)
	source := sourcePrefix + provider
	for _, c := range contacts {
		switch kw {
		case KeywordStop:
			err = s.setConsent(ctx, ws, c, false, source, "replied "+strings.ToUpper(strings.TrimSpace(in.Text)))
		case KeywordStart:
			err = s.start(ctx, ws, c, from, source, in.Text)
		default:
			if s.events != nil {
				err = s.events.RecordFor(ctx, ws, c, EventSMSReceived, source, s.now(), map[string]any{"from": from, "text": in.Text})
			}
		}
		if err != nil {
			return err
		}
	}
	if len(contacts) == 0 {
		s.log.Info("sms reply from a number no contact has", "workspace", ws, "keyword", kw)
	}
	return nil
}

// start grants SMS consent back to a contact who replied START, if the
// rules allow it (StartAllowed).
func (s *Service) start(ctx context.Context, ws, contact, from, source, text string) error {
	cs, err := s.st.Consents(ctx, ws, contact)
	if err != nil {
		return err
	}
	byKeyword := false
	for _, c := range cs {
		if c.Channel == store.ChannelSMS && !c.Granted && strings.HasPrefix(c.Source, sourcePrefix) {
			byKeyword = true
		}
	}
	if !StartAllowed(CountryOf(from), byKeyword) {
		s.log.Info("sms START not applied: consent was not withdrawn by a keyword and the country needs an explicit opt-in",
			"workspace", ws, "contact", contact, "country", CountryOf(from))
		return nil
	}
	return s.setConsent(ctx, ws, contact, true, source, "replied "+strings.ToUpper(strings.TrimSpace(text)))
}

// setConsent logs the consent event; the profile processor records it,
// with its source, as it records every consent.
func (s *Service) setConsent(ctx context.Context, ws, contact string, granted bool, source, text string) error {
	if s.events == nil {
		return errors.New("sms: no event log to record consent in")
	}
	return s.events.RecordFor(ctx, ws, contact, EventConsent, source, s.now(), map[string]any{"sms": granted, "text": text})
}

// contactsOf finds the live contacts with the number, however it was
// stored, merged ones resolved to who they were merged into.
func (s *Service) contactsOf(ctx context.Context, ws, e164 string) ([]string, error) {
	ids, err := s.st.ContactsByPhone(ctx, ws, nationalForms(e164))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		c, err := s.st.Contact(ctx, ws, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c.ID)
		}
	}
	return out, nil
}

var _ http.Handler = (*Service)(nil)
