package main

// The acceptance tests of the on-site widgets issue (docs/widgets.md), run
// in Chromium on the demo shop of a real instance: the ready-made pop-ups
// and their delays, a lead form's submission end to end (contact, consent
// text, interests, the welcome flow, the code from a shop that can make
// one), the 4th-visit offer, the viewed-together frame, the shopping inbox
// and a pop-up under a strict Content-Security-Policy.
//
// Esc closing a pop-up with the focus going back, and a page whose own
// script throws, are TestWidgetsBrowserLeadPopup's.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// issueTab drives one browser tab; every failure says what it was doing.
type issueTab struct {
	t   *testing.T
	ctx context.Context
}

func newIssueTab(t *testing.T, timeout time.Duration) issueTab {
	t.Helper()
	return issueTab{t: t, ctx: browsertest.New(t, timeout)}
}

func (b issueTab) run(what string, a ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, a...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression whose value is a string.
func (b issueTab) eval(what, expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitTrue polls a boolean expression for at most d; on a time-out it
// fails with the value of show (a string expression describing the page).
func (b issueTab) waitTrue(what, expr string, d time.Duration, show string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d))); err != nil {
		seen := ""
		if show != "" {
			seen, _ = chromedp.Run(b.ctx, chromedp.Evaluate[string](show))
		}
		b.t.Fatalf("%s: not within %s (%v); seen: %s", what, d, err, seen)
	}
}

