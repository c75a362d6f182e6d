package tracker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// Browser tests drive Debian's chromium through chromedp against a real
// HTTP server that serves t.js, test pages and /collect. They skip when
// chromium is missing, unless CARTWHEEL_REQUIRE_BROWSER=1 (CI) makes that a
// failure.

// newBrowser starts a headless Chromium for one test and returns a tab.
func newBrowser(t *testing.T) context.Context { return browsertest.New(t, 0) }

// run runs browser actions with a bound, failing the test on error.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page, awaiting promises.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// recorder is the test server's /collect: it keeps every batch it received,
// as decoded, and also answers through CollectHandler, so the tracker talks
// to the real handler.
type recorder struct {
	// down makes /collect answer 503 without recording, like a server
	// that is restarting.
	down     atomic.Bool
	mu       sync.Mutex
	batches  []Batch
	rejected []ItemError
	failures []string
	handler  *CollectHandler
}

func newRecorder() *recorder {
	rec := &recorder{}
	rec.handler = NewCollectHandler(func(context.Context, Collected) error { return nil })
	// Our own chromedp browser is HeadlessChrome: count it as a person.
	rec.handler.UA = UAOptions{AllowHeadless: true}
	return rec
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if rec.down.Load() {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.Error(w, `{"error":"down"}`, http.StatusServiceUnavailable)
		return
	}
	if r.Method == http.MethodPost {
		b, rejected, err := Decode(body, DefaultLimits(), time.Now())
		rec.mu.Lock()
		if err != nil {
			rec.failures = append(rec.failures, err.Error())
		} else {
			rec.batches = append(rec.batches, b)
			rec.rejected = append(rec.rejected, rejected...)
		}
		rec.mu.Unlock()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.handler.ServeHTTP(w, r)
}

// events returns every event received so far with its batch's visitor id.
func (rec *recorder) events() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []recorded
	for _, b := range rec.batches {
		for _, e := range b.Events {
			out = append(out, recorded{Event: e, Visitor: b.VisitorID, Session: b.SessionID})
		}
	}
	return out
}

func (rec *recorder) count() int { return len(rec.events()) }

// problems reports anything the tracker sent that the decoder refused: the
// tracker and the decoder must agree on the wire format.
func (rec *recorder) problems() string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.failures) == 0 && len(rec.rejected) == 0 {
		return ""
	}
	return fmt.Sprintf("batches refused: %v; events rejected: %v", rec.failures, rec.rejected)
}

type recorded struct {
	Event
	Visitor, Session string
}

func (r recorded) prop(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Props, &m); err != nil {
		t.Fatalf("props of %s: %v", r.Type, err)
	}
	return m
}

