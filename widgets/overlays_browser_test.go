package widgets

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The overlays together, in Chromium, with the real w.js and the real
// push-prompt.js: the soft push prompt, a lead pop-up opened by a timer and
// the inbox take turns (one overlay at a time, by priority), nothing moves
// the focus away from a visitor typing in the page, the prompt keeps clear
// of the inbox button, and the once-per-session cap holds on a page opened
// right after the pop-up closed.

const overlaysAnswer = `{"w": true, "locale": "en", "texts": {},
 "popups": [{"id": "wdg_lead", "variant": "a", "trigger": {"after_seconds": 1}, "layout": "modal", "per_session": 1,
   "content": {"title": "10 % off", "cta": "OK"}}],
 "inbox": {"id": "wdg_inbox", "unread": 0}, "wishlist": []}`

const overlaysPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="/stub.js"></script>
</head><body>
<form role="search"><label>Search <input id="q" type="search"></label></form>
<p><a id="link" href="#x">A link of the page</a></p>
<script src="/w.js"></script>
<script src="/boot.js"></script>
<script async src="/push-prompt.js" data-site-key="site" data-delay="200"></script>
</body></html>`

func TestOverlaysTakeTurnsInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	mux := http.NewServeMux()
	js := scripts(mux)
	js("/stub.js", `/cw_sid=/.test(document.cookie) || (document.cookie = 'cw_sid=s1; path=/'); window.__ev = [];
		window.cartwheel = {track: (t, p) => window.__ev.push(t + ' ' + p.widget), visitorId: () => 'v1'};`)
	js("/boot.js", `window.cartwheel._w(`+overlaysAnswer+`);`)
	mux.Handle("/w.js", BundleHandler())
	mux.Handle("/push-prompt.js", PushPromptHandler())
	// What GET /push/prompt answers when a cart flow sends pushes
	// (personalization.PushPrompt; its own test checks the wording).
	mux.HandleFunc("/push/prompt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"show": true, "locale": "en", "topics": ["cart"], "texts": {"title": "Get notified?",
			"text": "Allow notifications for reminders about your cart.", "allow": "Allow", "later": "Not now"}}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, overlaysPage)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// Notifications not decided yet: the prompt may ask.
	if _, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingPrompt,
		Origin: srv.URL}); err != nil {
		t.Fatal(err)
	}

	eval := evaluator(t, ctx)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v\nevents: %s", what, err, eval("events", `JSON.stringify(window.__ev)`))
		}
	}
	const (
		prompt = `document.querySelector('[data-cartwheel-push-prompt]')`
		popup  = `document.querySelector('[data-cartwheel-widget=popup]')`
		inbox  = `document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot`
		// overlays lists what is on screen: the push prompt, pop-ups, the
		// inbox panel.
		overlays = `[` + prompt + ` && 'prompt', ` + popup + ` && 'popup',
			document.querySelector('[data-cartwheel-widget=inbox]') && ` + inbox + `.querySelector('.pn') && 'panel'].filter(Boolean).join(',')`
		focused = `document.activeElement.id`
	)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	// The visitor types in the search field from the start, for 3 s: past
	// the prompt's 200 ms and the pop-up's 1 s.
	eval("focus the field", `(document.getElementById('q').focus(), '')`)
	for i := 0; i < 15; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("a")); err != nil {
			t.Fatal(err)
		}
		if got := eval("focus while typing", focused); got != "q" {
			t.Fatalf("after %d keys the focus moved to %q (on screen: %s) while the visitor typed", i+1, got, eval("overlays", overlays))
		}
		if got := eval("overlays while typing", overlays); strings.Contains(got, ",") || strings.Contains(got, "popup") {
			t.Fatalf("while the visitor types: %q on screen, want at most the prompt (the modal waits)", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := eval("typed", `document.getElementById('q').value`); got != strings.Repeat("a", 15) {
		t.Errorf("the field holds %q: keys went elsewhere", got)
	}
	// The prompt opened meanwhile, without the focus, announced, above the
	// inbox button, promising only what the cart flow sends.
	poll("the prompt", `!!`+prompt)
	got := eval("prompt", `(() => { const r = `+prompt+`.shadowRoot, b = r.querySelector('[role=dialog]');
		const p = b.getBoundingClientRect(), i = `+inbox+`.querySelector('button.ib').getBoundingClientRect();
		const apart = p.right <= i.left || i.right <= p.left || p.bottom <= i.top || i.bottom <= p.top;
		return [b.getAttribute('aria-modal'), r.activeElement === null, r.getElementById('cw-pp-x').textContent,
			'apart=' + apart].join(';'); })()`)
	if got != "false;true;Allow notifications for reminders about your cart.;apart=true" {
		t.Errorf("prompt (aria-modal;unfocused;text;apart from the inbox button) = %q", got)
	}
	poll("the prompt announced", prompt+`.shadowRoot.querySelector('[role=status]').textContent.includes('Get notified?')`)

	// Leaving the field lets the pop-up open; the prompt steps aside.
	eval("leave the field", `(document.getElementById('link').focus(), '')`)
	poll("the pop-up", `!!`+popup)
	poll("the prompt aside", `!`+prompt)
	if got := eval("one overlay", overlays); got != "popup" {
		t.Errorf("with the pop-up open, on screen: %q, want only the pop-up", got)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	poll("the pop-up closed and the prompt back", `!`+popup+` && !!`+prompt)
	if got := eval("focus after", focused); got != "link" {
		t.Errorf("after the pop-up closed the focus is on %q, want the link it was on", got)
	}

	// The visitor opens the inbox: the prompt steps aside until it closes.
	eval("open the inbox", `(`+inbox+`.querySelector('button.ib').click(), '')`)
	poll("the panel alone", overlays+` == 'panel'`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	poll("the panel closed, the prompt back", overlays+` == 'prompt'`)
	if got := eval("inbox events", `window.__ev.filter((e) => e.startsWith('widget_') && !e.endsWith('wdg_lead')).join(',')`); got != "widget_shown wdg_inbox,widget_clicked wdg_inbox" {
		t.Errorf("inbox events %q: want them under the inbox's widget id", got)
	}

	// A page opened at once (the tracker has not sent widget_shown yet, so
	// the server's cap cannot know): the pop-up does not show again in this
	// session.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?next")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	if got := eval("second page", `String(!!`+popup+`)`); got != "false" {
		t.Error("the pop-up capped at once per session showed again on the next page of the session")
	}
	// A new session gets it again.
	eval("new session", `(document.cookie = 'cw_sid=s2; path=/', '')`)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	poll("the pop-up in a new session", `!!`+popup)
}

// On a phone-sized screen a corner pop-up goes above the inbox button
// rather than over it, and does not take the focus.
func TestCornerPopupClearsTheInboxButtonInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	mux := http.NewServeMux()
	js := scripts(mux)
	js("/stub.js", `window.cartwheel = {track: () => {}, visitorId: () => 'v1'};`)
	js("/boot.js", `window.cartwheel._w({"w": true, "inbox": {"id": "wdg_inbox", "unread": 0},
		"popups": [{"id": "wdg_corner", "variant": "a", "trigger": {"after_seconds": 0}, "layout": "corner",
		  "content": {"title": "Still deciding?", "body": "Here is what you looked at.", "cta": "OK"}}]});`)
	mux.Handle("/w.js", BundleHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Shop</title><script src="/stub.js"></script></head><body><a id="link" href="#x">A link</a>
<script src="/w.js"></script><script src="/boot.js"></script></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	eval := evaluator(t, ctx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640), chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('[data-cartwheel-widget=popup]')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	got := eval("corner", `(() => { const r = document.querySelector('[data-cartwheel-widget=popup]').shadowRoot;
		const p = r.querySelector('.bx').getBoundingClientRect();
		const i = document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelector('.ib').getBoundingClientRect();
		const apart = p.right <= i.left || i.right <= p.left || p.bottom <= i.top || i.bottom <= p.top;
		return [apart, r.activeElement === null].join(';'); })()`)
	if got != "true;true" {
		t.Errorf("corner pop-up on a phone (apart from the inbox button;unfocused) = %q", got)
	}
}
