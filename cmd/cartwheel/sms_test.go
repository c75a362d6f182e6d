package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/messaging/sms/smstest"
	"github.com/cartwheelhq/cartwheel/store"
)

// TestSMSFlowEndToEnd runs a flow with an SMS step through the real server
// to an in-process Twilio, takes a delivery receipt, refuses a forged STOP,
// applies a signed one, and checks that a later SMS step sends nothing.
func TestSMSFlowEndToEnd(t *testing.T) {
	tw := smstest.NewTwilio("AC77", "tw-e2e-token")
	defer tw.Close()
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_TWILIO_API_BASE": tw.URL})
	inst, _ := startTest(t, cfg)
	shop := newFlowShop(t, inst, "sms-shop.myshopify.com")
	api := shop.api
	ctx := context.Background()

	var set struct {
		Settings sms.Settings    `json:"settings"`
		Webhooks sms.WebhookURLs `json:"webhooks"`
	}
	if code := api.do("PATCH", "/api/v1/sms/settings", map[string]any{"provider": "twilio", "twilio_account_sid": "AC77",
		"twilio_auth_token": "tw-e2e-token", "sender_id": "Sklep", "from_number": "+12025550100"}, &set); code != 200 || !set.Settings.HasCredentials {
		t.Fatalf("sms settings: %d %+v", code, set)
	}
	if !strings.HasSuffix(set.Webhooks.Inbound, "/webhooks/sms/twilio/"+shop.ws.ID+"/inbound") {
		t.Fatalf("inbound URL %q", set.Webhooks.Inbound)
	}
	var flow struct {
		ID string `json:"id"`
	}
	if code := api.do("POST", "/api/v1/flows", map[string]any{"name": "SMS welcome", "status": "active",
		"trigger": map[string]any{"event": "joined_club"}, "reentry": map[string]any{"mode": "always"},
		"steps": []map[string]any{{"id": "text", "kind": "send_sms", "params": map[string]any{
			"text": "Cześć {{.Contact.FirstName}}! Witamy w klubie."}}}}, &flow); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	events := func(evs ...map[string]any) {
		t.Helper()
		if code := api.do("POST", "/api/v1/events", map[string]any{"events": evs}, nil); code != 202 && code != 200 {
			t.Fatalf("events: %d", code)
		}
	}
	events(map[string]any{"type": "identify", "email": "anna@example.com", "phone": "+48 600 100 200",
		"properties": map[string]any{"first_name": "Anna"}},
		map[string]any{"type": "consent", "email": "anna@example.com", "properties": map[string]any{"channels": map[string]any{"sms": true}}})
	var contact store.Contact
	waitFor(t, "the contact with SMS consent", func() bool {
		c, err := inst.st.ContactByEmail(ctx, shop.ws.ID, "anna@example.com")
		if err != nil || c.Phone == "" {
			return false
		}
		contact = c
		return smsConsent(t, inst, shop.ws.ID, c.ID) == "granted"
	})

	events(map[string]any{"type": "joined_club", "email": "anna@example.com"})
	waitForLong(t, "the text", func() bool { return len(tw.Messages()) == 1 })
	m := tw.Messages()[0]
	if m.To != "+48600100200" || m.From != "Sklep" || m.Body != "Cześć Anna! Witamy w klubie." {
		t.Fatalf("twilio got %+v", m)
	}
	res, err := tw.Status(ctx, m, "delivered", "")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %v %v", res, err)
	}
	msgs, err := inst.st.Messages(ctx, shop.ws.ID, store.MessageFilter{Channel: store.ChannelSMS, Limit: 10})
	if err != nil || len(msgs) != 1 || msgs[0].Status != store.MessageSent {
		t.Fatalf("messages %+v %v", msgs, err)
	}
	if info, err := inst.st.SMSMessageInfo(ctx, shop.ws.ID, msgs[0].ID); err != nil || info.Delivery != sms.DeliveryDelivered {
		t.Fatalf("delivery %+v %v", info, err)
	}

	// A STOP signed with another token: refused, consent unchanged.
	res, err = tw.Incoming(ctx, set.Webhooks.Inbound, "+48600100200", "+12025550100", "STOP", false)
	if err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged STOP: %v %v", res, err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := smsConsent(t, inst, shop.ws.ID, contact.ID); got != "granted" {
		t.Fatalf("consent after a forged STOP: %s", got)
	}
	res, err = tw.Incoming(ctx, set.Webhooks.Inbound, "+48600100200", "+12025550100", "Stop", true)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("STOP: %v %v", res, err)
	}
	waitFor(t, "the STOP to withdraw SMS consent", func() bool {
		return smsConsent(t, inst, shop.ws.ID, contact.ID) == "withdrawn by sms_twilio"
	})

	// The flow again: the step is skipped, nothing is sent.
	events(map[string]any{"type": "joined_club", "email": "anna@example.com"})
	waitForLong(t, "the second enrollment to finish", func() bool {
		ens := enrollments(t, api, flow.ID)
		done := 0
		for _, e := range ens {
			if e.Status == "completed" {
				done++
			}
		}
		return done == 2
	})
	if n := len(tw.Messages()); n != 1 {
		t.Fatalf("%d texts after STOP, want 1", n)
	}

	// The counter: Polish diacritics force UCS-2.
	var count struct {
		Count   sms.Count `json:"count"`
		AsTyped sms.Count `json:"as_typed"`
	}
	text := "Cześć! Dziś -20% na żółte kurtki i ciepłe szaliki. Kod ZIMA20 ważny do niedzieli, zapraszamy do sklepu."
	if code := api.do("POST", "/api/v1/sms/count", map[string]any{"text": text}, &count); code != 200 ||
		count.Count.Encoding != sms.UCS2 || count.Count.Segments != 2 || count.Count.Characters != 103 {
		t.Fatalf("count: %d %+v", code, count)
	}
	if code := api.do("POST", "/api/v1/sms/count", map[string]any{"text": text, "transliterate": true}, &count); code != 200 ||
		count.Count.Encoding != sms.GSM7 || count.Count.Segments != 1 || count.AsTyped.Segments != 2 {
		t.Fatalf("count transliterated: %d %+v", code, count)
	}
}

// smsConsent describes the contact's SMS consent: "granted", "withdrawn
// by SOURCE" or "none".
func smsConsent(t *testing.T, inst *instance, ws, contact string) string {
	t.Helper()
	cs, err := inst.st.Consents(context.Background(), ws, contact)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Channel == store.ChannelSMS {
			if c.Granted {
				return "granted"
			}
			return "withdrawn by " + c.Source
		}
	}
	return "none"
}
