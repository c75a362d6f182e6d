package sms_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/messaging/sms/smstest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type env struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	proc   *cdp.Processor
	svc    *sms.Service
	web    *httptest.Server
	twilio *smstest.Twilio
	smsapi *smstest.SMSAPI
	ws     string
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "sms.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, proc: cdp.NewProcessor(st, quiet, nil), ws: "ws_sms",
		now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	if err := st.CreateWorkspace(ctx, store.Workspace{ID: e.ws, Name: "Sklep", SiteKey: "pk_sms", Timezone: "Europe/Warsaw",
		Currency: "PLN", Locale: "pl", CreatedAt: e.now, UpdatedAt: e.now}); err != nil {
		t.Fatal(err)
	}
	e.twilio = smstest.NewTwilio("AC0123", "tw-token")
	e.smsapi = smstest.NewSMSAPI("api-token", "Sklep")
	t.Cleanup(e.twilio.Close)
	t.Cleanup(e.smsapi.Close)
	var h http.Handler
	e.web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.web.Close)
	e.svc = sms.New(sms.Options{Store: st, Box: box, Events: cdp.NewIngest(st, quiet, func() time.Time { return e.now }),
		PublicURL: e.web.URL, TwilioBase: e.twilio.URL, SMSAPIBase: e.smsapi.URL, Now: func() time.Time { return e.now }, Log: quiet})
	h = e.svc
	return e
}

func (e *env) configure(u string) {
	e.t.Helper()
	if _, err := e.svc.UpdateSettings(e.ctx, e.ws, json.RawMessage(u)); err != nil {
		e.t.Fatal(err)
	}
}

// contact makes a contact with a phone and a stated SMS consent.
func (e *env) contact(email, phone string, consent *bool) string {
	e.t.Helper()
	props := map[string]any{"email": email, "phone": phone}
	if err := e.st.AppendEvents(e.ctx, []store.Event{{WorkspaceID: e.ws, Type: "identify", Source: "api", OccurredAt: e.now,
		ReceivedAt: e.now, Props: mustJSON(props), Context: json.RawMessage(`{}`)}}); err != nil {
		e.t.Fatal(err)
	}
	e.catchUp()
	c, err := e.st.ContactByEmail(e.ctx, e.ws, email)
	if err != nil {
		e.t.Fatal(err)
	}
	if consent != nil {
		if err := e.st.AppendEvents(e.ctx, []store.Event{{WorkspaceID: e.ws, ContactID: c.ID, Type: "consent", Source: "widget",
			OccurredAt: e.now, ReceivedAt: e.now, Props: mustJSON(map[string]any{"sms": *consent}), Context: json.RawMessage(`{}`)}}); err != nil {
			e.t.Fatal(err)
		}
		e.catchUp()
	}
	return c.ID
}

