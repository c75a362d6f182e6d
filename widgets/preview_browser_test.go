package widgets

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// w.js in preview mode, in Chromium, under the console's preview policy
// (only the nonce'd bundle runs): the answer on its tag is drawn at once
// (an exit-intent pop-up no headless browser would trigger, a frame, the
// inbox button), and nothing leaves the page or reaches the tracker: a
// tracker stand-in on the page records nothing and keeps no _w, fetch and
// sendBeacon are never called, the lead form shows its success with the
// sample code, links do not navigate, the session's pop-up count is not
// written, and the inbox opens without asking the server.
func TestWidgetBundlePreviewMode(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)
	const answer = `{"w": true, "locale": "en", "texts": {"inbox": "My inbox", "submit": "Send"},
 "popups": [{"id": "wdg_pop", "variant": "b", "trigger": {"exit_intent": true}, "layout": "modal", "per_session": 1,
   "content": {"title": "Preview me", "cta": "Get my code",
     "form": {"email": true, "consent_text": "Yes, email me.", "consent_required": true},
     "success": "Thanks! Your code: {code}"}}],
 "frames": [{"id": "wdg_frame", "name": "product-page", "title": "Also viewed", "strategy": "bestsellers",
   "products": [{"id": "p-1", "title": "One", "url": "/elsewhere", "price": "€1.00"}]}],
 "inbox": {"id": "wdg_inbox", "unread": 0}, "wishlist": []}`
	mux := http.NewServeMux()
	mux.Handle("/w.js", BundleHandler())
	mux.HandleFunc("/spy.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		fmt.Fprint(w, `window.__out = []; window.__ev = [];
			const f = window.fetch; window.fetch = (...a) => { window.__out.push('fetch ' + a[0]); return f(...a); };
			navigator.sendBeacon = (u) => { window.__out.push('beacon ' + u); return true; };
			window.cartwheel = {track: (t) => window.__ev.push(t), visitorId: () => 'v1'};`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-n0nce'; style-src 'self'")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>
<script src="/spy.js" nonce="n0nce"></script></head><body><h1>A page</h1>
<div data-cartwheel-frame="product-page"></div>
<script src="/w.js" nonce="n0nce" data-cartwheel-preview="%s" data-cartwheel-preview-code="HELLO-PREVIEW"></script>
</body></html>`, html.EscapeString(answer))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	eval := evaluator(t, ctx)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("%s: %v\nout: %s", what, err, eval("out", `JSON.stringify([window.__out, window.__ev])`))
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	const root = `document.querySelector('[data-cartwheel-widget=popup]').shadowRoot`
	// At once: no exit intent in a headless tab.
	poll("pop-up", `!!document.querySelector('[data-cartwheel-widget=popup]')`)
	if got := eval("title", root+`.querySelector('h2').textContent`); got != "Preview me" {
		t.Errorf("pop-up title %q", got)
	}
	poll("frame", `!!document.querySelector('[data-cartwheel-frame=product-page] [data-cartwheel-widget=frame]')`)
	// A product link stays on the page.
	eval("click product", `(() => { document.querySelector('[data-cartwheel-widget=frame]').shadowRoot.querySelector('a').click(); return ''; })()`)
	// The form checks as usual, then succeeds without a request.
	eval("submit", `(() => { const r = `+root+`; r.querySelector('input[type=email]').value = 'a@b.example';
		r.querySelector('input[name=consent]').checked = true; r.querySelector('button[type=submit]').click(); return ''; })()`)
	poll("success", root+`.querySelector('code') && `+root+`.querySelector('code').textContent === 'HELLO-PREVIEW'`)
	if got := eval("success text", root+`.querySelector('[aria-live] p').textContent`); got != "Thanks! Your code: HELLO-PREVIEW" {
		t.Errorf("success text %q", got)
	}
	// The inbox panel opens with nothing fetched: close the pop-up first.
	eval("close", `(() => { `+root+`.querySelector('.x').click(); return ''; })()`)
	eval("open inbox", `(() => { document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelector('button').click(); return ''; })()`)
	poll("inbox panel", `(() => { const p = document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelector('.pn');
		return !!p && p.querySelector('[aria-busy=false]') !== null; })()`)
	got := eval("nothing out", `JSON.stringify([location.pathname, window.__out, window.__ev, typeof window.cartwheel._w,
		sessionStorage.getItem('cw_ps')])`)
	if got != `["/",[],[],"undefined",null]` {
		t.Errorf("[path, requests, events, tracker's _w, session count] = %s", got)
	}
}
