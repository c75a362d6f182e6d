package actions_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/store"
)

func TestSendEmailCartRecovery(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", f.checkout("v1"))

	res, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil || res.Skipped != "" {
		t.Fatalf("SendEmail = %+v, %v", res, err)
	}
	id := messageID(t, res)
	msgs := f.smtp.WaitFor(1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("got %d mails", len(msgs))
	}
	m := msgs[0]
	if got := m.Subject(); got != "Ann, your cart is waiting" {
		t.Errorf("subject %q", got)
	}
	for _, want := range []string{"Linen Apron", "Copper Kettle", "Complete your order", "1 Rue de la Paix"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// The recovery link goes through click tracking, signed for this message.
	tracked := publicURL + "/e/c/" + id + "/"
	if !strings.Contains(m.HTML, tracked) || !strings.Contains(m.HTML, url.QueryEscape(recovery)) {
		t.Errorf("HTML has no tracked recovery link (%s…u=%s):\n%s", tracked, url.QueryEscape(recovery), m.HTML)
	}
	if strings.Contains(m.HTML, `href="`+recovery) {
		t.Error("the recovery link is not tracked")
	}
	if lu := m.Header.Get("List-Unsubscribe"); !strings.Contains(lu, publicURL+"/e/u/") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", m.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(m.Header.Get("Message-Id"), id) {
		t.Errorf("Message-Id %q does not carry %s", m.Header.Get("Message-Id"), id)
	}
	if len(m.To) != 1 || m.To[0] != "ann@example.com" || m.From != "hello@shop.example" {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}

	stored, err := f.st.Message(f.ctx, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != store.MessageSent || stored.StepKey != automation.StepKey(en, "email1") ||
		stored.Subject != "Ann, your cart is waiting" || !stored.SentAt.Equal(t0) {
		t.Errorf("stored %+v", stored)
	}
	if sent := f.events(actions.EventEmailSent); len(sent) != 1 || sent[0].ContactID != "ct_ann" ||
		!strings.Contains(string(sent[0].Props), id) {
		t.Errorf("email_sent events %+v", sent)
	}
}

func TestSendEmailTwiceSendsOnce(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", f.checkout("v1"))
	first, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil {
		t.Fatal(err)
	}
	if messageID(t, first) != messageID(t, again) || again.Skipped != "" {
		t.Errorf("repeat = %+v, first %+v", again, first)
	}
	f.smtp.WaitFor(1, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	if n := f.smtp.Count(); n != 1 {
		t.Fatalf("the SMTP server got %d mails, want 1", n)
	}
}

// A temporary refusal leaves the message queued; the retry sends that
// same message (not a new one), once.
func TestSendEmailTemporaryFailureRetriesSameMessage(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", f.checkout("v1"))
	f.smtp.FailNext(1, 451, "try again later")
	if _, err := f.ch.SendEmail(f.ctx, en, emailStep("email1")); err == nil {
		t.Fatal("a temporary failure must be an error, for River to retry")
	}
	queued, err := f.st.MessageByStepKey(f.ctx, ws, automation.StepKey(en, "email1"))
	if err != nil || queued.Status != store.MessageQueued {
		t.Fatalf("after the failure: %+v, %v", queued, err)
	}
	res, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil {
		t.Fatal(err)
	}
	if messageID(t, res) != queued.ID {
		t.Errorf("the retry made message %s, want the queued %s", messageID(t, res), queued.ID)
	}
	if msgs := f.smtp.WaitFor(1, 5*time.Second); len(msgs) != 1 || !strings.Contains(msgs[0].Header.Get("Message-Id"), queued.ID) {
		t.Fatalf("mails %d", len(msgs))
	}
}

func TestSendEmailPermanentFailureSkips(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", f.checkout("v1"))
	f.smtp.FailNext(1, 550, "no such user")
	res, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil || !strings.HasPrefix(res.Skipped, "rejected: ") {
		t.Fatalf("SendEmail = %+v, %v", res, err)
	}
	again, err := f.ch.SendEmail(f.ctx, en, emailStep("email1"))
	if err != nil || again.Skipped != res.Skipped {
		t.Fatalf("repeat = %+v, %v", again, err)
	}
	if f.smtp.Count() != 0 {
		t.Error("a refused mail was sent")
	}
	m, _ := f.st.MessageByStepKey(f.ctx, ws, automation.StepKey(en, "email1"))
	if m.Status != store.MessageFailed {
		t.Errorf("status %q", m.Status)
	}
}

func TestSendEmailNoConsentSkips(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_bob", "bob@example.com", "v2", false, "")
	res, err := f.ch.SendEmail(f.ctx, enrollment("ct_bob", 0), emailStep("email1"))
	if err != nil || res.Skipped != actions.SkipNoConsent {
		t.Fatalf("SendEmail = %+v, %v", res, err)
	}
	// Erased contacts are skipped too.
	res, err = f.ch.SendEmail(f.ctx, enrollment("ct_gone", 0), emailStep("email1"))
	if err != nil || res.Skipped != actions.SkipErased {
		t.Fatalf("erased: %+v, %v", res, err)
	}
	if f.smtp.Count() != 0 {
		t.Error("mail sent without consent")
	}
}

func TestSendEmailFrequencyCap(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	// Default cap: 3 emails in 7 days.
	for i, step := range []string{"a", "b", "c", "d"} {
		f.clock.Set(t0.Add(time.Duration(i) * 24 * time.Hour))
		res, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), emailStep(step))
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 && res.Skipped != "" || i == 3 && res.Skipped != actions.SkipCap {
			t.Fatalf("email %d: %+v", i+1, res)
		}
	}
	// A week after the first, there is room again.
	f.clock.Set(t0.Add(7*24*time.Hour + time.Hour))
	if res, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), emailStep("e")); err != nil || res.Skipped != "" {
		t.Fatalf("after the window: %+v, %v", res, err)
	}
	if n := len(f.smtp.WaitFor(4, 5*time.Second)); n != 4 {
		t.Errorf("%d mails, want 4", n)
	}
}

