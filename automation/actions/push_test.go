package actions_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
	"github.com/cartwheelhq/cartwheel/store"
)

// subscribe registers a browser of visitor with the fake push service
// and stores its subscription.
func (f *fixture) subscribe(id, visitor string) *pushtest.Receiver {
	f.t.Helper()
	sub, recv := f.push.Subscribe()
	if _, err := f.st.SavePushSubscription(f.ctx, store.PushSubscription{ID: id, WorkspaceID: ws, VisitorID: visitor,
		Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, UpdatedAt: f.clock.Now()}); err != nil {
		f.t.Fatal(err)
	}
	return recv
}

func (f *fixture) addVisitor(contact, visitor string) {
	f.t.Helper()
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.AddIdentity(ws, "visitor", visitor, contact, t0)
	}); err != nil {
		f.t.Fatal(err)
	}
}

func pushStep(id string) automation.Step {
	return automation.Step{ID: id, Kind: automation.KindSendPush, Params: map[string]any{
		"title": "{{.Contact.FirstName}}, your {{(index .Items 0).Title}} is waiting", "body": "Complete your order",
		"topic": "cart",
	}}
}

func TestSendPushDelivers(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "", "v1", false, "") // push needs no email nor email consent
	recv := f.subscribe("push_1", "v1")
	en := enrollment("ct_ann", f.checkout("v1"))

	res, err := f.ch.SendPush(f.ctx, en, pushStep("push1"))
	if err != nil || res.Skipped != "" {
		t.Fatalf("SendPush = %+v, %v", res, err)
	}
	id := messageID(t, res)
	ds := f.push.Deliveries()
	if len(ds) != 1 || ds[0].SubscriptionID != recv.ID {
		t.Fatalf("deliveries %+v", ds)
	}
	var msg webpush.Message
	if err := json.Unmarshal(ds[0].Plaintext, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Title != "Ann, your Linen Apron is waiting" || msg.Body != "Complete your order" || msg.ClickID != id || msg.Tag != "flow_cart" {
		t.Errorf("message %+v", msg)
	}
	wantPrefix := publicURL + "/p/c/" + id + "/0?u=" + url.QueryEscape(recovery) + "&s="
	if !strings.HasPrefix(msg.URL, wantPrefix) {
		t.Errorf("click URL %q, want the tracked recovery link %s…", msg.URL, wantPrefix)
	}
	if ds[0].Topic != "cart" || ds[0].TTL != 24*time.Hour {
		t.Errorf("topic %q ttl %s", ds[0].Topic, ds[0].TTL)
	}
	if sent := f.events(actions.EventPushSent); len(sent) != 1 {
		t.Errorf("push_sent events: %d", len(sent))
	}

	// The same step again sends nothing.
	again, err := f.ch.SendPush(f.ctx, en, pushStep("push1"))
	if err != nil || messageID(t, again) != id || f.push.Count() != 1 {
		t.Fatalf("repeat = %+v, %v; %d deliveries", again, err, f.push.Count())
	}
	// Default push cap: one per 4 hours.
	capped, err := f.ch.SendPush(f.ctx, enrollment("ct_ann", 0), pushStep("push2"))
	if err != nil || capped.Skipped != actions.SkipCap {
		t.Fatalf("second push = %+v, %v", capped, err)
	}
}

func TestSendPushGoneSubscriptions(t *testing.T) {
	f := newFixture(t)
	pushStep := func(id string) automation.Step {
		return automation.Step{ID: id, Kind: automation.KindSendPush, Params: map[string]any{"title": "New in: {{.Shop.Name}}"}}
	}
	f.contact("ct_ann", "", "v1", false, "")
	f.addVisitor("ct_ann", "v2")
	keep := f.subscribe("push_1", "v1")
	gone := f.subscribe("push_2", "v2")
	f.push.Expire(gone.ID)

	res, err := f.ch.SendPush(f.ctx, enrollment("ct_ann", 0), pushStep("push1"))
	if err != nil || res.Skipped != "" {
		t.Fatalf("SendPush = %+v, %v", res, err)
	}
	if ds := f.push.Deliveries(); len(ds) != 1 || ds[0].SubscriptionID != keep.ID {
		t.Fatalf("deliveries %+v", ds)
	}
	subs, err := f.st.ContactPushSubscriptions(f.ctx, ws, "ct_ann")
	if err != nil || len(subs) != 1 || subs[0].ID != "push_1" {
		t.Fatalf("subscriptions after a 410: %+v, %v", subs, err)
	}

	// Every browser gone: skipped, and nothing left to send to.
	f.push.Expire(keep.ID)
	f.clock.Set(t0.Add(5 * time.Hour)) // past the push cap
	res, err = f.ch.SendPush(f.ctx, enrollment("ct_ann", 0), pushStep("push2"))
	if err != nil || res.Skipped != actions.SkipNoSubscription {
		t.Fatalf("all gone: %+v, %v", res, err)
	}
	res, err = f.ch.SendPush(f.ctx, enrollment("ct_ann", 0), pushStep("push3"))
	if err != nil || res.Skipped != actions.SkipNoSubscription {
		t.Fatalf("none left: %+v, %v", res, err)
	}
}

func TestSendPushDisabledOrUnsubscribed(t *testing.T) {
	f := newFixture(t, func(o *actions.Options) { o.Push = nil })
	f.contact("ct_ann", "", "v1", false, "")
	f.subscribe("push_1", "v1")
	if res, err := f.ch.SendPush(f.ctx, enrollment("ct_ann", 0), pushStep("p")); err != nil || res.Skipped != actions.SkipPushDisabled {
		t.Fatalf("push disabled: %+v, %v", res, err)
	}
	g := newFixture(t)
	g.contact("ct_bob", "", "v2", false, "")
	if res, err := g.ch.SendPush(g.ctx, enrollment("ct_bob", 0), pushStep("p")); err != nil || res.Skipped != actions.SkipNoSubscription {
		t.Fatalf("no subscription: %+v, %v", res, err)
	}
}