// open loads a demo page and waits for the tracker; it returns the
// visitor id.
func (b issueTab) open(what, u string) string {
	b.t.Helper()
	b.run(what, chromedp.Navigate(u), chromedp.WaitVisible("footer"))
	v, err := chromedp.Run(b.ctx, chromedp.Poll[string](`window.cartwheel && window.cartwheel.visitorId && window.cartwheel.visitorId()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || v == "" {
		b.t.Fatalf("%s: the tracker did not load (%q, %v)", what, v, err)
	}
	return v
}

// session is the tracker's current session id (cookie cw_sid).
func (b issueTab) session() string {
	b.t.Helper()
	return b.eval("session cookie", `(document.cookie.match(/\bcw_sid=(\w+)/) || [,''])[1]`)
}

// newSession ends the tracker's session: the tab leaves the page, then
// the session cookie cw_sid (30 minutes) is deleted, so the next page
// opens a new visit. The old page's pagehide handler renews the cookie
// (the tracker flushes then), and Chromium may run it after the next
// document committed: the cookie must stay gone for a while.
func (b issueTab) newSession(base string) {
	b.t.Helper()
	b.run("leave", chromedp.Navigate("about:blank"))
	u := base + "/"
	deadline := time.Now().Add(5 * time.Second)
	goneSince := time.Time{}
	for {
		res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
		if err != nil {
			b.t.Fatalf("read cookies: %v", err)
		}
		there := slices.ContainsFunc(res.Cookies, func(c *network.Cookie) bool { return c.Name == "cw_sid" })
		switch {
		case there:
			goneSince = time.Time{}
			if _, err := chromedp.Call(b.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "cw_sid", URL: u}); err != nil {
				b.t.Fatalf("delete cw_sid: %v", err)
			}
		case goneSince.IsZero():
			goneSince = time.Now()
		case time.Since(goneSince) > 500*time.Millisecond:
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the session cookie cw_sid keeps coming back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// widgetHTML describes the widget hosts on the page, for failure messages.
const widgetHTML = `JSON.stringify([...document.querySelectorAll('[data-cartwheel-widget]')].map(h =>
	h.getAttribute('data-cartwheel-widget') + ': ' + (h.shadowRoot ? h.shadowRoot.textContent : '(no shadow root)')))`

// issueWait polls cond every 100 ms for at most d; on a time-out it fails
// with what explain() returns.
func issueWait(t *testing.T, what string, d time.Duration, cond func() bool, explain func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			if explain != nil {
				msg = explain()
			}
			t.Fatalf("timed out after %s waiting for %s; %s", d, what, msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// enableWidgetTemplate creates an active widget from a ready-made one.
func enableWidgetTemplate(t *testing.T, admin apiClient, name string) string {
	t.Helper()
	var w struct{ ID, Status string }
	if code := admin.do("POST", "/api/v1/widget-templates/"+name, map[string]any{"status": "active"}, &w); (code != http.StatusCreated && code != http.StatusOK) || w.Status != "active" {
		t.Fatalf("widget template %s: %d %+v", name, code, w)
	}
	return w.ID
}

// explainJSON is what GET /api/v1/decide/explain answers.
type explainJSON struct {
	Decision struct {
		Popups []struct {
			ID      string         `json:"id"`
			Trigger map[string]int `json:"trigger"`
		} `json:"popups"`
	} `json:"decision"`
	Explanation struct {
		Visitor struct {
			Visit          int      `json:"visit"`
			ContactID      string   `json:"contact_id"`
			RecentlyViewed []string `json:"recently_viewed"`
		} `json:"visitor"`
		Widgets []struct {
			Widget, Name, Why string
			Shown             bool
		} `json:"widgets"`
	} `json:"explanation"`
}

func explainFor(admin apiClient, q url.Values) (explainJSON, string) {
	var ex explainJSON
	var raw json.RawMessage
	admin.do("GET", "/api/v1/decide/explain?"+q.Encode(), nil, &raw)
	_ = json.Unmarshal(raw, &ex)
	return ex, string(raw)
}

// inboxWhy is the explanation's reason for the inbox widget.
func inboxWhy(ex explainJSON) string {
	for _, w := range ex.Explanation.Widgets {
		if strings.Contains(w.Why, "unread") {
			return w.Why
		}
	}
	return ""
}

// demoProducts lists the demo shop's products that can be bought.
func demoProducts(t *testing.T, admin apiClient) []commerce.Product {
	t.Helper()
	var ps struct {
		Products []commerce.Product `json:"products"`
	}
	if code := admin.do("GET", "/api/v1/products?limit=100", nil, &ps); code != 200 {
		t.Fatalf("products: %d", code)
	}
	var out []commerce.Product
	seen := map[string]bool{}
	for _, p := range ps.Products {
		if p.InStock() && p.Handle != "" && !seen[p.Title] {
			seen[p.Title] = true
			out = append(out, p)
		}
	}
	if len(out) < 4 {
		t.Fatalf("the demo shop has %d products in stock, want 4", len(out))
	}
	return out
}

// 1. A first visit: the ready-made lead pop-up opens 10 to 20 s in — not
// at 5 s, and within 25 s — as a labelled modal dialog.
func TestWidgetsIssueFirstVisitPopup(t *testing.T) {
	b := newIssueTab(t, 60*time.Second)
	_, admin, base := widgetsInstance(t)
	id := enableWidgetTemplate(t, admin, "first_visit_discount")

	// When the pop-up's host is added, measured from the navigation's start.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `new MutationObserver((ms, o) => { if (document.querySelector('[data-cartwheel-widget=popup]')) {
			window.__cwPopupAt = performance.now(); o.disconnect(); } }).observe(document, {childList: true, subtree: true});`}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	visitor := b.open("home", base+"/demo/")

	// With this page's session, explain counts visit 1 whether or not the
	// page view is processed yet.
	ex, raw := explainFor(admin, url.Values{"visitor": {visitor}, "session": {b.session()}})
	shown := false
	for _, w := range ex.Explanation.Widgets {
		shown = shown || w.Widget == id && w.Shown
	}
	if !shown || len(ex.Decision.Popups) != 1 {
		t.Fatalf("explain does not show the first-visit pop-up to a first-time visitor: %s", raw)
	}
	delay := ex.Decision.Popups[0].Trigger["after_seconds"]
	if delay < 10 || delay > 20 {
		t.Errorf("this visitor's delay is %d s, want 10-20 s: %s", delay, raw)
	}

	b.run("wait 5 s", chromedp.Sleep(5*time.Second-time.Since(start)))
	if got := b.eval("at 5 s", `String(!!document.querySelector('[data-cartwheel-widget=popup]'))`); got != "false" {
		t.Fatalf("the pop-up is already there %s after the page opened (its delay is 10-20 s)", time.Since(start).Round(time.Millisecond))
	}
	b.waitTrue("the pop-up within 25 s", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 25*time.Second-time.Since(start), widgetHTML)
	at := b.eval("when", `String(Math.round(window.__cwPopupAt || -1))`)
	var ms int
	fmt.Sscan(at, &ms)
	if ms < delay*1000 || ms > 25000 {
		t.Errorf("the pop-up opened %d ms after the navigation started, want %d-25000 (its delay is %d s)", ms, delay*1000, delay)
	}
	t.Logf("first-visit pop-up: delay %d s, opened %d ms into the page", delay, ms)

	got := b.eval("dialog", `(() => { const r = `+popupRoot+`, d = r.querySelector('[role=dialog]');
		if (!d) return 'no [role=dialog]';
		const l = d.getAttribute('aria-labelledby'), h = l && r.getElementById(l);
		return [d.getAttribute('aria-modal'), h ? h.textContent : '(no label)', r.activeElement === d,
			!!r.querySelector('input[type=email]'), !!r.querySelector('input[name=consent]')].join(';'); })()`)
	if got != "true;10 % off your first order;true;true;true" {
		t.Errorf("dialog (aria-modal;label;focused;email field;consent box) = %q, want %q", got, "true;10 % off your first order;true;true;true")
	}
}

// contactJSON is the part of GET /api/v1/contacts/{id} checked here.
type contactJSON struct {
	Contact struct {
		ID         string          `json:"id"`
		Email      string          `json:"email"`
		Attributes json.RawMessage `json:"attributes"`
	} `json:"contact"`
	Consents []struct {
		Channel string `json:"channel"`
		Granted bool   `json:"granted"`
		Source  string `json:"source"`
		Text    string `json:"text"`
	} `json:"consents"`
	Profile *struct {
		Tags []string `json:"tags"`
	} `json:"profile"`
}

// submitLead opens the demo home page, waits for the lead pop-up, fills
// and submits it; it returns the visitor id and the outcome's text.
func submitLead(t *testing.T, b issueTab, base, email string) (string, string) {
	t.Helper()
	visitor := b.open("home", base+"/demo/")
	b.waitTrue("pop-up shown", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 15*time.Second, widgetHTML)
	consent := b.eval("consent text", popupRoot+`.querySelector('input[name=consent]').parentElement.textContent`)
	if consent != "Yes, email me offers." {
		t.Errorf("consent text shown %q", consent)
	}
	b.eval("fill and submit", `(() => { const r = `+popupRoot+`;
		r.querySelector('input[type=email]').value = '`+email+`';
		r.querySelector('input[name=consent]').click();
		r.querySelector('input[value=Coffee]').click();
		r.querySelector('button[type=submit]').click(); return ''; })()`)
	b.waitTrue("the outcome", `!!`+popupRoot+`.querySelector('[aria-live=polite] p')`, 10*time.Second,
		popupRoot+`.textContent`)
	return visitor, b.eval("outcome", popupRoot+`.querySelector('[aria-live=polite] p').textContent`)
}

// checkLead checks through the admin API what a submission stored: the
// contact by email, its email consent with the text shown, its interests
// (attribute and tag) and an enrollment in the welcome flow.
func checkLead(t *testing.T, admin apiClient, email string) {
	t.Helper()
	var contact contactJSON
	issueWait(t, "the contact "+email+" with consent and interests", 20*time.Second, func() bool {
		var found struct {
			Contacts []struct{ ID string } `json:"contacts"`
		}
		admin.do("GET", "/api/v1/contacts?email="+url.QueryEscape(email), nil, &found)
		if len(found.Contacts) != 1 {
			return false
		}
		contact = contactJSON{}
		admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID, nil, &contact)
		var attrs struct {
			Interests []string `json:"interests"`
		}
		_ = json.Unmarshal(contact.Contact.Attributes, &attrs)
		return len(contact.Consents) > 0 && slices.Contains(attrs.Interests, "Coffee") &&
			contact.Profile != nil && slices.Contains(contact.Profile.Tags, "interest:coffee")
	}, func() string { b, _ := json.Marshal(contact); return "contact: " + string(b) })
	ok := false
	for _, c := range contact.Consents {
		ok = ok || c.Channel == "email" && c.Granted && c.Text == "Yes, email me offers."
	}
	if !ok {
		t.Errorf("consents %+v: want email granted with the text shown", contact.Consents)
	}
	if slices.Contains(contact.Profile.Tags, "interest:tea") {
		t.Errorf("tags %v: Tea was not ticked", contact.Profile.Tags)
	}

	var flows struct {
		Flows []struct{ ID, Name, Status string } `json:"flows"`
	}
	admin.do("GET", "/api/v1/flows", nil, &flows)
	welcome := ""
	for _, f := range flows.Flows {
		if f.Name == "Welcome series" {
			welcome = f.ID
		}
	}
	if welcome == "" {
		t.Fatalf("no flow named \"Welcome series\": %+v", flows.Flows)
	}
	type enrollment struct {
		ContactID string `json:"contact_id"`
		Status    string `json:"status"`
	}
	var ens struct {
		Enrollments []enrollment `json:"enrollments"`
	}
	issueWait(t, "an enrollment of "+email+" in the welcome flow", 20*time.Second, func() bool {
		admin.do("GET", "/api/v1/flows/"+welcome+"/enrollments", nil, &ens)
		return slices.ContainsFunc(ens.Enrollments, func(e enrollment) bool { return e.ContactID == contact.Contact.ID })
	}, func() string { return fmt.Sprintf("contact %s, enrollments %+v", contact.Contact.ID, ens.Enrollments) })
}

// 2. Submitting the lead form identifies the visitor, stores the consent
// with its text and the interests, enrolls the welcome flow and shows the
// outcome: the demo's own code, which its checkout takes, and with a
// (fake) Shopify shop connected that shop's code.
func TestWidgetsIssueLeadSubmission(t *testing.T) {
	_, admin, base := widgetsInstance(t)
	if code := admin.do("POST", "/api/v1/flow-templates/welcome", map[string]any{}, nil); code != 200 && code != 201 {
		t.Fatalf("welcome flow template: %d", code)
	}
	// The ready-made pop-up's form has no interests: this one has.
	createPopup(t, admin, "modal")
	_, texts := widgets.Texts("en")

	t.Run("demo shop: a code its checkout takes", func(t *testing.T) {
		b := newIssueTab(t, 90*time.Second)
		const email = "issue.democode@example.com"
		_, msg := submitLead(t, b, base, email)
		code := b.eval("code", `(`+popupRoot+`.querySelector('[aria-live=polite] code') || {}).textContent || ''`)
		if !strings.HasPrefix(code, "WELCOME-") || msg != "Thanks! Your code is "+code+"." {
			t.Fatalf("outcome %q with code %q: want the demo's WELCOME- code (the no-code text is %q)", msg, code, texts["no_code"])
		}
		checkLead(t, admin, email)
		redeemAtDemoCheckout(t, b, admin, base, email, code)
	})

	t.Run("shopify shop: the code", func(t *testing.T) {
		fake := shopifytest.NewServer(t)
		fake.SetToken("shpat_issue")
		var sh struct{ ID string }
		if code := admin.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": "issue-shop.myshopify.com",
			"access_token": "shpat_issue", "webhook_secret": "whsec_issue", "api_url": fake.URL()}, &sh); code != http.StatusCreated {
			t.Fatalf("connect a Shopify shop: %d", code)
		}
		b := newIssueTab(t, 60*time.Second)
		const email = "issue.code@example.com"
		_, msg := submitLead(t, b, base, email)
		code := b.eval("code", `(`+popupRoot+`.querySelector('[aria-live=polite] code') || {}).textContent || ''`)
		if !strings.HasPrefix(code, "WELCOME-") || msg != "Thanks! Your code is "+code+"." {
			t.Fatalf("outcome %q with code %q: want a WELCOME- code shown (shop discounts %+v)", msg, code, fake.Discounts())
		}
		if n := b.eval("copy button", `String(!!`+popupRoot+`.querySelector('[aria-live=polite] button'))`); n != "true" {
			t.Errorf("no copy button next to the code")
		}
		ds := fake.Discounts()
		if !slices.ContainsFunc(ds, func(d shopifytest.Discount) bool { return d.Code == code }) {
			t.Errorf("the shop holds discounts %+v, not %s", ds, code)
		}
		t.Logf("code revealed: %s (%q)", code, msg)
		checkLead(t, admin, email)
	})
}

// 3. On the 4th visit without an order, the still-deciding pop-up shows
// the products the visitor looked at.
func TestWidgetsIssueFourthVisit(t *testing.T) {
	b := newIssueTab(t, 90*time.Second)
	_, admin, base := widgetsInstance(t)
	still := enableWidgetTemplate(t, admin, "still_deciding")
	ps := demoProducts(t, admin)
	pages := []string{"/demo/", "/demo/p/" + ps[0].Handle, "/demo/p/" + ps[1].Handle, "/demo/"}

	var visitor string
	sessions := map[string]bool{}
	for i, p := range pages[:3] {
		visit := i + 1
		if i > 0 {
			// A new visit: the tab leaves the page, the session cookie
			// goes, and the tab comes back.
			b.newSession(base)
		}
		visitor = b.open(fmt.Sprintf("visit %d", visit), base+p)
		s := b.session()
		if s == "" || sessions[s] {
			t.Fatalf("visit %d: session %q is not new (%v)", visit, s, sessions)
		}
		sessions[s] = true
		// Processed: without a session, explain counts the next visit.
		var raw string
		issueWait(t, fmt.Sprintf("visit %d processed", visit), 15*time.Second, func() bool {
			var ex explainJSON
			ex, raw = explainFor(admin, url.Values{"visitor": {visitor}})
			return ex.Explanation.Visitor.Visit == visit+1
		}, func() string { return "explain: " + raw })
		if got := b.eval("no pop-up", `String(!!document.querySelector('[data-cartwheel-widget=popup]'))`); got != "false" {
			t.Fatalf("visit %d already shows a pop-up: %s", visit, b.eval("widgets", widgetHTML))
		}
	}
	ex, raw := explainFor(admin, url.Values{"visitor": {visitor}, "session": {b.session()}})
	for _, w := range ex.Explanation.Widgets {
		if w.Widget == still && (w.Shown || !strings.Contains(w.Why, "min_visits")) {
			t.Errorf("3rd visit: the still-deciding pop-up %+v, want held back by min_visits", w)
		}
	}
	if len(ex.Explanation.Visitor.RecentlyViewed) < 2 {
		t.Errorf("3rd visit: recently viewed %v, want the 2 products: %s", ex.Explanation.Visitor.RecentlyViewed, raw)
	}

	b.newSession(base)
	start := time.Now()
	b.open("visit 4", base+pages[3])
	if s := b.session(); sessions[s] {
		t.Fatalf("visit 4: session %q is not new", s)
	}
	b.waitTrue("the still-deciding pop-up on the 4th visit", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 20*time.Second, widgetHTML)
	t.Logf("4th visit: pop-up after %s", time.Since(start).Round(100*time.Millisecond))
	title := b.eval("title", `(`+popupRoot+`.querySelector('h2') || {}).textContent || ''`)
	if title != "Still deciding?" {
		t.Errorf("pop-up title %q, want %q", title, "Still deciding?")
	}
	listed := b.eval("products", `[...`+popupRoot+`.querySelectorAll('.pt')].map(e => e.textContent).join('|')`)
	for _, p := range ps[:2] {
		if !strings.Contains("|"+listed+"|", "|"+p.Title+"|") {
			t.Errorf("the pop-up lists %q, not the viewed %q", listed, p.Title)
		}
	}
	if got := b.eval("layout", `(`+popupRoot+`.querySelector('[role=dialog]') || {getAttribute: () => 'none'}).getAttribute('aria-modal')`); got != "false" {
		t.Errorf("the corner card's aria-modal is %q, want false", got)
	}
}

// 4. A product page's frame shows products that other visitors viewed in
// the same session as this one — not the product itself.
func TestWidgetsIssueViewedTogetherFrame(t *testing.T) {
	b := newIssueTab(t, 60*time.Second)
	inst, admin, base := widgetsInstance(t)
	ps := demoProducts(t, admin)
	enableWidgetTemplate(t, admin, "product_recommendations")
	// frameFor is what the frame of a product page lists for a visitor
	// who has viewed nothing.
	var raw string
	frameFor := func(product string) []string {
		var d struct {
			Decision struct {
				Frames []struct {
					Products []struct{ ID string } `json:"products"`
				} `json:"frames"`
			} `json:"decision"`
		}
		var r json.RawMessage
		admin.do("GET", "/api/v1/decide/explain?"+url.Values{"visitor": {"930000000000"}, "page": {"product"}, "product": {product},
			"frames": {"product-page"}}.Encode(), nil, &r)
		raw = string(r)
		_ = json.Unmarshal(r, &d)
		var ids []string
		for _, f := range d.Decision.Frames {
			for _, p := range f.Products {
				ids = append(ids, p.ID)
			}
		}
		return ids
	}
	// A, and B and C that A's frame does not list before the seeding.
	a := ps[0]
	before := frameFor(a.ID)
	var others []commerce.Product
	for _, p := range ps[1:] {
		if !slices.Contains(before, p.ID) && p.Category != a.Category {
			others = append(others, p)
		}
	}
	if len(others) < 2 {
		t.Fatalf("no two products outside %q's frame %v before seeding", a.Title, before)
	}
	pb, pc := others[0], others[len(others)-1]
	t.Logf("A %q (frame before seeding: %v), B %q, C %q", a.Title, before, pb.Title, pc.Title)

	view := func(p commerce.Product) map[string]any {
		return map[string]any{"t": "product_view", "u": base + "/demo/p/" + p.Handle,
			"p": map[string]any{"product": map[string]any{"id": p.ID, "title": p.Title, "category": p.Category,
				"price_minor": p.PriceMinor, "currency": p.Currency}}}
	}
	seed := func(visitor string, items ...commerce.Product) {
		evs := []map[string]any{{"t": "page_view", "u": base + "/demo/"}}
		for _, p := range items {
			evs = append(evs, view(p))
		}
		for i, e := range evs {
			e["id"] = fmt.Sprintf("%s-%d", visitor, i)
			e["ts"] = time.Now().UnixMilli()
		}
		body, _ := json.Marshal(map[string]any{"k": inst.demo.Workspace.SiteKey, "v": visitor, "s": "s" + visitor, "e": evs})
		if code, ans, _ := postCollect(t, inst, body, map[string]string{"Origin": base}); code != 200 && code != 202 {
			t.Fatalf("collect for %s: %d %+v", visitor, code, ans)
		}
	}
	for i := range 8 {
		seed(fmt.Sprintf("9100000000%02d", i), a, pb)
	}
	for i := range 5 {
		seed(fmt.Sprintf("9200000000%02d", i), a, pc)
	}
	// The engine has them once a decision for A's page lists B and C.
	issueWait(t, "viewed-together products for "+a.ID, 20*time.Second, func() bool {
		ids := frameFor(a.ID)
		return slices.Contains(ids, pb.ID) && slices.Contains(ids, pc.ID)
	}, func() string { return "explain: " + raw })

	b.run("product A", chromedp.Navigate(base+"/demo/p/"+a.Handle), chromedp.WaitVisible("footer"))
	const frameRoot = `document.querySelector('[data-cartwheel-frame=product-page] [data-cartwheel-widget=frame]')`
	b.waitTrue("the frame filled", `!!(`+frameRoot+` && `+frameRoot+`.shadowRoot && `+frameRoot+`.shadowRoot.querySelector('ul.gr li'))`,
		15*time.Second, widgetHTML)
	got := b.eval("frame", `(() => { const r = `+frameRoot+`.shadowRoot;
		return JSON.stringify({title: (r.querySelector('h2') || {}).textContent || '',
			items: [...r.querySelectorAll('ul.gr li')].map(li => li.querySelector('.pt').textContent),
			hrefs: [...r.querySelectorAll('ul.gr li a')].map(a => a.getAttribute('href'))}); })()`)
	var f struct {
		Title string
		Items []string
		Hrefs []string
	}
	if err := json.Unmarshal([]byte(got), &f); err != nil {
		t.Fatalf("frame %q: %v", got, err)
	}
	t.Logf("frame on %q: %+v", a.Title, f)
	if f.Title != "Customers also viewed" {
		t.Errorf("frame title %q", f.Title)
	}
	if !slices.Contains(f.Items, pb.Title) || !slices.Contains(f.Items, pc.Title) {
		t.Errorf("frame lists %q, want %q and %q (viewed together with %q)", f.Items, pb.Title, pc.Title, a.Title)
	}
	if slices.Contains(f.Items, a.Title) {
		t.Errorf("frame lists the page's own product %q: %q", a.Title, f.Items)
	}
	if i, j := slices.Index(f.Items, pb.Title), slices.Index(f.Items, pc.Title); i > j {
		t.Errorf("frame lists %q before %q though fewer visitors viewed it with %q", pc.Title, pb.Title, a.Title)
	}
}

// 5. The inbox shows a flow's message: a one-step inbox flow triggered by
// a custom event from the page; after a reload the inbox button shows an
// unread badge, Enter opens the panel with the message, Esc closes it and
// the focus is back on the button.
func TestWidgetsIssueInboxFlowMessage(t *testing.T) {
	b := newIssueTab(t, 90*time.Second)
	_, admin, base := widgetsInstance(t)
	enableWidgetTemplate(t, admin, "inbox")
	var flow struct{ ID, Status string }
	if code := admin.do("POST", "/api/v1/flows", map[string]any{"name": "Issue inbox note", "status": "active",
		"trigger": map[string]any{"event": "note_wanted"},
		"steps": []any{map[string]any{"id": "note", "kind": "inbox",
			"params": map[string]any{"title": "A note for you", "body": "Thanks for dropping by: here is what is new."}}},
	}, &flow); code != http.StatusCreated {
		t.Fatalf("create the inbox flow: %d %+v", code, flow)
	}
	if flow.Status != "active" {
		admin.do("POST", "/api/v1/flows/"+flow.ID+"/activate", nil, nil)
	}

	const inboxRoot = `document.querySelector('[data-cartwheel-widget=inbox]').shadowRoot`
	visitor := b.open("home", base+"/demo/")
	b.waitTrue("the inbox button", `!!document.querySelector('[data-cartwheel-widget=inbox]')`, 10*time.Second, widgetHTML)
	if got := b.eval("no badge yet", `String(`+inboxRoot+`.querySelector('.bd').hidden)`); got != "true" {
		t.Errorf("an unread badge before any message: hidden=%s", got)
	}
	// A custom event from the page (names starting inbox_, email_, order_…
	// are the server's own and would not trigger the flow from a browser).
	b.eval("custom event", `(window.cartwheel.track('note_wanted', {why: 'issue test'}), '')`)
	var raw string
	issueWait(t, "the flow's inbox message", 20*time.Second, func() bool {
		var r json.RawMessage
		admin.do("GET", "/api/v1/messages?channel=inbox", nil, &r)
		raw = string(r)
		return strings.Contains(raw, "A note for you")
	}, func() string {
		var v json.RawMessage
		admin.do("GET", "/api/v1/visitors/"+visitor, nil, &v)
		return "messages: " + raw + "\nvisitor: " + string(v)
	})

	// The flow logs inbox_added with the message; the decider's processor
	// reads it behind the profile processor (a fraction of a second) and
	// re-reads the unread count.
	issueWait(t, "the decider to count the new message", 10*time.Second, func() bool {
		ex, _ := explainFor(admin, url.Values{"visitor": {visitor}})
		return strings.Contains(inboxWhy(ex), "1 unread")
	}, func() string {
		_, raw := explainFor(admin, url.Values{"visitor": {visitor}})
		return raw
	})
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible("footer"))
	b.waitTrue("the inbox button after the reload", `!!document.querySelector('[data-cartwheel-widget=inbox]')`, 10*time.Second, widgetHTML)
	badge := b.eval("badge", `(() => { const d = `+inboxRoot+`.querySelector('.bd'); return d.hidden ? 'hidden' : d.textContent; })()`)
	label := b.eval("label", inboxRoot+`.querySelector('button.ib').getAttribute('aria-label')`)
	if badge != "1" {
		ex, exRaw := explainFor(admin, url.Values{"visitor": {visitor}})
		t.Errorf("unread badge %q (button label %q) after the reload, want \"1\" (the decider counted it before the reload); "+
			"explain says %q; full: %s", badge, label, inboxWhy(ex), exRaw)
	}

	b.eval("focus the button", `(`+inboxRoot+`.querySelector('button.ib').focus(), '')`)
	b.run("Enter", chromedp.KeyEvent(kb.Enter))
	b.waitTrue("the panel with the message", `!!`+inboxRoot+`.querySelector('.pn .ms')`, 10*time.Second, inboxRoot+`.textContent`)
	panel := b.eval("panel", `(() => { const r = `+inboxRoot+`, p = r.querySelector('.pn');
		return [p.getAttribute('role'), p.getAttribute('aria-modal'), r.getElementById(p.getAttribute('aria-labelledby')).textContent,
			r.activeElement === p, r.querySelector('button.ib').getAttribute('aria-expanded'), p.querySelector('.ms').textContent].join(';'); })()`)
	if !strings.HasPrefix(panel, "dialog;true;") || !strings.Contains(panel, ";true;true;") || !strings.Contains(panel, "A note for you") {
		t.Errorf("panel (role;aria-modal;label;focused;expanded;messages) = %q, want a focused modal dialog listing \"A note for you\"", panel)
	}
	b.run("Esc", chromedp.KeyEvent(kb.Escape))
	b.waitTrue("the panel closed by Esc", `!`+inboxRoot+`.querySelector('.pn')`, 5*time.Second, inboxRoot+`.textContent`)
	focus := b.eval("focus", `(() => { const h = document.querySelector('[data-cartwheel-widget=inbox]');
		return [document.activeElement === h, h.shadowRoot.activeElement === h.shadowRoot.querySelector('button.ib'),
			h.shadowRoot.querySelector('button.ib').getAttribute('aria-expanded')].join(';'); })()`)
	if focus != "true;true;false" {
		t.Errorf("after Esc (host focused;button focused;expanded) = %q, want the focus back on the inbox button", focus)
	}
	// Opened is read: the badge clears.
	b.waitTrue("the badge cleared", inboxRoot+`.querySelector('.bd').hidden`, 5*time.Second, inboxRoot+`.querySelector('.bd').textContent`)
}

// 6. Under a strict CSP on the real demo page (styles only from the
// origin, no inline styles), a pop-up renders styled and the widget causes
// no style-src violation.
func TestWidgetsIssueStrictCSP(t *testing.T) {
	b := newIssueTab(t, 60*time.Second)
	_, admin, base := widgetsInstance(t)
	createPopup(t, admin, "modal")
	const csp = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; connect-src 'self'"

	// The demo page's document gets the header, everything else is as served.
	var fulfilled atomic.Int32
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
		URLPattern: base + "/demo/*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse}}}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			body, err := chromedp.Call(b.ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: ev.RequestID})
			if err != nil {
				errs <- fmt.Errorf("body of %s: %w", ev.Request.URL, err)
				_, _ = chromedp.Call(b.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			hdrs := []*fetch.HeaderEntry{{Name: "Content-Security-Policy", Value: csp}}
			for _, h := range ev.ResponseHeaders {
				switch strings.ToLower(h.Name) {
				case "content-security-policy", "content-length", "content-encoding", "transfer-encoding":
				default:
					hdrs = append(hdrs, h)
				}
			}
			code := ev.ResponseStatusCode
			if code == 0 {
				code = 200
			}
			if _, err := chromedp.Call(b.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID,
				ResponseCode: code, ResponseHeaders: hdrs, Body: body.Body}); err != nil {
				errs <- fmt.Errorf("fulfil %s: %w", ev.Request.URL, err)
				continue
			}
			fulfilled.Add(1)
		}
	}()
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__cwCSP = []; document.addEventListener('securitypolicyviolation', e => window.__cwCSP.push({
			directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
			line: e.lineNumber, sample: e.sample}), true);`}); err != nil {
		t.Fatal(err)
	}

	b.open("home under CSP", base+"/demo/")
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if fulfilled.Load() == 0 {
		t.Fatal("the demo page's document was not intercepted: no CSP header was added")
	}
	b.waitTrue("the pop-up under CSP", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 10*time.Second, widgetHTML)
	styled := b.eval("styles", `(() => { const r = `+popupRoot+`, ov = r.querySelector('.ov'), bx = r.querySelector('.bx');
		return [getComputedStyle(ov).position, getComputedStyle(bx).backgroundColor, getComputedStyle(bx).borderRadius,
			r.adoptedStyleSheets.length, r.querySelectorAll('style').length].join(';'); })()`)
	if !strings.HasPrefix(styled, "fixed;rgb(255, 255, 255);12px;") {
		t.Errorf("the pop-up is not styled under the CSP (overlay position;box background;radius;adopted sheets;<style>s) = %q", styled)
	}
	t.Logf("pop-up styles under CSP: %s", styled)

	var vs []struct {
		Directive, Blocked, Source, Sample string
		Line                               int
	}
	if err := json.Unmarshal([]byte(b.eval("violations", `JSON.stringify(window.__cwCSP)`)), &vs); err != nil {
		t.Fatal(err)
	}
	// A control: the CSP is in force, so an inline <style> added now is refused.
	b.eval("control", `(() => { const s = document.createElement('style'); s.textContent = '.cw-csp-control{color:red}';
		document.head.appendChild(s); return ''; })()`)
	b.waitTrue("the control's violation", fmt.Sprintf(`window.__cwCSP.length > %d && window.__cwCSP.slice(%d).some(v => v.directive.startsWith('style-src'))`, len(vs), len(vs)),
		5*time.Second, `JSON.stringify(window.__cwCSP)`)
	// What the page's own markup causes has the document as its source (the
	// demo's <link rel=icon href="data:,"> breaks img-src); a script's
	// doing names the script, a test's evaluation nothing.
	for _, v := range vs {
		page := v.Source == base+"/demo/"
		switch {
		case page:
			t.Logf("CSP violation by the demo page's own markup, not the widget: %+v", v)
		case strings.HasPrefix(v.Directive, "style-src"):
			t.Errorf("a style-src violation while the widget rendered (source %q): %+v", v.Source, v)
		default:
			t.Errorf("a CSP violation while the widget rendered (source %q): %+v", v.Source, v)
		}
	}
}

