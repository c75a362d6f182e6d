package tracker

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hideJS and showJS stand in for a tab switch: headless chromium has no
// other tab to switch to, so the page is told it is hidden the way browsers
// tell it (document.hidden, then visibilitychange), and when.
const (
	hideJS = `Object.defineProperty(document, "hidden", {configurable: true, get: function () { return true }});
		window.hiddenAt = Date.now(); document.dispatchEvent(new Event("visibilitychange", {bubbles: true}))`
	showJS = `Object.defineProperty(document, "hidden", {configurable: true, get: function () { return false }});
		window.hiddenFor = Date.now() - window.hiddenAt; document.dispatchEvent(new Event("visibilitychange", {bubbles: true}))`
)

func TestBrowserDwellCountsVisibleTimeOnly(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/dwell", Tag(site.URL, "site_test"), string(ContextBlock(PageContext{Page: "product", Product: &testProduct})), "")
	site.page("/away", "", "", "")

	run(t, ctx, "load", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	run(t, ctx, "read", chromedp.Sleep(500*time.Millisecond))
	eval[any](t, ctx, hideJS)
	// Hiding the page reports the dwell so far at once, by beacon.
	waitFor(t, site.rec, "a dwell report when the page is hidden", func(evs []recorded) bool {
		_, ok := find(evs, EventProductView, func(e recorded) bool { return e.prop(t)["dwell_ms"].(float64) > 0 })
		return ok
	})
	run(t, ctx, "another tab", chromedp.Sleep(2*time.Second))
	eval[any](t, ctx, showJS)
	run(t, ctx, "read again", chromedp.Sleep(500*time.Millisecond))
	hiddenFor := eval[float64](t, ctx, `window.hiddenFor`)
	origin := eval[float64](t, ctx, `performance.timeOrigin`)
	run(t, ctx, "leave", chromedp.Navigate(site.URL+"/away"))
	// The page's whole life ends before the next page has loaded: now is an
	// upper bound for it even when a loaded machine is slow to leave (the
	// last report is made at pagehide, after any reading taken before).
	lifetime := float64(time.Now().UnixMilli()) - origin

	evs := waitFor(t, site.rec, "the report when leaving", func(evs []recorded) bool {
		return countType(evs, EventProductView) >= 3
	})
	var dwell float64
	for _, e := range evs {
		if e.Type == EventProductView {
			dwell = max(dwell, e.prop(t)["dwell_ms"].(float64))
		}
	}
	// Whatever the machine's speed: the hidden time is never counted, and
	// the visible time after the tab came back is.
	if dwell <= 0 || dwell > lifetime-hiddenFor {
		t.Errorf("dwell %v ms: the page lived %v ms and was hidden for %v ms", dwell, lifetime, hiddenFor)
	}
	if dwell < 1000 {
		t.Errorf("dwell %v ms, want at least the 1000 ms the page was visible", dwell)
	}
}

func TestBrowserRetriesFailedSends(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	first := site.page("/first", Tag(site.URL, "site_test"), "", "")
	second := site.page("/second", Tag(site.URL, "site_test"), "", "")

	site.rec.down.Store(true)
	run(t, ctx, "load while /collect is down", chromedp.Navigate(first))
	pollTrue(t, ctx, "the failed events in the retry queue", `(JSON.parse(localStorage.getItem("cw_rq")) || []).length > 0`)
	site.rec.down.Store(false)
	run(t, ctx, "next page", chromedp.Navigate(second))

	evs := waitFor(t, site.rec, "both page views", func(evs []recorded) bool { return countType(evs, EventPageView) == 2 })
	urls := map[string]bool{}
	for _, e := range evs {
		urls[e.URL] = true
	}
	if !urls[first] || !urls[second] {
		t.Errorf("page views for %v, want %s and %s", urls, first, second)
	}
	pollTrue(t, ctx, "the retry queue to empty", `(JSON.parse(localStorage.getItem("cw_rq")) || []).length == 0`)
}
