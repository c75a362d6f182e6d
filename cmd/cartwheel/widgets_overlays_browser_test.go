package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Issue 13 on the real demo (its ready-made widgets and flows on, so a
// push flow is active): a visitor typing in the search field keeps the
// focus while the push prompt (8 s) and a lead pop-up (1 s) come due; the
// prompt opens without the focus and clear of the inbox button, the
// pop-up waits for the visitor to leave the field and then is the only
// overlay; and the product page shows the wishlist heart, with an empty
// wishlist.
func TestWidgetsOverlaysOnTheDemo(t *testing.T) {
	b := newIssueTab(t, 90*time.Second)
	_, admin, base := widgetsInstance(t)
	createPopup(t, admin, "modal")
	setNotifications(t, b.ctx, base, browser.PermissionSettingPrompt)

	const (
		prompt = `document.querySelector('[data-cartwheel-push-prompt]')`
		popups = `document.querySelectorAll('[data-cartwheel-widget=popup]').length`
		inbox  = `document.querySelector('[data-cartwheel-widget=inbox]')`
	)
	b.open("home", base+"/demo/")
	b.waitTrue("the inbox button", `!!`+inbox, 10*time.Second, widgetHTML)
	b.eval("focus the search field", `(document.getElementById('search-q').focus(), '')`)
	deadline := time.Now().Add(11 * time.Second)
	typed := 0
	for time.Now().Before(deadline) {
		b.run("type", chromedp.KeyEvent("t"))
		typed++
		if got := b.eval("focus", `document.activeElement.id`); got != "search-q" {
			t.Fatalf("after %d keys the focus is on %q, not the search field: %s", typed, got, b.eval("widgets", widgetHTML))
		}
		if n := b.eval("pop-ups", `String(`+popups+`)`); n != "0" {
			t.Fatalf("a modal pop-up opened while the visitor typed (after %d keys)", typed)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got := b.eval("typed", `document.getElementById('search-q').value`); got != strings.Repeat("t", typed) {
		t.Errorf("the search field holds %q after %d keys", got, typed)
	}
	b.waitTrue("the push prompt", `!!`+prompt, 10*time.Second, widgetHTML)
	got := b.eval("prompt", `(() => { const r = `+prompt+`.shadowRoot, d = r.querySelector('[role=dialog]');
		const p = d.getBoundingClientRect(), i = `+inbox+`.shadowRoot.querySelector('button.ib').getBoundingClientRect();
		const apart = p.right <= i.left || i.right <= p.left || p.bottom <= i.top || i.bottom <= p.top;
		return [r.activeElement === null, apart, r.getElementById('cw-pp-x').textContent].join(';'); })()`)
	if !strings.HasPrefix(got, "true;true;") || !strings.Contains(got, "your cart") {
		t.Errorf("push prompt (unfocused;apart from the inbox button;text) = %q", got)
	}
	// Out of the field: the pop-up, alone.
	b.eval("leave the field", `(document.querySelector('a.brand').focus(), '')`)
	b.waitTrue("the pop-up", popups+` == 1`, 10*time.Second, widgetHTML)
	b.waitTrue("the prompt aside", `!`+prompt, 5*time.Second, widgetHTML)

	// The wishlist heart on a product page, with nothing on the list yet.
	p := demoProducts(t, admin)[0]
	b.open("product", base+"/demo/p/"+p.Handle)
	b.waitTrue("the wishlist heart", `!!document.querySelector('[data-cartwheel-widget=wishlist]')`, 10*time.Second, widgetHTML)
	if got := b.eval("heart", `document.querySelector('[data-cartwheel-widget=wishlist]').shadowRoot.querySelector('button').getAttribute('aria-pressed')`); got != "false" {
		t.Errorf("heart aria-pressed %q, want false", got)
	}
}