// waitFor polls the recorder until cond holds or 20 s pass.
func waitFor(t *testing.T, rec *recorder, what string, cond func([]recorded) bool) []recorded {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs := rec.events()
		if cond(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: got %d events: %s", what, len(evs), describe(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func describe(evs []recorded) string {
	var b strings.Builder
	for _, e := range evs {
		name := e.Type
		if e.Name != "" {
			name += "(" + e.Name + ")"
		}
		fmt.Fprintf(&b, "\n  %s %s", name, e.Props)
	}
	return b.String()
}

func find(evs []recorded, typ string, match func(recorded) bool) (recorded, bool) {
	for _, e := range evs {
		if (e.Type == typ || e.Name == typ) && (match == nil || match(e)) {
			return e, true
		}
	}
	return recorded{}, false
}

// testSite is an httptest server with t.js, /collect and pages.
type testSite struct {
	*httptest.Server
	rec   *recorder
	pages map[string]string
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	script := newTestScript(t)
	site := &testSite{rec: newRecorder(), pages: map[string]string{}}
	mux := http.NewServeMux()
	mux.Handle("/t.js", script)
	carts, err := NewCartScript()
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/tc.js", carts)
	mux.Handle("/collect", site.rec)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		page, ok := site.pages[r.URL.Path]
		if strings.HasPrefix(r.URL.Path, "/failing/") {
			http.Error(w, `{"status":422}`, http.StatusUnprocessableEntity)
			return
		}
		if !ok {
			// Form targets and fake platform endpoints: a tiny JSON answer.
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{}`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
	site.Server = httptest.NewServer(mux)
	t.Cleanup(site.Close)
	return site
}

// page renders a test page: the tag in <head>, then head extras, then body.
func (s *testSite) page(path string, tag template.HTML, head, body string) string {
	s.pages[path] = `<!doctype html><html><head><meta charset="utf-8"><title>Test ` + path + `</title>` +
		// Collects uncaught errors: the tracker must never add one.
		`<script>window.errs=[];addEventListener("error",function(e){errs.push(String(e.message))})</script>` +
		string(tag) + head + `</head><body>` + body + `<iframe name="sink" title="form target"></iframe></body></html>`
	return s.URL + path
}

var testProduct = ContextProduct{ID: "p-42", Title: "Aeropress", Category: "brewers", PriceMinor: 3499, Currency: "EUR"}

func cookieValue(cookies, name string) string {
	for c := range strings.SplitSeq(cookies, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(c), "="); ok && k == name {
			return v
		}
	}
	return ""
}

func TestBrowserTracksAVisit(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/product", Tag(site.URL, "site_test"),
		string(ContextBlock(PageContext{Page: "product", Product: &testProduct})),
		`<form id="atc" action="/cart/add" method="post" target="sink" data-cartwheel-add-to-cart data-product-id="p-42">`+
			`<input name="quantity" value="2"><button>Add</button></form>`+
			`<form id="news" action="/newsletter" method="post" target="sink">`+
			`<input type="email" name="email" value=" Ada@Example.com"><button>Subscribe</button></form>`)
	site.page("/other", "", "", "<p>elsewhere</p>")

	run(t, ctx, "load the product page", chromedp.Navigate(url))
	var vid string
	deadline := time.Now().Add(20 * time.Second)
	for vid == "" {
		vid = cookieValue(eval[string](t, ctx, `document.cookie`), VisitorCookie)
		if vid == "" && time.Now().After(deadline) {
			t.Fatal("no cw_vid cookie after load")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := eval[string](t, ctx, `JSON.parse(localStorage.getItem("cw_vid"))`); got != vid {
		t.Errorf("localStorage cw_vid = %q, cookie %q", got, vid)
	}
	if got := eval[string](t, ctx, `cartwheel.visitorId()`); got != vid {
		t.Errorf("cartwheel.visitorId() = %q, cookie %q", got, vid)
	}
	if !eval[bool](t, ctx, `!document.hidden`) {
		t.Fatal("the page is not visible: dwell time cannot be measured")
	}

	// The visitor reads the page for about 3 s: the dwell figure measured.
	run(t, ctx, "read the page", chromedp.Sleep(3*time.Second))
	run(t, ctx, "add to cart", chromedp.Click(chromedp.CSS("#atc button")))
	eval[any](t, ctx, `cartwheel.track("custom_thing", {a: 1})`)
	run(t, ctx, "subscribe", chromedp.Click(chromedp.CSS("#news button")))
	if errs := eval[[]string](t, ctx, `errs`); len(errs) > 0 {
		t.Errorf("uncaught errors in the page: %q", errs)
	}
	run(t, ctx, "leave the page", chromedp.Navigate(site.URL+"/other"))

	evs := waitFor(t, site.rec, "page_view, dwell ≥ 2 s, add_to_cart, custom_thing and identify", func(evs []recorded) bool {
		_, pv := find(evs, EventPageView, nil)
		_, dw := find(evs, EventProductView, func(e recorded) bool { return e.prop(t)["dwell_ms"].(float64) >= 2000 })
		_, atc := find(evs, EventAddToCart, nil)
		_, ct := find(evs, "custom_thing", nil)
		_, id := find(evs, EventIdentify, nil)
		return pv && dw && atc && ct && id
	})
	if p := site.rec.problems(); p != "" {
		t.Errorf("the decoder refused what the tracker sent: %s", p)
	}
	t.Logf("received: %s", describe(evs))
	site.rec.mu.Lock()
	c := site.rec.batches[0].Consent
	site.rec.mu.Unlock()
	if c.Tracking == nil || !*c.Tracking {
		t.Errorf("batch consent %+v: tracking must be true in every batch sent", c)
	}
	for _, e := range evs {
		if e.Visitor != vid {
			t.Errorf("%s came with visitor %q, the cookie says %q", e.Type, e.Visitor, vid)
		}
		if e.Session == "" {
			t.Errorf("%s came without a session id", e.Type)
		}
	}

	pv, _ := find(evs, EventPageView, nil)
	if !strings.HasSuffix(pv.URL, "/product") || pv.prop(t)["title"] != "Test /product" || pv.PageViewID == "" {
		t.Errorf("page_view: url %q, props %s, pv %q", pv.URL, pv.Props, pv.PageViewID)
	}
	dw, _ := find(evs, EventProductView, func(e recorded) bool { return e.prop(t)["dwell_ms"].(float64) >= 2000 })
	if prod, _ := dw.prop(t)["product"].(map[string]any); prod["id"] != "p-42" || dw.PageViewID != pv.PageViewID {
		t.Errorf("product_view: props %s, pv %q (page view %q)", dw.Props, dw.PageViewID, pv.PageViewID)
	}
	atc, _ := find(evs, EventAddToCart, nil)
	if p := atc.prop(t); p["product_id"] != "p-42" || p["quantity"] != float64(2) || p["product"] == nil {
		t.Errorf("add_to_cart props %s, want product p-42, quantity 2 and the product details", atc.Props)
	}
	if n := countType(evs, EventAddToCart); n != 1 {
		t.Errorf("%d add_to_cart events for one submit (the form posts to /cart/add, as a Shopify form does)", n)
	}
	ct, _ := find(evs, "custom_thing", nil)
	if ct.Type != EventCustom || ct.prop(t)["a"] != float64(1) {
		t.Errorf("custom event: type %q, props %s", ct.Type, ct.Props)
	}
	id, _ := find(evs, EventIdentify, nil)
	if id.prop(t)["email"] != "ada@example.com" {
		t.Errorf("identify props %s, want the email, normalised", id.Props)
	}
	ids := map[string]bool{}
	for _, e := range evs {
		if ids[e.ID] {
			t.Errorf("event id %s sent twice", e.ID)
		}
		ids[e.ID] = true
	}
}

func countType(evs []recorded, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}