func TestSendEmailQuietHoursDefers(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	f.contact("ct_ny", "ny@example.com", "v9", true, `{"timezone":"America/New_York"}`)

	f.clock.Set(time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC)) // 22:30 in the workspace's UTC
	_, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), emailStep("email1"))
	d, ok := actions.AsDefer(err)
	if !ok || !d.Until.Equal(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("err = %v, want a DeferError until 08:00 UTC", err)
	}
	var de *actions.DeferError
	if !errors.As(err, &de) {
		t.Error("errors.As must find the DeferError")
	}

	// 12:00 UTC is 07:00 in New York: the contact's own timezone wins.
	f.clock.Set(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	_, err = f.ch.SendEmail(f.ctx, enrollment("ct_ny", 0), emailStep("email1"))
	if d, ok := actions.AsDefer(err); !ok || !d.Until.Equal(time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC)) {
		t.Fatalf("err = %v, want a DeferError until 08:00 New York", err)
	}
	if f.smtp.Count() != 0 {
		t.Error("mail sent in quiet hours")
	}
	if n, _ := f.st.CountMessagesSince(f.ctx, ws, "ct_ny", store.ChannelEmail, time.Time{}); n != 0 {
		t.Error("a deferred email was stored as sent")
	}
}

func TestSendEmailOutbox(t *testing.T) {
	f := newFixture(t, func(o *actions.Options) { o.Mail = nil })
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	res, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", f.checkout("v1")), emailStep("email1"))
	if err != nil || res.Skipped != "" {
		t.Fatalf("SendEmail = %+v, %v", res, err)
	}
	m, err := f.st.Message(f.ctx, ws, messageID(t, res))
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != store.MessageOutbox || m.Subject != "Ann, your cart is waiting" || !strings.Contains(string(m.Body), "Copper Kettle") {
		t.Errorf("outbox message %+v", m)
	}
	if f.smtp.Count() != 0 {
		t.Error("outbox mode sent mail")
	}
}

func TestSendEmailDiscountAndProducts(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", f.checkout("v1"))
	// The discount step ran earlier in this enrollment.
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		_, err := tx.RecordStepRun(store.StepRun{EnrollmentID: en.ID, StepID: "disc", WorkspaceID: ws, Attempt: 1,
			Status: "done", Result: []byte(`{"data":{"code":"CART-ABCDEFGH","percent":10,"expires_at":"2026-03-16T10:00:00Z"}}`), At: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := emailStep("email2")
	s.Params["discount_from"] = "disc"
	s.Params["vars"] = map[string]any{"headline": "Still thinking?"}
	s.Params["html"] = `<h1>{{.Vars.headline}}</h1>{{template "discount" .Discount}}{{template "product_grid" .Products}}`
	if _, err := f.ch.SendEmail(f.ctx, en, s); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.WaitFor(1, 5*time.Second)[0]
	for _, want := range []string{"Still thinking?", "CART-ABCDEFGH", "Linen Apron"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestSendEmailNeedsFromAddress(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	if _, err := f.msg.UpdateSettings(f.ctx, ws, []byte(`{"from_email":""}`)); err != nil {
		t.Fatal(err)
	}
	_, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), emailStep("email1"))
	if err == nil || !strings.Contains(err.Error(), "from_email") {
		t.Fatalf("err = %v", err)
	}
}
