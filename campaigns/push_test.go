package campaigns_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// A push campaign goes to every browser of the contacts that have one,
// personalised and encrypted, signed with the workspace's own VAPID
// contact; contacts without a browser are not in it.
func TestPushCampaignReachesSubscribedBrowsers(t *testing.T) {
	f := newFixture(t)
	push := pushtest.NewServer(t)
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	msg := messaging.New(f.st, box, slog.New(slog.DiscardHandler), f.clock.Now)
	svc := campaigns.New(campaigns.Options{Store: f.st, Settings: msg.Settings, Links: messaging.NewLinks("https://cw.example", box),
		Push: webpush.NewSender(keys, "mailto:ops@shop.example", webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true})),
		Now:  f.clock.Now, Workers: 4})
	if _, err := msg.UpdateSettings(f.ctx, ws, json.RawMessage(`{"push_subject":"mailto:sklep@kawiarnia.example"}`)); err != nil {
		t.Fatal(err)
	}
	f.contact("ann", "ann@example.com", "Ann", true, "")
	f.contact("bob", "", "Bob", false, "")
	f.contact("cy", "cy@example.com", "Cy", true, "") // no browser
	subscribe := func(contact, visitor string) {
		sub, _ := push.Subscribe()
		if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
			if err := tx.AddIdentity(ws, "visitor", visitor, contact, t0); err != nil {
				return err
			}
			return tx.AddPushSubscription(store.PushSubscription{ID: "push_" + visitor, WorkspaceID: ws, VisitorID: visitor,
				Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, UpdatedAt: t0})
		}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe("ann", "v1")
	subscribe("ann", "v2")
	subscribe("bob", "v3")
	c, err := svc.Create(context.Background(), ws, campaigns.Input{Name: "Flash sale", Channel: campaigns.ChannelPush,
		Spec: campaigns.Spec{Push: &campaigns.PushContent{Title: "{{.Contact.FirstName}}, 2 hours left", URL: "https://shop.example/sale"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Schedule(f.ctx, ws, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Tick(f.ctx); err != nil {
		t.Fatal(err)
	}
	ds := push.Deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3 (Ann's two browsers, Bob's one)", len(ds))
	}
	titles := map[string]int{}
	for _, d := range ds {
		var m webpush.Message
		if err := json.Unmarshal(d.Plaintext, &m); err != nil {
			t.Fatal(err)
		}
		titles[m.Title]++
		if d.Claims.Subject != "mailto:sklep@kawiarnia.example" {
			t.Fatalf("VAPID sub %q, want the workspace's push_subject", d.Claims.Subject)
		}
		if !strings.HasPrefix(m.URL, "https://cw.example/") || m.Tag != c.ID {
			t.Fatalf("payload %+v", m)
		}
	}
	if titles["Ann, 2 hours left"] != 2 || titles["Bob, 2 hours left"] != 1 {
		t.Fatalf("titles %v", titles)
	}
	p, err := svc.Progress(f.ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sent != 2 || p.Recipients != 2 || p.Status != "done" {
		t.Fatalf("progress %+v", p)
	}
}
