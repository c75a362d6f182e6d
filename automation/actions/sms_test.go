package actions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/messaging/sms/smstest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// smsFixture is the fixture with the SMS channel sending through an
// in-process Twilio.
func smsFixture(t *testing.T) (*fixture, *smstest.Twilio) {
	t.Helper()
	tw := smstest.NewTwilio("AC42", "tw-secret")
	t.Cleanup(tw.Close)
	var svc *sms.Service
	f := newFixture(t, func(o *actions.Options) {
		box, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		svc = sms.New(sms.Options{Store: o.Store, Box: box, Events: o.Events, PublicURL: publicURL, TwilioBase: tw.URL, Now: o.Now})
		o.SMS = svc
	})
	if _, err := svc.UpdateSettings(f.ctx, ws, json.RawMessage(`{"provider":"twilio","twilio_account_sid":"AC42",
		"twilio_auth_token":"tw-secret","sender_id":"Cafe","from_number":"+12025550100"}`)); err != nil {
		t.Fatal(err)
	}
	return f, tw
}

// phoneContact makes a contact with a phone and the consents named.
func (f *fixture) phoneContact(id, addr, phone string, consents ...string) {
	f.t.Helper()
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateContact(store.Contact{WorkspaceID: ws, ID: id, Email: addr, Phone: phone, FirstName: "Ann",
			Attributes: json.RawMessage(`{}`), CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.AddIdentity(ws, cdp.KindVisitor, "v_"+id, id, t0); err != nil {
			return err
		}
		for _, ch := range consents {
			if err := tx.SetConsent(ws, id, store.Consent{Channel: ch, Granted: true, Source: "test", UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func smsStep(id, text string) automation.Step {
	return automation.Step{ID: id, Kind: automation.KindSendSMS, Params: map[string]any{"text": text}}
}

func TestSendSMS(t *testing.T) {
	f, tw := smsFixture(t)
	f.phoneContact("c_ann", "ann@example.com", "+48600100200", "sms")
	en := enrollment("c_ann", f.checkout("v_c_ann"))
	step := smsStep("text", "Cześć {{.Contact.FirstName}}! Koszyk: {{(index .Items 0).Title}}")
	res, err := f.ch.SendSMS(f.ctx, en, step)
	if err != nil || res.Skipped != "" {
		t.Fatalf("send: %+v, %v", res, err)
	}
	got := tw.Messages()
	if len(got) != 1 || got[0].To != "+48600100200" || got[0].From != "Cafe" || got[0].Body != "Cześć Ann! Koszyk: Linen Apron" {
		t.Fatalf("twilio got %+v", got)
	}
	m, err := f.st.Message(f.ctx, ws, messageID(t, res))
	if err != nil || m.Status != store.MessageSent || m.Channel != store.ChannelSMS || m.Recipient != "+48600100200" {
		t.Fatalf("message %+v %v", m, err)
	}
	// The step again (River delivering it twice): nothing more is sent.
	if again, err := f.ch.SendSMS(f.ctx, en, step); err != nil || messageID(t, again) != m.ID || len(tw.Messages()) != 1 {
		t.Fatalf("repeat: %+v %v, %d sent", again, err, len(tw.Messages()))
	}
	if len(f.events(actions.EventSMSSent)) != 1 {
		t.Fatal("no sms_sent event")
	}
}

func TestSendSMSGuards(t *testing.T) {
	f, tw := smsFixture(t)
	f.phoneContact("c_noconsent", "a@example.com", "+48600100201", "email")
	f.phoneContact("c_nophone", "b@example.com", "", "sms")
	f.phoneContact("c_us", "c@example.com", "+14155552671", "sms")
	for id, want := range map[string]string{"c_noconsent": actions.SkipNoSMSConsent, "c_nophone": actions.SkipNoPhone} {
		res, err := f.ch.SendSMS(f.ctx, enrollment(id, 0), smsStep("s", "Hi"))
		if err != nil || res.Skipped != want {
			t.Errorf("%s: %+v %v, want skipped %q", id, res, err, want)
		}
	}
	// The US needs a number: the sending number is used, not the name.
	if res, err := f.ch.SendSMS(f.ctx, enrollment("c_us", 0), smsStep("s", "Hi")); err != nil || res.Skipped != "" {
		t.Fatalf("US: %+v %v", res, err)
	}
	if got := tw.Messages(); len(got) != 1 || got[0].From != "+12025550100" {
		t.Fatalf("twilio got %+v", got)
	}
}

func TestSendSMSFailures(t *testing.T) {
	f, tw := smsFixture(t)
	f.phoneContact("c_stopped", "a@example.com", "+48600100300", "sms")
	f.phoneContact("c_ok", "b@example.com", "+48600100301", "sms")
	// Twilio refuses a number that replied STOP to it (21610): permanent,
	// the message fails and the step is not retried.
	tw.Stop("+48600100300")
	res, err := f.ch.SendSMS(f.ctx, enrollment("c_stopped", 0), smsStep("s", "Hi"))
	if err != nil || !strings.Contains(res.Skipped, "21610") {
		t.Fatalf("stopped: %+v %v", res, err)
	}
	// An outage is temporary: an error (River retries), the message stays
	// queued, and the retry sends it once.
	en := enrollment("c_ok", 0)
	tw.FailNext(1)
	if _, err := f.ch.SendSMS(f.ctx, en, smsStep("s", "Hi")); err == nil {
		t.Fatal("a 503 was not an error")
	}
	m, err := f.st.MessageByStepKey(f.ctx, ws, automation.StepKey(en, "s"))
	if err != nil || m.Status != store.MessageQueued {
		t.Fatalf("after the outage: %+v %v", m, err)
	}
	if res, err := f.ch.SendSMS(f.ctx, en, smsStep("s", "Hi")); err != nil || messageID(t, res) != m.ID {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if n := len(tw.Messages()); n != 1 {
		t.Fatalf("%d texts accepted, want 1", n)
	}
}

func bestStep(id string, channels ...string) automation.Step {
	list := make([]any, len(channels))
	for i, c := range channels {
		list[i] = c
	}
	return automation.Step{ID: id, Kind: automation.KindSendBest, Params: map[string]any{
		"channels": list,
		"sms":      map[string]any{"text": "Hi {{.Contact.FirstName}}, your cart is waiting"},
		"email":    emailStep("x").Params,
		"push":     map[string]any{"title": "Your cart"},
	}}
}

func TestSendBest(t *testing.T) {
	f, tw := smsFixture(t)
	f.phoneContact("c_sms", "a@example.com", "+48600100400", "sms", "email")
	f.phoneContact("c_email", "b@example.com", "+48600100401", "email")
	f.phoneContact("c_none", "c@example.com", "+48600100402")
	step := bestStep("best", "sms", "push", "email")
	if err := f.ch.CheckStep(step); err != nil {
		t.Fatal(err)
	}
	en := enrollment("c_sms", 0)
	res, err := f.ch.SendBest(f.ctx, en, step)
	if err != nil || res.Data["channel"] != "sms" {
		t.Fatalf("c_sms: %+v %v", res, err)
	}
	if again, err := f.ch.SendBest(f.ctx, en, step); err != nil || again.Data["channel"] != "sms" || len(tw.Messages()) != 1 {
		t.Fatalf("repeat: %+v %v, %d texts", again, err, len(tw.Messages()))
	}
	res, err = f.ch.SendBest(f.ctx, enrollment("c_email", 0), step)
	if err != nil || res.Data["channel"] != "email" {
		t.Fatalf("c_email: %+v %v", res, err)
	}
	if n := len(f.smtp.Messages()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
	res, err = f.ch.SendBest(f.ctx, enrollment("c_none", 0), step)
	if err != nil || res.Skipped != actions.SkipNoChannel {
		t.Fatalf("c_none: %+v %v", res, err)
	}
	// Email first: the contact with both gets email.
	res, err = f.ch.SendBest(f.ctx, enrollment("c_sms", 0), bestStep("best2", "email", "sms"))
	if err != nil || res.Data["channel"] != "email" || len(tw.Messages()) != 1 {
		t.Fatalf("email first: %+v %v", res, err)
	}
	bad := bestStep("bad", "sms")
	bad.Params["sms"] = map[string]any{"text": "{{.Contact"}
	if err := f.ch.CheckStep(bad); err == nil || !strings.Contains(err.Error(), "sms.text") {
		t.Fatalf("bad sms text: %v", err)
	}
}
