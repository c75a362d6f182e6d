package actions_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// A site sign-up in a double opt-in workspace gets one confirmation email
// whose link carries a valid confirmation token; a replay of the event
// sends nothing more, and a granted consent sends nothing at all.
func TestConfirmSubscriptionEmail(t *testing.T) {
	f := newFixture(t)
	f.contact("c_pending", "bo@example.com", "v_pending", false, "")
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.SetConsent(ws, "c_pending", store.Consent{Channel: "email", Granted: false,
			Text: cdp.PendingConsentPrefix + "Send me offers", UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := store.Event{ID: 42, WorkspaceID: ws, Type: cdp.EventConsent, Props: json.RawMessage(`{"email":true}`)}
	for range 2 {
		if err := f.ch.ConfirmSubscription(f.ctx, ev, "c_pending"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.smtp.Count(); n != 1 {
		t.Fatalf("%d confirmation emails, want 1", n)
	}
	m := f.smtp.Messages()[0]
	if !strings.Contains(m.Subject(), "confirm") || m.To[0] != "bo@example.com" {
		t.Fatalf("confirmation %q to %v", m.Subject(), m.To)
	}
	var confirm string
	for _, part := range strings.Split(m.HTML, `href="`)[1:] {
		u, err := url.Parse(strings.ReplaceAll(part[:strings.Index(part, `"`)], "&amp;", "&"))
		if err == nil && strings.Contains(u.Query().Get("u"), "/e/confirm/") {
			confirm = u.Query().Get("u")
		}
	}
	tok := confirm[strings.LastIndex(confirm, "/")+1:]
	info, err := f.links.ParseConfirm(tok)
	if err != nil || info.ContactID != "c_pending" || info.WorkspaceID != ws {
		t.Fatalf("confirmation link %q: %+v %v", confirm, info, err)
	}

	// Tracking consent alone, or an already granted email consent, sends nothing.
	f.contact("c_granted", "cy@example.com", "v_granted", true, "")
	for _, c := range []struct {
		contact, props string
	}{{"c_pending", `{"tracking":true}`}, {"c_granted", `{"email":true}`}} {
		ev := store.Event{ID: 43, WorkspaceID: ws, Type: cdp.EventConsent, Props: json.RawMessage(c.props)}
		if err := f.ch.ConfirmSubscription(f.ctx, ev, c.contact); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := f.smtp.Count(); n != 1 {
		t.Fatalf("%d emails after events that need no confirmation", n)
	}
}
