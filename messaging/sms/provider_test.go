package sms_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/messaging/sms/smstest"
)

func TestTwilioSend(t *testing.T) {
	srv := smstest.NewTwilio("AC123", "secret-token")
	defer srv.Close()
	p := &sms.Twilio{AccountSID: "AC123", AuthToken: "secret-token", Base: srv.URL}
	ctx := context.Background()
	got, err := p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: "Cześć", StatusURL: "https://cw.example/s?m=1"})
	if err != nil || got.ProviderID == "" || got.Status != "queued" {
		t.Fatalf("send: %+v, %v", got, err)
	}
	ms := srv.Messages()
	if len(ms) != 1 || ms[0].To != "+48600100200" || ms[0].From != "Sklep" || ms[0].Body != "Cześć" || ms[0].StatusCallback != "https://cw.example/s?m=1" {
		t.Fatalf("server got %+v", ms)
	}
	for _, tc := range []struct {
		name      string
		p         *sms.Twilio
		m         sms.Outgoing
		code      string
		permanent bool
	}{
		{"invalid number", p, sms.Outgoing{To: "+48-bad", From: "+48500000000", Text: "x"}, "21211", true},
		{"alphanumeric to the US", p, sms.Outgoing{To: "+14155552671", From: "Sklep", Text: "x"}, "21612", true},
		{"empty body", p, sms.Outgoing{To: "+48600100200", From: "+48500000000"}, "21602", true},
		{"wrong token", &sms.Twilio{AccountSID: "AC123", AuthToken: "wrong", Base: srv.URL}, sms.Outgoing{To: "+48600100200", From: "+48500000000", Text: "x"}, "20003", true},
	} {
		_, err := tc.p.Send(ctx, tc.m)
		var se *sms.SendError
		if !errors.As(err, &se) || se.Code != tc.code || se.Permanent != tc.permanent || sms.Permanent(err) != tc.permanent {
			t.Errorf("%s: %v, want code %s permanent %v", tc.name, err, tc.code, tc.permanent)
		}
	}
	srv.Stop("+48600100201")
	if _, err := p.Send(ctx, sms.Outgoing{To: "+48600100201", From: "Sklep", Text: "x"}); !sms.Permanent(err) {
		t.Fatalf("to a stopped number: %v, want permanent 21610", err)
	}
	srv.FailNext(1)
	_, err = p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: "x"})
	if err == nil || sms.Permanent(err) {
		t.Fatalf("503: %v, want a temporary error", err)
	}
	if _, err := p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: "x"}); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

func TestSMSAPISend(t *testing.T) {
	srv := smstest.NewSMSAPI("tok", "Sklep")
	defer srv.Close()
	p := &sms.SMSAPI{Token: "tok", Base: srv.URL}
	ctx := context.Background()
	text := "Zażółć gęślą jaźń — ostatnie sztuki w koszyku czekają na Ciebie, kod RABAT10 ważny do północy!"
	got, err := p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: text, Reference: "msg-1", StatusURL: "https://cw.example/dlr"})
	if err != nil || got.ProviderID == "" || got.Duplicate {
		t.Fatalf("send: %+v, %v", got, err)
	}
	ms := srv.Messages()
	if len(ms) != 1 || ms[0].To != "48600100200" || ms[0].Idx != "msg-1" || ms[0].NotifyURL != "https://cw.example/dlr" || ms[0].Message != text || ms[0].Parts != 2 {
		t.Fatalf("server got %+v", ms)
	}
	// The same reference again (a retry after a lost answer) is refused by
	// SMSAPI and reported as a duplicate, not as a failure.
	again, err := p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: text, Reference: "msg-1"})
	if err != nil || !again.Duplicate || len(srv.Messages()) != 1 {
		t.Fatalf("repeat: %+v, %v, %d sent", again, err, len(srv.Messages()))
	}
	for _, tc := range []struct {
		name      string
		p         *sms.SMSAPI
		m         sms.Outgoing
		code      string
		permanent bool
	}{
		{"bad number", p, sms.Outgoing{To: "+12", From: "Sklep", Text: "x"}, "13", true},
		{"unregistered sender", p, sms.Outgoing{To: "+48600100200", From: "Other", Text: "x"}, "14", true},
		{"no message", p, sms.Outgoing{To: "+48600100200", From: "Sklep"}, "11", true},
		{"bad token", &sms.SMSAPI{Token: "nope", Base: srv.URL}, sms.Outgoing{To: "+48600100200", Text: "x"}, "101", true},
	} {
		_, err := tc.p.Send(ctx, tc.m)
		var se *sms.SendError
		if !errors.As(err, &se) || se.Code != tc.code || se.Permanent != tc.permanent {
			t.Errorf("%s: %v, want code %s permanent %v", tc.name, err, tc.code, tc.permanent)
		}
	}
	srv.FailNext(1)
	if _, err := p.Send(ctx, sms.Outgoing{To: "+48600100200", From: "Sklep", Text: "y"}); err == nil || sms.Permanent(err) {
		t.Fatalf("rate limited: %v, want temporary", err)
	}
}

func TestTwilioSignature(t *testing.T) {
	// Twilio's documented example: this URL, these parameters and the
	// token 12345 sign to this value.
	u := "https://mycompany.com/myapp.php?foo=1&bar=2"
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"}, "From": {"+12349013030"}, "To": {"+18005551212"}}
	if got := sms.TwilioSignature("12345", u, form); got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Fatalf("signature %s", got)
	}
	if !sms.VerifyTwilio("12345", u, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") || sms.VerifyTwilio("12346", u, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") {
		t.Fatal("verify")
	}
	form.Set("Digits", "1235")
	if sms.VerifyTwilio("12345", u, form, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") {
		t.Fatal("a changed parameter still verifies")
	}
}
