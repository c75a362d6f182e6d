package cdp

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// Tags from flows and the API are a set on the profile, and a double
// opt-in workspace holds a site sign-up's email consent until confirmed.
func TestTagsAndDoubleOptIn(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if err := st.PutMessagingSettings(ctx, "ws_a", json.RawMessage(`{"double_opt_in":true}`), t0); err != nil {
		t.Fatal(err)
	}
	signup := ev("identify", "v1", "s1", 0, `{"email":"bo@example.com"}`, "")
	consent := ev("consent", "v1", "s1", time.Second, `{"email":true,"text":"Send me offers"}`, "")
	if err := st.AppendEvents(ctx, []store.Event{signup, consent}); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, quiet, func() time.Time { return t0 })
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.ContactByEmail(ctx, "ws_a", "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	emailConsent := func() store.Consent {
		t.Helper()
		cons, err := st.Consents(ctx, "ws_a", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range cons {
			if x.Channel == "email" {
				return x
			}
		}
		t.Fatal("no email consent")
		return store.Consent{}
	}
	if got := emailConsent(); got.Granted || got.Text != PendingConsentPrefix+"Send me offers" {
		t.Fatalf("before confirmation: %+v", got)
	}
	in := NewIngest(st, quiet, func() time.Time { return t0.Add(time.Minute) })
	for _, e := range []struct {
		typ   string
		props any
	}{
		{EventConsent, map[string]any{"email": true, "text": "confirmed"}},
		{EventTagAdded, map[string]string{"tag": "vip"}},
		{EventTagAdded, map[string]string{"tag": "coffee"}},
		{EventTagAdded, map[string]string{"tag": "vip"}},
		{EventTagAdded, map[string]string{"tag": "gone"}},
		{EventTagRemoved, map[string]string{"tag": "gone"}},
	} {
		src := "automation"
		if e.typ == EventConsent {
			src = SourceDoubleOptIn
		}
		if err := in.RecordFor(ctx, "ws_a", c.ID, e.typ, src, time.Time{}, e.props); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := emailConsent(); !got.Granted {
		t.Errorf("after confirmation: %+v", got)
	}
	if tags := profileOf(t, st, c.ID).Tags; len(tags) != 2 || tags[0] != "coffee" || tags[1] != "vip" {
		t.Errorf("tags %v", tags)
	}
}

// An API consent event names the person by email and the channel by the
// same key: the flag moves under "channels" and both survive.
func TestAPIConsentByEmail(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	ev, err := APIEvent{Type: EventConsent, Email: "Di@Example.com", Properties: json.RawMessage(`{"email":true,"push":false}`)}.ToEvent("ws_a", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AppendEvents(ctx, []store.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if err := NewProcessor(st, quiet, func() time.Time { return t0 }).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.ContactByEmail(ctx, "ws_a", "di@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := st.Consents(ctx, "ws_a", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, x := range cons {
		got[x.Channel] = x.Granted
	}
	if len(got) != 2 || !got["email"] || got["push"] {
		t.Fatalf("consents %v", got)
	}
}

// When an anonymous contact turns out to be a known one, its flow
// enrollments and messages move with it: the known contact's order must
// end the anonymous cart flow, and a click on its push earns the order.
func TestMergeMovesEnrollmentsAndMessages(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if err := st.AppendEvents(ctx, []store.Event{
		ev("identify", "v-known", "s1", 0, `{"email":"eve@example.com"}`, ""),
		ev("add_to_cart", "v-anon", "s2", time.Second, `{"product_id":"p1"}`, ""),
	}); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, quiet, func() time.Time { return t0 })
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	anon, err := st.ContactByIdentity(ctx, "ws_a", KindVisitor, "v-anon")
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertEnrollment(store.Enrollment{ID: "enr_1", WorkspaceID: "ws_a", FlowID: "flow_cart", FlowVersion: 1,
			ContactID: anon.ID, TriggerEventID: 2, Status: "active", CurrentStep: "push", NextAt: t0, CreatedAt: t0, UpdatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateMessage(ctx, store.Message{ID: "msg_1", WorkspaceID: "ws_a", ContactID: anon.ID,
		Channel: store.ChannelPush, StepKey: "enr_1/push", Status: store.MessageSent, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendEvents(ctx, []store.Event{ev("identify", "v-anon", "s2", time.Minute, `{"email":"eve@example.com"}`, "")}); err != nil {
		t.Fatal(err)
	}
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	known, err := st.ContactByEmail(ctx, "ws_a", "eve@example.com")
	if err != nil || known.ID == anon.ID {
		t.Fatalf("known contact %q (%v), anonymous %q", known.ID, err, anon.ID)
	}
	en, err := st.Enrollment(ctx, "ws_a", "enr_1")
	if err != nil || en.ContactID != known.ID {
		t.Errorf("enrollment contact %q (%v), want %q", en.ContactID, err, known.ID)
	}
	m, err := st.Message(ctx, "ws_a", "msg_1")
	if err != nil || m.ContactID != known.ID {
		t.Errorf("message contact %q (%v), want %q", m.ContactID, err, known.ID)
	}
}
