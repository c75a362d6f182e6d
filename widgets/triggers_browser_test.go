package widgets

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The pop-up triggers other than time on page, in Chromium, driven by real
// input: scroll depth, exit intent (the pointer leaving through the top
// edge) and inactivity. Each trigger gets its own page, so that one firing
// cannot hide another that never would.

// triggerAnswer is a /decide answer with one pop-up armed by trigger.
func triggerAnswer(trigger string) string {
	return `{"w": true, "popups": [{"id": "wdg_t", "variant": "a", "trigger": ` + trigger + `, "layout": "modal",
	 "content": {"title": "Wait", "cta": "OK"}}]}`
}

var triggerTests = map[string]string{
	"scroll": `{"scroll_percent": 50}`,
	"exit":   `{"exit_intent": true}`,
	"idle":   `{"inactive_seconds": 2}`,
}

func TestPopupTriggersInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	mux := http.NewServeMux()
	js := scripts(mux)
	js("/stub.js", `window.__ev = [];
		window.cartwheel = {track: (t, p) => window.__ev.push(t), visitorId: () => 'v1'};`)
	for name, trig := range triggerTests {
		js("/boot-"+name+".js", `window.cartwheel._w(`+triggerAnswer(trig)+`);`)
	}
	mux.Handle("/w.js", BundleHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if _, ok := triggerTests[name]; !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		// A page four screens tall, with a link inside to move between.
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<script src="/stub.js"></script></head><body>
<p><a id="a" href="#a">one</a> <a id="b" href="#b">two</a></p>
<div id="tall"></div>
<script src="/w.js"></script><script src="/boot-%s.js"></script>
</body></html>`, name, name)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	const shown = `!!document.querySelector('[data-cartwheel-widget=popup]')`
	eval := evaluator(t, ctx)
	// absent checks, for a while, that the pop-up has not shown: a trigger
	// that fires early fails here rather than passing by luck of timing.
	absent := func(what string, d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			if eval(what, `String(`+shown+`)`) == "true" {
				t.Fatalf("%s: the pop-up showed before its trigger", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	appears := func(what string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](shown, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("%s: the pop-up did not show: %v", what, err)
		}
		if got := eval(what, `window.__ev.join(',')`); got != "widget_shown" {
			t.Errorf("%s: events %q, want one widget_shown", what, got)
		}
	}
	mouse := func(x, y float64) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
			t.Fatal(err)
		}
	}
	open := func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+name),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("tall").style.height = (4 * innerHeight) + "px", undefined`)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("scroll depth", func(t *testing.T) {
		open("scroll")
		absent("at the top", 500*time.Millisecond)
		eval("scroll a third", `scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * 0.3), ''`)
		absent("a third down", 500*time.Millisecond)
		eval("scroll past half", `scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * 0.6), ''`)
		appears("past half")
	})

	t.Run("exit intent", func(t *testing.T) {
		open("exit")
		// Moving about the page, between its links and out through the
		// bottom edge, is not leaving.
		link := eval("link", `(() => { const r = document.getElementById('a').getBoundingClientRect(); return (r.x + 2) + ',' + (r.y + 2); })()`)
		var lx, ly float64
		fmt.Sscanf(link, "%g,%g", &lx, &ly)
		mouse(300, 300)
		mouse(lx, ly)
		mouse(300, 200)
		h := eval("height", `String(innerHeight)`)
		var vh float64
		fmt.Sscanf(h, "%g", &vh)
		mouse(300, vh+20)
		mouse(300, 100)
		absent("moving inside the page", 500*time.Millisecond)
		// Out through the top edge, towards the tabs and the address bar.
		mouse(300, 5)
		mouse(300, -10)
		appears("left through the top")
	})

	t.Run("inactivity", func(t *testing.T) {
		open("idle")
		// A visitor moving the mouse for longer than the 2 s is not idle.
		deadline := time.Now().Add(3500 * time.Millisecond)
		for i := 0; time.Now().Before(deadline); i++ {
			mouse(float64(200+i%50*4), 300)
			if eval("active", `String(`+shown+`)`) == "true" {
				t.Fatal("the pop-up showed while the visitor was active")
			}
			time.Sleep(250 * time.Millisecond)
		}
		appears("after 2 s without input")
		if got := eval("idle", `String(window.__ev.length)`); got != "1" {
			t.Errorf("%s events, want 1", got)
		}
	})
}
