package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// dsnFor is a Postfix-shaped hard bounce of one message, as the relay's
// MTA would send it to the message's VERP address.
func dsnFor(verp, rcpt string) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: MAILER-DAEMON@relay.example
To: %[1]s
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

Your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example

Final-Recipient: rfc822; %[2]s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <%[2]s>: Recipient address rejected: User unknown

--B1
Content-Type: text/rfc822-headers

Return-Path: <%[1]s>
To: %[2]s

--B1--
`, verp, rcpt), "\n", "\r\n"))
}

// The whole path: a flow's email goes out DKIM-signed from its VERP
// address; the DSN the relay sends back to the instance's bounce listener
// suppresses the address; the flow's next email to it is not sent.
func TestBounceSuppressesNextFlowEmail(t *testing.T) {
	relay := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := relay.Addr()
	clock := testclock.New(time.Now().UTC())
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port),
		"CARTWHEEL_BOUNCE_DOMAIN": "bounce.shop.example", "CARTWHEEL_BOUNCE_LISTEN": "127.0.0.1:0"})
	inst, logs := startTest(t, cfg, withClock(clock))
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	shop := newFlowShop(t, inst, testShopDomain)

	var dom struct {
		DKIM     struct{ Name, Value string } `json:"dkim"`
		Warnings []string                     `json:"warnings"`
	}
	if code := shop.api.do("GET", "/api/v1/messaging/domain", nil, &dom); code != 200 || dom.DKIM.Name != "cw1._domainkey.shop.example" {
		t.Fatalf("domain report: %d %+v", code, dom)
	}
	flow := map[string]any{"name": "Two emails", "status": "active", "trigger": map[string]any{"event": "bounce_signal"},
		"reentry": map[string]any{"mode": "once"}, "steps": []any{
			map[string]any{"id": "first", "kind": "send_email", "params": map[string]any{"subject": "First", "html": "<p>One</p>", "products": "none"}},
			map[string]any{"id": "pause", "kind": "wait", "wait": map[string]any{"duration": "1h"}},
			map[string]any{"id": "second", "kind": "send_email", "params": map[string]any{"subject": "Second", "html": "<p>Two</p>", "products": "none"}},
		}}
	if code := shop.api.do("POST", "/api/v1/flows", flow, nil); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	evs := map[string]any{"events": []any{
		map[string]any{"type": "consent", "email": "ann@example.com", "properties": map[string]any{"email": true}},
		map[string]any{"type": "bounce_signal", "email": "ann@example.com"},
	}}
	if code := shop.api.do("POST", "/api/v1/events", evs, nil); code != 202 {
		t.Fatalf("events: %d", code)
	}
	waitForLong(t, "the first email", func() bool { return relay.Count() == 1 })
	m := relay.Messages()[0]
	if !strings.HasPrefix(m.From, "bounces+"+shop.ws.ID+".") || !strings.HasSuffix(m.From, "@bounce.shop.example") {
		t.Fatalf("envelope sender %q is not a VERP address", m.From)
	}
	if !bytes.Contains(m.Data, []byte("DKIM-Signature:")) || !strings.Contains(string(m.Data), "d=shop.example") {
		t.Fatal("the flow email is not DKIM-signed")
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" && !strings.HasPrefix(cfg.PublicURL, "http:") {
		t.Error("no one-click List-Unsubscribe-Post")
	}

	if err := smtp.SendMail(inst.bounceAddr, nil, "", []string{m.From}, dsnFor(m.From, "ann@example.com")); err != nil {
		t.Fatalf("DSN to the listener: %v", err)
	}
	var sp struct{ Reason, Source string }
	if code := shop.api.do("GET", "/api/v1/suppressions/ann@example.com", nil, &sp); code != 200 || sp.Reason != "hard_bounce" || sp.Source != "dsn" {
		t.Fatalf("suppression: %d %+v", code, sp)
	}
	// Garbage to the listener is refused and changes nothing.
	if err := smtp.SendMail(inst.bounceAddr, nil, "", []string{m.From}, []byte("Subject: hi\r\n\r\nout of office\r\n")); err == nil ||
		!strings.Contains(err.Error(), "554") {
		t.Fatalf("plain mail to the listener: %v", err)
	}

	time.Sleep(time.Second) // the wait step starts from the clock's time now
	clock.Add(2 * time.Hour)
	waitForLong(t, "the second email step to run", func() bool {
		var list struct {
			Messages []struct{ Status, Error, Channel string } `json:"messages"`
		}
		shop.api.do("GET", "/api/v1/messages?channel=email", nil, &list)
		for _, msg := range list.Messages {
			if msg.Status == "failed" && strings.Contains(msg.Error, "suppressed") {
				return true
			}
		}
		return false
	})
	if n := relay.Count(); n != 1 {
		t.Fatalf("%d emails reached the relay; the suppressed address got another", n)
	}
}

// Suppressions go in and out of the API as CSV.
func TestSuppressionCSVOverAPI(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	shop := newFlowShop(t, inst, testShopDomain)
	post := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", inst.url(path), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		req.Header.Set("X-Cartwheel-Workspace", shop.ws.ID)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("/api/v1/suppressions/import", "email,reason\nann@example.com,complaint\nBob@Example.com,\n"); code != 200 ||
		!strings.Contains(body, `"imported":2`) {
		t.Fatalf("import: %d %s", code, body)
	}
	if code, body := post("/api/v1/suppressions/import", "a@b.example,\"broken\n"); code != 400 {
		t.Fatalf("broken CSV: %d %s", code, body)
	}
	req, _ := http.NewRequest("GET", inst.url("/api/v1/suppressions/export"), nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("X-Cartwheel-Workspace", shop.ws.ID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := string(b)
	if resp.StatusCode != 200 || !strings.HasPrefix(out, "email,reason,source,detail,created_at\n") ||
		!strings.Contains(out, "ann@example.com,complaint,import,") || !strings.Contains(out, "bob@example.com,manual,import,") {
		t.Fatalf("export: %d\n%s", resp.StatusCode, out)
	}
	if code := shop.api.do("DELETE", "/api/v1/suppressions/bob@example.com", nil, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code := shop.api.do("GET", "/api/v1/suppressions/bob@example.com", nil, nil); code != 404 {
		t.Fatalf("deleted address: %d", code)
	}
}
