package widgets

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// w.js sets only http(s) hrefs (issue 12): a javascript: or data: link in
// a frame's products, a pop-up's call to action or an inbox item (however
// it got there) renders without it, and the http(s) ones stay links.
func TestWidgetBundleRefusesScriptLinks(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	mux := http.NewServeMux()
	js := scripts(mux)
	js("/stub.js", `window.__pwned = 0;
		window.cartwheel = {track: () => {}, visitorId: () => 'v1'};`)
	js("/boot.js", `window.cartwheel._w({"w": true, "locale": "en",
		"popups": [{"id": "wdg_pop", "variant": "a", "layout": "modal",
			"content": {"title": "Offer", "cta": "Go", "link": "java\tscript:window.__pwned++"}}],
		"frames": [{"id": "wdg_frame", "name": "f", "title": "For you", "strategy": "bestsellers",
			"products": [{"id": "p-1", "title": "Bad", "url": "javascript:window.__pwned++"},
				{"id": "p-2", "title": "Good", "url": "/products/good"}]}],
		"inbox": {"unread": 2}, "wishlist": []});`)
	mux.HandleFunc("/inbox", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"messages": [
			{"id": "m1", "title": "Bad", "url": "JavaScript:window.__pwned++", "created_at": "2026-01-01T00:00:00Z"},
			{"id": "m2", "title": "Data", "url": "data:text/html,<script>alert(1)</script>", "created_at": "2026-01-01T00:00:00Z"},
			{"id": "m3", "title": "Good", "url": "https://shop.example/cart", "created_at": "2026-01-01T00:00:00Z"}],
			"recently_viewed": [], "wishlist": []}`)
	})
	mux.Handle("/w.js", BundleHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Shop</title><script src="/stub.js"></script></head>
<body><div data-cartwheel-frame="f"></div><script src="/w.js"></script><script src="/boot.js"></script></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	eval := evaluator(t, ctx)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}

	poll("frame", `!!document.querySelector('[data-cartwheel-frame=f] [data-cartwheel-widget=frame]')`)
	if got := eval("frame links", `[...document.querySelector('[data-cartwheel-frame=f] [data-cartwheel-widget=frame]').shadowRoot
		.querySelectorAll('a')].map((a) => a.textContent + '=' + a.getAttribute('href')).join('|')`); got != "Bad=#|Good=/products/good" {
		t.Errorf("frame links: %q", got)
	}

	poll("pop-up", `!!document.querySelector('[data-cartwheel-widget=popup]')`)
	if got := eval("pop-up cta", `(() => {
		const r = document.querySelector('[data-cartwheel-widget=popup]').shadowRoot;
		const a = [...r.querySelectorAll('a,button')].find((e) => e.textContent == 'Go');
		const out = a.tagName + ':' + a.getAttribute('href');
		a.click();
		return out;
	})()`); got != "BUTTON:null" {
		t.Errorf("pop-up call to action: %q, want a button without href", got)
	}

	eval("open inbox", `(() => { document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelector('button').click(); return ''; })()`)
	poll("inbox items", `document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelectorAll('.ms li').length == 3`)
	got := eval("inbox links", `[...document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelectorAll('.ms li .mt')]
		.map((t) => { const a = t.querySelector('a'); return t.textContent + '=' + (a ? a.getAttribute('href') : 'text'); }).join('|')`)
	if got != "Bad=text|Data=text|Good=https://shop.example/cart" {
		t.Errorf("inbox links: %q", got)
	}
	if n := eval("pwned", `String(window.__pwned)`); n != "0" {
		t.Errorf("script ran %s times", n)
	}
}