func (e *env) catchUp() {
	e.t.Helper()
	if err := e.proc.CatchUp(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// smsConsent is the contact's stored SMS consent.
func (e *env) smsConsent(contact string) (store.Consent, bool) {
	e.t.Helper()
	e.catchUp()
	cs, err := e.st.Consents(e.ctx, e.ws, contact)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Channel == "sms" {
			return c, true
		}
	}
	return store.Consent{}, false
}

func mustJSON(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

func yes() *bool { b := true; return &b }

func TestSettingsSealed(t *testing.T) {
	e := newEnv(t)
	set, err := e.svc.UpdateSettings(e.ctx, e.ws, json.RawMessage(`{"provider":"twilio","twilio_account_sid":"AC0123",
		"twilio_auth_token":"tw-token","sender_id":"Sklep","from_number":"+12025550100"}`))
	if err != nil || !set.HasCredentials || set.Provider != "twilio" {
		t.Fatalf("update: %+v, %v", set, err)
	}
	value, secret, err := e.st.SMSSettings(e.ctx, e.ws)
	if err != nil || strings.Contains(value, "tw-token") || strings.Contains(secret, "tw-token") || !strings.HasPrefix(secret, "v1:") {
		t.Fatalf("stored in the clear? value %s secret %s err %v", value, secret, err)
	}
	// A change without the token keeps it.
	if set, err = e.svc.UpdateSettings(e.ctx, e.ws, json.RawMessage(`{"sender_id":"Sklep 24"}`)); err != nil || !set.HasCredentials {
		t.Fatalf("keep token: %+v, %v", set, err)
	}
	for _, bad := range []string{`{"provider":"nexmo"}`, `{"sender_id":"Far too long id"}`, `{"from_number":"600100200"}`,
		`{"default_country":"XX"}`, `{"provider":"smsapi"}`, `{"twilio_auth_tokn":"x"}`} {
		var inv *sms.InvalidSettings
		if _, err := e.svc.UpdateSettings(e.ctx, e.ws, json.RawMessage(bad)); err == nil || !asInvalid(err, &inv) {
			t.Errorf("%s: %v, want InvalidSettings", bad, err)
		}
	}
}

func asInvalid(err error, target **sms.InvalidSettings) bool {
	v, ok := err.(*sms.InvalidSettings)
	*target = v
	return ok
}

func TestPlanCountryRules(t *testing.T) {
	e := newEnv(t)
	e.configure(`{"provider":"twilio","twilio_account_sid":"AC0123","twilio_auth_token":"tw-token","sender_id":"Sklep","transliterate":true}`)
	// A national number gets the country of the workspace's currency (PLN).
	p, err := e.svc.Plan(e.ctx, e.ws, "PLN", "600 100 200", "Zażółć gęślą jaźń")
	if err != nil || p.To != "+48600100200" || p.From != "Sklep" || p.Text != "Zazolc gesla jazn" || p.Count.Encoding != sms.GSM7 {
		t.Fatalf("plan: %+v, %v", p, err)
	}
	// The US needs a number, and none is set.
	if _, err := e.svc.Plan(e.ctx, e.ws, "PLN", "+1 415 555 2671", "Hi"); err == nil {
		t.Fatal("a US number without a sending number was planned")
	} else if _, ok := sms.IsUnsendable(err); !ok {
		t.Fatalf("US: %v, want Unsendable", err)
	}
	if _, err := e.svc.Plan(e.ctx, e.ws, "EUR", "600 100 200", "Hi"); err == nil {
		t.Fatal("a national number with no default country was guessed")
	}
}

func TestTwilioFlowOfReceiptsAndStop(t *testing.T) {
	e := newEnv(t)
	e.configure(`{"provider":"twilio","twilio_account_sid":"AC0123","twilio_auth_token":"tw-token","sender_id":"Sklep","from_number":"+48500100200"}`)
	ann := e.contact("ann@example.com", "+48 600 100 200", yes())
	if c, ok := e.smsConsent(ann); !ok || !c.Granted {
		t.Fatalf("consent before: %+v", c)
	}
	m, _, err := e.st.CreateMessage(e.ctx, store.Message{ID: "msg_1", WorkspaceID: e.ws, ContactID: ann, Channel: store.ChannelSMS,
		StepKey: "k1", Status: store.MessageSent, Recipient: "+48600100200", CreatedAt: e.now, SentAt: e.now})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Plan(e.ctx, e.ws, "PLN", "+48600100200", "Twój koszyk czeka")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Deliver(e.ctx, e.ws, m.ID, p); err != nil {
		t.Fatal(err)
	}
	sent := e.twilio.Messages()
	if len(sent) != 1 || !strings.HasPrefix(sent[0].StatusCallback, e.web.URL+"/webhooks/sms/twilio/ws_sms/status?m=msg_1") {
		t.Fatalf("twilio got %+v", sent)
	}
	// A forged receipt is refused and changes nothing.
	res, err := e.twilio.Incoming(e.ctx, sent[0].StatusCallback, "+48600100200", "+48500100200", "x", false)
	if err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged: %v %v", res.StatusCode, err)
	}
	res, err = e.twilio.Status(e.ctx, sent[0], "undelivered", "30005")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %v %v", res, err)
	}
	info, err := e.st.SMSMessageInfo(e.ctx, e.ws, m.ID)
	if err != nil || info.Delivery != sms.DeliveryUndelivered || info.DeliveryCode != "30005" {
		t.Fatalf("delivery: %+v %v", info, err)
	}
	if got, _ := e.st.Message(e.ctx, e.ws, m.ID); got.Status != store.MessageFailed || !strings.Contains(got.Error, "30005") {
		t.Fatalf("message after undelivered: %+v", got)
	}
	// A late "sent" does not undo the final state.
	if res, _ = e.twilio.Status(e.ctx, sent[0], "sent", ""); res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if info, _ = e.st.SMSMessageInfo(e.ctx, e.ws, m.ID); info.Delivery != sms.DeliveryUndelivered {
		t.Fatalf("downgraded to %s", info.Delivery)
	}

	inbound := e.web.URL + "/webhooks/sms/twilio/ws_sms/inbound"
	// A STOP with a bad signature: 403, consent untouched.
	res, err = e.twilio.Incoming(e.ctx, inbound, "+48600100200", "+48500100200", "STOP", false)
	if err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged STOP: %v %v", res.StatusCode, err)
	}
	if c, _ := e.smsConsent(ann); !c.Granted {
		t.Fatal("a forged STOP revoked consent")
	}
	// A chatty reply is not a keyword.
	if res, _ = e.twilio.Incoming(e.ctx, inbound, "+48600100200", "+48500100200", "please don't stop the deals", true); res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if c, _ := e.smsConsent(ann); !c.Granted {
		t.Fatal("a sentence with stop in it revoked consent")
	}
	res, err = e.twilio.Incoming(e.ctx, inbound, "+48600100200", "+48500100200", " stop. ", true)
	if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "xml") {
		t.Fatalf("STOP: %v %v", res, err)
	}
	c, _ := e.smsConsent(ann)
	if c.Granted || c.Source != "sms_twilio" || !strings.Contains(c.Text, "STOP") {
		t.Fatalf("after STOP: %+v", c)
	}
	// START in Poland undoes the person's own STOP.
	if res, _ = e.twilio.Incoming(e.ctx, inbound, "+48600100200", "+48500100200", "START", true); res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if c, _ := e.smsConsent(ann); !c.Granted || c.Source != "sms_twilio" {
		t.Fatalf("after START: %+v", c)
	}
}

