package tracker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// collectRequests lists the page's requests to /collect (fetch and beacon
// alike) from the Resource Timing buffer: a check from inside the page that
// nothing was sent, with no waiting involved.
const collectRequests = `performance.getEntriesByType("resource").filter(function(e){return /\/collect$/.test(e.name)}).length`

// storedIDs lists what the tracker may have written: cookies, and our
// storage keys that hold something (a refusal blanks them to 0).
const storedIDs = `document.cookie + "|" + Object.keys(localStorage).filter(function(k){return k.indexOf("cw_")==0 && localStorage[k] != "0"}).join(",")`

func TestBrowserHoldsEventsUntilConsent(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/consent", TagWithOptions(site.URL, "site_test", TagOptions{RequireConsent: true}),
		string(ContextBlock(PageContext{Page: "product", Product: &testProduct})),
		`<p>banner</p>`)

	run(t, ctx, "load a page that requires consent", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	eval[any](t, ctx, `cartwheel.track("before_consent", {n: 1})`)
	// What would send now if the tracker ignored consent: a hidden page and
	// a pagehide both flush by beacon.
	eval[any](t, ctx, `dispatchEvent(new PageTransitionEvent("pagehide"))`)
	if n := eval[int](t, ctx, collectRequests); n != 0 {
		t.Fatalf("%d requests to /collect before consent", n)
	}
	if got := eval[string](t, ctx, storedIDs); got != "|" {
		t.Fatalf("stored before consent: %q", got)
	}
	if got := eval[any](t, ctx, `cartwheel.visitorId()`); got != nil {
		t.Fatalf("visitorId() before consent = %v, want null", got)
	}
	if n := site.rec.count(); n != 0 {
		t.Fatalf("the server received %d events before consent", n)
	}

	eval[any](t, ctx, `cartwheel.consent({tracking: true, email: true})`)
	evs := waitFor(t, site.rec, "the held events", func(evs []recorded) bool {
		_, pv := find(evs, EventPageView, nil)
		_, prod := find(evs, EventProductView, nil)
		_, custom := find(evs, "before_consent", nil)
		_, consent := find(evs, EventConsent, nil)
		return pv && prod && custom && consent
	})
	vid := cookieValue(eval[string](t, ctx, `document.cookie`), VisitorCookie)
	if vid == "" || evs[0].Visitor != vid {
		t.Errorf("after consent: cookie cw_vid %q, events from visitor %q", vid, evs[0].Visitor)
	}
	if p := site.rec.problems(); p != "" {
		t.Errorf("the decoder refused what the tracker sent: %s", p)
	}
	site.rec.mu.Lock()
	c := site.rec.batches[0].Consent
	site.rec.mu.Unlock()
	if c.Tracking == nil || !*c.Tracking || c.Email == nil || !*c.Email || c.Push != nil {
		t.Errorf("batch consent state %+v, want tracking and email true, push unknown", c)
	}

	// Consent is remembered: the next page sends without asking again.
	before := site.rec.count()
	run(t, ctx, "load another page", chromedp.Navigate(url+"?again"))
	waitFor(t, site.rec, "a page view from the next page", func(evs []recorded) bool {
		_, ok := find(evs[before:], EventPageView, nil)
		return ok
	})

	// Withdrawn: the identifiers go and nothing more is sent.
	eval[any](t, ctx, `cartwheel.consent({tracking: false})`)
	if got := eval[string](t, ctx, storedIDs); strings.Contains(got, VisitorCookie) || strings.Contains(got, SessionCookie) {
		t.Errorf("identifiers kept after consent was withdrawn: %q", got)
	}
	sent := eval[int](t, ctx, collectRequests)
	eval[any](t, ctx, `cartwheel.track("after_refusal"); dispatchEvent(new PageTransitionEvent("pagehide"))`)
	if n := eval[int](t, ctx, collectRequests); n != sent {
		t.Errorf("%d requests to /collect after consent was withdrawn", n-sent)
	}

	// The withdrawal is remembered too: the next page asks again.
	run(t, ctx, "load a page after the withdrawal", chromedp.Navigate(url+"?after"))
	waitLoaded(t, ctx)
	eval[any](t, ctx, `dispatchEvent(new PageTransitionEvent("pagehide"))`)
	if n := eval[int](t, ctx, collectRequests); n != 0 {
		t.Errorf("%d requests to /collect on the page after the withdrawal", n)
	}
	if got := eval[string](t, ctx, storedIDs); got != "|cw_c" {
		t.Errorf("stored on the page after the withdrawal: %q, want only the consent record", got)
	}
}