// redeemAtDemoCheckout buys a product in the demo with code, as a shopper
// would: the payment step takes the code, and the order records it.
func redeemAtDemoCheckout(t *testing.T, b issueTab, admin apiClient, base, email, code string) {
	t.Helper()
	p := demoProducts(t, admin)[0]
	b.run("product", chromedp.Navigate(base+"/demo/p/"+p.Handle), chromedp.WaitVisible("footer"))
	// The click posts a form: wait for the page it answers with, not the
	// one already there, or the next navigation aborts the post.
	b.run("add to cart", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click("form[data-cartwheel-add-to-cart] button"),
		until(`!window.__cwOld && !!document.querySelector('footer')`))
	b.run("checkout", chromedp.Navigate(base+"/demo/checkout"), chromedp.WaitVisible("#email"))
	b.eval("email", `(document.getElementById('email').value = '`+email+`', '')`)
	b.run("contact", chromedp.Click(`form[action$="/checkout"] button[type=submit]`), chromedp.WaitVisible("#discount-code"))
	b.eval("code", `(document.getElementById('discount-code').value = '`+code+`', '')`)
	b.run("apply the code", chromedp.Click(`form[action$="/checkout/discount"] button`), chromedp.WaitVisible(".totals .discount"))
	b.run("place", chromedp.Click(`form[action$="/checkout/place"] button[type=submit]`), chromedp.WaitVisible(".thank-you"))
	loc := b.eval("order page", `location.pathname`)
	id := strings.TrimPrefix(loc, "/demo/thank-you/")
	var o struct {
		DiscountCodes []string `json:"discount_codes"`
		DiscountMinor int64    `json:"discount_minor"`
		SubtotalMinor int64    `json:"subtotal_minor"`
	}
	if code := admin.do("GET", "/api/v1/orders/"+id, nil, &o); code != http.StatusOK {
		t.Fatalf("order %s: %d", id, code)
	}
	if !slices.Equal(o.DiscountCodes, []string{code}) || o.DiscountMinor != o.SubtotalMinor/10 {
		t.Errorf("order %s: codes %v, discount %d of %d; want %s taking 10 %%", id, o.DiscountCodes, o.DiscountMinor, o.SubtotalMinor, code)
	}
}