func TestStartNeedsEarlierConsentInEurope(t *testing.T) {
	e := newEnv(t)
	e.configure(`{"provider":"twilio","twilio_account_sid":"AC0123","twilio_auth_token":"tw-token","from_number":"+12025550100"}`)
	bob := e.contact("bob@example.com", "+48600100300", nil)
	us := e.contact("us@example.com", "+14155552671", nil)
	inbound := e.web.URL + "/webhooks/sms/twilio/ws_sms/inbound"
	for _, from := range []string{"+48600100300", "+14155552671"} {
		if res, err := e.twilio.Incoming(e.ctx, inbound, from, "+12025550100", "Start", true); err != nil || res.StatusCode != 200 {
			t.Fatalf("START from %s: %v %v", from, res, err)
		}
	}
	if c, ok := e.smsConsent(bob); ok && c.Granted {
		t.Fatalf("a Polish START granted consent never given: %+v", c)
	}
	if c, ok := e.smsConsent(us); !ok || !c.Granted {
		t.Fatalf("a US START is an opt-in: %+v", c)
	}
}

func TestSMSAPIReceiptsAndNie(t *testing.T) {
	e := newEnv(t)
	e.configure(`{"provider":"smsapi","smsapi_token":"api-token","sender_id":"Sklep"}`)
	ann := e.contact("ann@example.com", "600100200", yes())
	m, _, err := e.st.CreateMessage(e.ctx, store.Message{ID: "msg_2", WorkspaceID: e.ws, ContactID: ann, Channel: store.ChannelSMS,
		StepKey: "k2", Status: store.MessageSent, CreatedAt: e.now, SentAt: e.now})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Plan(e.ctx, e.ws, "PLN", "600100200", "Cześć Anno")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Deliver(e.ctx, e.ws, m.ID, p); err != nil {
		t.Fatal(err)
	}
	// Delivered a second time (a step retried): SMSAPI refuses the idx.
	if again, err := e.svc.Deliver(e.ctx, e.ws, m.ID, p); err != nil || !again.Duplicate {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	sent := e.smsapi.Messages()
	if len(sent) != 1 || sent[0].Idx != "msg_2" {
		t.Fatalf("smsapi got %+v", sent)
	}
	res, err := e.smsapi.Report(e.ctx, sent[0], "404")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("report: %v %v", res, err)
	}
	body, _ := io.ReadAll(res.Body)
	if string(body) != "OK" {
		t.Fatalf("SMSAPI expects OK, got %q", body)
	}
	if info, _ := e.st.SMSMessageInfo(e.ctx, e.ws, m.ID); info.Delivery != sms.DeliveryDelivered {
		t.Fatalf("delivery %+v", info)
	}
	urls, err := e.svc.Webhooks(e.ctx, e.ws)
	if err != nil {
		t.Fatal(err)
	}
	// Without the URL's key: refused.
	forged := strings.Split(urls.Inbound, "?")[0]
	if res, _ := e.smsapi.Incoming(e.ctx, forged, "48600100200", "48500100200", "NIE"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("keyless: %d", res.StatusCode)
	}
	if res, _ := e.smsapi.Incoming(e.ctx, forged+"?k=AAAA", "48600100200", "48500100200", "NIE"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("bad key: %d", res.StatusCode)
	}
	if c, _ := e.smsConsent(ann); !c.Granted {
		t.Fatal("a forged NIE revoked consent")
	}
	if res, _ := e.smsapi.Incoming(e.ctx, urls.Inbound, "48600100200", "48500100200", "Nie!"); res.StatusCode != http.StatusOK {
		t.Fatalf("NIE: %d", res.StatusCode)
	}
	if c, _ := e.smsConsent(ann); c.Granted || c.Source != "sms_smsapi" {
		t.Fatalf("after NIE: %+v", c)
	}
}

func TestKeywords(t *testing.T) {
	for text, want := range map[string]string{
		"STOP": sms.KeywordStop, "stop": sms.KeywordStop, " Stop! ": sms.KeywordStop, "STOPALL": sms.KeywordStop,
		"unsubscribe": sms.KeywordStop, "Cancel": sms.KeywordStop, "END": sms.KeywordStop, "quit": sms.KeywordStop,
		"NIE": sms.KeywordStop, "nie.": sms.KeywordStop, "Rezygnuję": sms.KeywordStop, "wypisz": sms.KeywordStop,
		"START": sms.KeywordStart, "unstop": sms.KeywordStart,
		"stop sending me this": sms.KeywordNone, "Nie wiem": sms.KeywordNone, "": sms.KeywordNone, "Thanks": sms.KeywordNone,
	} {
		if got := sms.Keyword(text); got != want {
			t.Errorf("Keyword(%q) = %q, want %q", text, got, want)
		}
	}
}
