package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// setNotifications sets the notifications permission of origin.
func setNotifications(t *testing.T, ctx context.Context, origin string, setting browser.PermissionSetting) {
	t.Helper()
	c := chromedp.FromContext(ctx)
	if _, err := cdp.Call(ctx, c.Browser, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: setting, Origin: origin}); err != nil {
		t.Fatalf("set notifications permission: %v", err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, what, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// The demo storefront (which loads the tracker) registers the push service
// worker, a push is delivered to it through DevTools, and the page sees the
// notification it showed; the soft prompt renders, and "Not now" and Esc
// close it.
func TestPushBrowserServiceWorkerAndPrompt(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, logs := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible("footer")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[string]("window.cartwheel && window.cartwheel.visitorId && window.cartwheel.visitorId()")); err != nil {
		t.Fatalf("tracker did not load: %v", err)
	}

	// The soft prompt, while the permission is still "default".
	setNotifications(t, ctx, base, browser.PermissionSettingPrompt)
	// The demo includes the prompt as a shop would (shown after 8 s); the
	// test opens it at once, as a "notify me" button would.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!window.cartwheelPushPrompt")); err != nil {
		t.Fatalf("the demo does not load the push prompt: %v", err)
	}
	eval[bool](t, ctx, "show the prompt", `(() => {
		const b = document.querySelector('a[href]');
		b.focus();
		window.__before = b;
		window.cartwheelPushPrompt.show();
		return true;
	})()`)
	const dialog = `(() => {
		const h = document.querySelector('[data-cartwheel-push-prompt]');
		const d = h && h.shadowRoot.querySelector('[role=dialog]');
		if (!d) return '';
		const label = h.shadowRoot.getElementById(d.getAttribute('aria-labelledby'));
		const buttons = [...d.querySelectorAll('button')].map((b) => b.textContent).join('|');
		return [label && label.textContent, buttons, h.shadowRoot.activeElement === d].join(';');
	})()`
	got, err := chromedp.Run(ctx, chromedp.Poll[string](dialog, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil || got != "Get notified?;Not now|Allow;true" {
		t.Fatalf("prompt: %q %v", got, err)
	}
	// "Not now" closes it and holds for days.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	gone := `!document.querySelector('[data-cartwheel-push-prompt]')`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](gone, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("Not now did not close the prompt: %v", err)
	}
	if !eval[bool](t, ctx, "dismissal kept", `+localStorage.cw_pp > 0 && document.activeElement === window.__before`) {
		t.Error("Not now: dismissal not remembered or focus not given back")
	}
	// Esc closes it too, and focus goes back where it was.
	eval[bool](t, ctx, "show again", `(() => { window.__before.focus(); window.cartwheelPushPrompt.show(); return true; })()`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[string](dialog, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](gone, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("Esc did not close the prompt: %v", err)
	}
	if !eval[bool](t, ctx, "focus back", `document.activeElement === window.__before`) {
		t.Error("focus not given back after Esc")
	}

	// The service worker: registered from the storefront, a push delivered
	// through DevTools shows a notification.
	setNotifications(t, ctx, base, browser.PermissionSettingGranted)
	tgt := chromedp.FromContext(ctx).Target
	evctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	regs := cdp.Events(evctx, tgt, serviceworker.WorkerRegistrationUpdated)
	if scope := eval[string](t, ctx, "register", `navigator.serviceWorker.register('/sw.js')
		.then(() => navigator.serviceWorker.ready).then((r) => r.scope)`); scope != base+"/" {
		t.Fatalf("scope %q", scope)
	}
	if _, err := cdp.Call(ctx, tgt, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	var reg serviceworker.RegistrationID
	for ev, err := range regs {
		if err != nil {
			t.Fatalf("no service worker registration reported: %v", err)
		}
		for _, r := range ev.Registrations {
			if strings.HasPrefix(r.ScopeURL, base) && !r.IsDeleted {
				reg = r.RegistrationID
			}
		}
		if reg != "" {
			break
		}
	}
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	click := messaging.NewLinks(base, box).PushTracker().ClickURL("msg_pushb", 0, base+"/demo/cart")
	payload, _ := json.Marshal(webpush.Message{Title: "Your cart is waiting", Body: "Beans are in your cart", URL: click, Tag: "cart"})
	// DevTools sometimes drops a push sent right after the worker
	// activated; the same push (same tag: it replaces itself) goes again
	// after a second without a notification.
	var shown string
	for try := 0; shown == "" && try < 10; try++ {
		if _, err := cdp.Call(ctx, tgt, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: base, RegistrationID: reg, Data: string(payload)}); err != nil {
			t.Fatalf("deliver push: %v", err)
		}
		for wait := 0; shown == "" && wait < 10; wait++ {
			time.Sleep(100 * time.Millisecond)
			shown = eval[string](t, ctx, "notifications", `navigator.serviceWorker.ready.then((r) => r.getNotifications())
				.then((ns) => ns.map((n) => n.title + '|' + n.body + '|' + (n.data || {}).url).join('\n'))`)
		}
	}
	if shown != "Your cart is waiting|Beans are in your cart|"+click {
		t.Fatalf("notifications %q\nlog:\n%s", shown, logs.String())
	}
}
