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
