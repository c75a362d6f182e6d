package actions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// A Polish workspace's double opt-in confirmation is Polish, greets by
// name, and writes no English chrome.
func TestConfirmSubscriptionEmailInPolish(t *testing.T) {
	f := newFixture(t)
	w, err := f.st.Workspace(f.ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	w.Locale = "pl-PL"
	if err := f.st.UpdateWorkspace(f.ctx, w); err != nil {
		t.Fatal(err)
	}
	f.contact("c_pending", "bo@example.com", "v_pending", false, "")
	err = f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.SetConsent(ws, "c_pending", store.Consent{Channel: "email", Granted: false,
			Text: cdp.PendingConsentPrefix + "Send me offers", UpdatedAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := store.Event{ID: 42, WorkspaceID: ws, Type: cdp.EventConsent, Props: json.RawMessage(`{"email":true}`)}
	if err := f.ch.ConfirmSubscription(f.ctx, ev, "c_pending"); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.WaitFor(1, 5e9)[0]
	if m.Subject() != "Potwierdź subskrypcję Café Lumière" {
		t.Errorf("subject %q", m.Subject())
	}
	for _, want := range []string{"Cześć Ann!", "Tak, zapisz mnie", "Wypisz się"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the email lacks %q", want)
		}
	}
	for _, en := range []string{"Hi ", "Hello", "please confirm", "Unsubscribe<"} {
		if strings.Contains(m.HTML, en) {
			t.Errorf("the Polish email says %q", en)
		}
	}
}
