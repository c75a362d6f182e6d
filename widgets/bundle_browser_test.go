package widgets

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The renderer alone, in Chromium: a page under a strict CSP whose own
// script throws first hands w.js a /decide answer (as the tracker would),
// through a stand-in for the tracker's window.cartwheel that records what
// w.js tracks. No server is involved: what w.js posts (submit, inbox,
// wishlist) is tested against the real server in
// cmd/cartwheel/widgets_browser_test.go.

const bundleTestAnswer = `{"w": true, "locale": "en",
 "texts": {"close": "Close it", "inbox": "My inbox", "invalid_email": "Bad email!", "submit": "Send", "email": "Your email", "wishlist": "Wishlist", "wishlist_add": "Save", "wishlist_remove": "Saved"},
 "popups": [{"id": "wdg_pop", "variant": "b", "trigger": {"after_seconds": 1}, "layout": "modal",
   "content": {"title": "10 % off", "body": "Join us", "cta": "Get my code",
     "form": {"email": true, "consent_text": "Yes, email me.", "consent_required": true, "interests": ["Coffee", "Tea"]},
     "success": "Thanks! {code}"}}],
 "frames": [{"id": "wdg_frame", "name": "product-page", "title": "Customers also viewed", "strategy": "viewed_together",
   "products": [{"id": "p-1", "title": "One", "url": "#one", "price": "€1.00"}, {"id": "p-2", "title": "Two", "url": "#two", "price": "€2.00"},
                {"id": "p-3", "title": "Three", "url": "#three", "price": "€3.00"}]}],
 "inbox": {"unread": 2}, "wishlist": []}`

const bundleTestPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="/throw.js"></script>
<script src="/stub.js"></script>
<script type="application/json" data-cartwheel-context>{"page":"product","product":{"id":"p-9","title":"Nine"}}</script>
</head><body>
<h1>Nine</h1>
<form action="/cart/add" method="post"><button type="submit">Add to cart</button></form>
<p><a id="before" href="#top">A link of the page</a></p>
<div data-cartwheel-frame="product-page"></div>
<div data-cartwheel-frame="other"></div>
<script src="/w.js"></script>
<script src="/boot.js"></script>
</body></html>`

// scripts returns a function that serves a script body at a path of mux.
func scripts(mux *http.ServeMux) func(path, body string) {
	return func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/javascript")
			fmt.Fprint(w, body)
		})
	}
}

// evaluator returns a function that runs a script expression in the tab
// and returns its string value, failing the test on an error.
func evaluator(t *testing.T, ctx context.Context) func(what, expr string) string {
	return func(what, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func TestWidgetBundleInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	mux := http.NewServeMux()
	js := scripts(mux)
	// The page's own script throws before anything of ours runs.
	js("/throw.js", `window.__threw = true; throw new Error('the shop broke');`)
	js("/stub.js", `window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
		window.__ev = [];
		window.cartwheel = {track: (t, p) => window.__ev.push(t + ' ' + JSON.stringify(p)), visitorId: () => 'v1'};`)
	js("/boot.js", `document.getElementById('before').focus(); window.cartwheel._w(`+bundleTestAnswer+`);`)
	mux.Handle("/w.js", BundleHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'")
		fmt.Fprint(w, bundleTestPage)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	eval := evaluator(t, ctx)
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v\nevents: %s", what, err, eval("events", `JSON.stringify(window.__ev)`))
		}
	}
	keys := func(k ...string) {
		t.Helper()
		for _, k := range k {
			if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}

	// The frame fills its placeholder only; the other placeholder stays empty.
	poll("frame", `!!document.querySelector('[data-cartwheel-frame=product-page] [data-cartwheel-widget=frame]')`)
	got := eval("frame", `(() => {
		const r = document.querySelector('[data-cartwheel-frame=product-page] [data-cartwheel-widget=frame]').shadowRoot;
		const sec = r.querySelector('section');
		return [r.getElementById(sec.getAttribute('aria-labelledby')).textContent,
			[...r.querySelectorAll('a')].map((a) => a.textContent).join('|'),
			document.querySelector('[data-cartwheel-frame=other]').childElementCount].join(';');
	})()`)
	if got != "Customers also viewed;One€1.00|Two€2.00|Three€3.00;0" {
		t.Errorf("frame: %q", got)
	}
	eval("click a product", `(() => { document.querySelector('[data-cartwheel-frame=product-page] [data-cartwheel-widget=frame]').shadowRoot.querySelectorAll('a')[1].click(); return ''; })()`)
	poll("reco_clicked", `window.__ev.includes('reco_clicked {"widget":"wdg_frame","product_id":"p-2","strategy":"viewed_together","position":2}')`)

	// The inbox button and the wishlist heart (after the add-to-cart form).
	got = eval("inbox", `(() => {
		const b = document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot.querySelector('button');
		return b.getAttribute('aria-label') + ';' + b.textContent + ';' + b.getAttribute('aria-expanded');
	})()`)
	if got != "My inbox (2 unread);2;false" {
		t.Errorf("inbox button: %q", got)
	}
	got = eval("heart", `(() => {
		const h = document.querySelector('form + [data-cartwheel-widget=wishlist]');
		const b = h && h.shadowRoot.querySelector('button');
		return b ? b.getAttribute('aria-label') + ';' + b.getAttribute('aria-pressed') + ';' + b.textContent : 'none';
	})()`)
	if got != "Wishlist;false;Save" {
		t.Errorf("wishlist heart: %q", got)
	}

	// The pop-up, after its second: a labelled modal dialog holding the focus.
	const root = `document.querySelector('[data-cartwheel-widget=popup]').shadowRoot`
	poll("pop-up", `!!document.querySelector('[data-cartwheel-widget=popup]')`)
	got = eval("dialog", `(() => {
		const r = `+root+`, d = r.querySelector('[role=dialog]');
		const input = r.querySelector('input[type=email]');
		return [d.getAttribute('aria-modal'), r.getElementById(d.getAttribute('aria-labelledby')).textContent,
			r.querySelector('label[for=' + input.id + ']').textContent, r.activeElement === d,
			r.querySelector('.x').getAttribute('aria-label'), [...r.querySelectorAll('label.c')].map((l) => l.textContent).join('|'),
			r.querySelector('button[type=submit]').textContent, document.documentElement.lang].join(';');
	})()`)
	if got != "true;10 % off;Your email;true;Close it;Yes, email me.|Coffee|Tea;Get my code;en" {
		t.Errorf("dialog: %q", got)
	}
	// A bad email is refused inline, announced, and focus goes to the field.
	eval("submit empty", `(() => { `+root+`.querySelector('button[type=submit]').click(); return ''; })()`)
	got = eval("error", `(() => { const r = `+root+`, e = r.querySelector('[role=alert]');
		return e.textContent + ';' + r.activeElement.type + ';' + r.activeElement.getAttribute('aria-invalid'); })()`)
	if got != "Bad email!;email;true" {
		t.Errorf("invalid email: %q", got)
	}
	// Tab and Shift+Tab stay inside the dialog.
	for i := range 12 {
		keys(kb.Tab)
		if in := eval("trap", `(() => { const r = `+root+`; return String(!!r.activeElement && r.querySelector('[role=dialog]').contains(r.activeElement)); })()`); in != "true" {
			t.Fatalf("focus left the dialog after %d Tabs", i+1)
		}
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))); err != nil {
		t.Fatal(err)
	}
	// Esc closes it and gives the focus back to the page.
	keys(kb.Escape)
	poll("closed", `!document.querySelector('[data-cartwheel-widget=popup]')`)
	if got := eval("focus back", `document.activeElement.id`); got != "before" {
		t.Errorf("focus went to %q, not back to the page's link", got)
	}
	got = eval("events", `window.__ev.filter((e) => /^widget_/.test(e) && e.includes('wdg_pop')).join('\n')`)
	want := "widget_shown {\"widget\":\"wdg_pop\",\"variant\":\"b\"}\nwidget_clicked {\"widget\":\"wdg_pop\",\"variant\":\"b\"}\nwidget_closed {\"widget\":\"wdg_pop\",\"variant\":\"b\"}"
	if got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if got := eval("csp", `(window.__threw ? 'threw' : 'no throw') + ';' + window.__csp.join(',')`); got != "threw;" {
		t.Errorf("page script / CSP violations: %q", got)
	}
	// The listener does see a violation inside a shadow root: a <style>
	// element there is refused under this CSP.
	eval("style element", `(() => { const h = document.createElement('div'); document.body.appendChild(h);
		h.attachShadow({mode: 'open'}).appendChild(document.createElement('style')).textContent = 'p{color:red}'; return ''; })()`)
	poll("violation seen", `window.__csp.length > 0`)
}