// An opt-out on a shop that does not ask first holds on the next pages.
func TestBrowserOptOutHolds(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/optout", Tag(site.URL, "site_test"), "", "")
	run(t, ctx, "load", chromedp.Navigate(url))
	waitFor(t, site.rec, "the page view", func(evs []recorded) bool { return len(evs) > 0 })
	eval[any](t, ctx, `cartwheel.consent({tracking: false})`)
	run(t, ctx, "next page", chromedp.Navigate(url+"?next"))
	waitLoaded(t, ctx)
	eval[any](t, ctx, `cartwheel.track("after_opt_out"); dispatchEvent(new PageTransitionEvent("pagehide"))`)
	if n := eval[int](t, ctx, collectRequests); n != 0 {
		t.Errorf("%d requests to /collect after an opt-out", n)
	}
	if got := eval[string](t, ctx, storedIDs); got != "|cw_c" {
		t.Errorf("stored after an opt-out: %q, want only the consent record", got)
	}
	if got := eval[bool](t, ctx, `JSON.parse(localStorage.getItem("cw_c")).tracking`); got {
		t.Errorf("the consent record does not say tracking: false")
	}
}

func TestBrowserRefusedConsentDropsHeldEvents(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/refuse", TagWithOptions(site.URL, "site_test", TagOptions{RequireConsent: true}), "", "")
	run(t, ctx, "load", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	eval[any](t, ctx, `cartwheel.track("held"); cartwheel.consent({tracking: false})`)
	// A later grant sends only what happens from then on.
	eval[any](t, ctx, `cartwheel.consent({tracking: true})`)
	evs := waitFor(t, site.rec, "the consent event", func(evs []recorded) bool {
		_, ok := find(evs, EventConsent, nil)
		return ok
	})
	if _, ok := find(evs, "held", nil); ok {
		t.Errorf("an event held before a refusal was sent: %s", describe(evs))
	}
	if _, ok := find(evs, EventPageView, nil); ok {
		t.Errorf("the page view held before a refusal was sent: %s", describe(evs))
	}
}

func TestBrowserSurvivesPageErrors(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/broken",
		`<script>throw new Error("page bug before")</script>`+Tag(site.URL, "site_test")+`<script>notDefined()</script>`,
		string(ContextBlock(PageContext{Page: "home"})),
		`<script>window.cartwheel.track(undefined, 42); null.boom</script>`)
	run(t, ctx, "load a page whose own scripts throw", chromedp.Navigate(url))
	evs := waitFor(t, site.rec, "the page view", func(evs []recorded) bool {
		_, ok := find(evs, EventPageView, nil)
		return ok
	})
	if !strings.HasSuffix(evs[0].URL, "/broken") {
		t.Errorf("page_view url %q", evs[0].URL)
	}
	// Only the page's own three errors: none from the tracker.
	if errs := eval[[]string](t, ctx, `errs`); len(errs) != 3 {
		t.Errorf("uncaught errors %q, want the page's own three", errs)
	}
}

// waitLoaded waits until t.js replaced the stub.
func waitLoaded(t *testing.T, ctx context.Context) {
	t.Helper()
	pollTrue(t, ctx, "t.js to load", `!!(window.cartwheel && window.cartwheel.visitorId)`)
}

// pollTrue waits until a page expression is true.
func pollTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Shopify's Customer Privacy API decides when the shop's tag does not, and
// its visitorConsentCollected event counts as a consent() call.
func TestBrowserShopifyCustomerPrivacy(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/privacy", Tag(site.URL, "site_test"),
		`<script>window.Shopify = {customerPrivacy: {analyticsProcessingAllowed: function () { return false }}}</script>`, "")
	run(t, ctx, "load", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	eval[any](t, ctx, `dispatchEvent(new PageTransitionEvent("pagehide"))`)
	if n := eval[int](t, ctx, collectRequests); n != 0 {
		t.Fatalf("%d requests to /collect while Shopify says analytics are not allowed", n)
	}
	if got := eval[string](t, ctx, storedIDs); got != "|" {
		t.Fatalf("stored while Shopify says analytics are not allowed: %q", got)
	}
	eval[any](t, ctx, `document.dispatchEvent(new CustomEvent("visitorConsentCollected", {detail: {analyticsAllowed: true, marketingAllowed: false}}))`)
	waitFor(t, site.rec, "the held page view", func(evs []recorded) bool {
		_, ok := find(evs, EventPageView, nil)
		return ok
	})
}
