package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/store"
)

// A flow's own page in the console, in Chromium on the demo shop with an
// accelerated clock: the owner opens the ready-made abandoned checkout,
// changes its first wait from 1h to 2h (a new version, the new value
// shown), has a value the engine refuses shown next to its field with what
// was typed kept, watches the funnel move as a shopper of the demo (a
// second browser context) leaves a checkout (nothing after 61 minutes: the
// 2h wait is the one that runs), gets the email and then orders (the goal),
// and previews the flow's messages for that shopper: the same subject the
// sent email has, the cart in the HTML, nothing sent.
func TestConsoleFlowPage(t *testing.T) {
	ctx := browsertest.New(t, 240*time.Second)
	clock := testclock.New(time.Now().UTC())
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}), withClock(clock))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	// The test must not depend on the hour it runs at.
	if code := api.do("PATCH", "/api/v1/messaging/settings", map[string]any{"quiet_hours": map[string]int{"start": 0, "end": 0}}, nil); code != 200 {
		t.Fatalf("messaging settings: %d", code)
	}
	setup, _ := setupLink(t, out.String())
	run := func(c context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, actions...); err != nil {
			page, _ := chromedp.Run(context.WithoutCancel(c), chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s: %v\npage: %s", what, err, page)
		}
	}
	eval := func(c context.Context, what, expr string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	shot := func(name string) { t.Helper(); consoleShot(t, ctx, name) }
	run(ctx, "viewport", chromedp.EmulateViewport(1280, 1000))
	run(ctx, "set-up", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	// The flows list links each flow to its page.
	run(ctx, "flows", chromedp.Navigate(base+"/admin/w/"+ws+"/flows"), chromedp.WaitVisible(chromedp.CSS(`#flows`)))
	page := eval(ctx, "the flow's link", `[...document.querySelectorAll('#flows a')].find(a => a.textContent === 'Abandoned checkout').href`)
	flowID := page[strings.LastIndex(page, "/")+1:]
	run(ctx, "flow page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#flow-editor`)))
	field := func(sel string) string {
		t.Helper()
		return eval(ctx, sel, `document.querySelector('`+sel+`').value`)
	}
	text := func(sel string) string {
		t.Helper()
		return eval(ctx, sel, `(document.querySelector('`+sel+`') || {textContent: '(none)'}).textContent.trim()`)
	}
	if v, w := text(`#flow-version`), field(`#f-wait-wait-1h`); v != "1" || w != "1h" {
		t.Fatalf("the ready-made flow shows version %q, first wait %q", v, w)
	}
	if n := text(`#fig-entered .big`); n != "0" {
		t.Errorf("entered before any checkout: %q", n)
	}

	// The first wait from 1h to 2h: a new version, the new value shown.
	run(ctx, "2h", chromedp.SetValue(chromedp.CSS(`#f-wait-wait-1h`), "2h"), chromedp.Click(chromedp.CSS(`#flow-save`)),
		until(`location.search.includes('saved=2') && !!document.querySelector('#flow-saved')`))
	if v, w, s := text(`#flow-version`), field(`#f-wait-wait-1h`), text(`#funnel tr[data-step="wait-1h"] td:nth-child(3)`); v != "2" || w != "2h" || s != "2h" {
		t.Errorf("after saving 2h: version %q, field %q, funnel setting %q", v, w, s)
	}
	var stored struct {
		Version int `json:"version"`
		Steps   []struct {
			Wait *struct {
				Duration string `json:"duration"`
			} `json:"wait"`
		} `json:"steps"`
	}
	code := api.do("GET", "/api/v1/flows/"+flowID, nil, &stored)
	if d, _ := time.ParseDuration(stored.Steps[0].Wait.Duration); code != 200 || stored.Version != 2 || d != 2*time.Hour {
		t.Fatalf("the API has the flow at %d: version %d, %+v", code, stored.Version, stored.Steps[0].Wait)
	}

	// A wait the engine refuses: the error next to the field, what was
	// typed kept, no new version.
	run(ctx, "5000d", chromedp.SetValue(chromedp.CSS(`#f-wait-wait-1h`), "5000d"),
		chromedp.SetValue(chromedp.CSS(`#f-subject-email-1`), "Still thinking about it?"),
		chromedp.Click(chromedp.CSS(`#flow-save`)), until(`!!document.querySelector('#f-wait-wait-1h-err')`))
	if e := text(`#f-wait-wait-1h-err`); !strings.Contains(e, "steps[0].wait.duration") {
		t.Errorf("the error next to the wait: %q", e)
	}
	if w, s, v := field(`#f-wait-wait-1h`), field(`#f-subject-email-1`), text(`#flow-version`); w != "5000d" || s != "Still thinking about it?" || v != "2" {
		t.Errorf("after a refused save: wait %q, subject %q, version %q", w, s, v)
	}
	if inv := eval(ctx, "aria-invalid", `document.querySelector('#f-wait-wait-1h').getAttribute('aria-invalid') || ''`); inv != "true" {
		t.Errorf("the refused field is not marked invalid: %q", inv)
	}
	// What the console itself cannot read is refused the same way (the
	// answer page's error is another one: the page posted from had one).
	run(ctx, "2 hours", chromedp.SetValue(chromedp.CSS(`#f-wait-wait-1h`), "2 hours"),
		chromedp.Click(chromedp.CSS(`#flow-save`)), until(`(document.querySelector('#f-wait-wait-1h-err') || {textContent: ''}).textContent.includes('90m')`))
	if w, v := field(`#f-wait-wait-1h`), text(`#flow-version`); w != "2 hours" || v != "2" {
		t.Errorf("after an unreadable wait: field %q, version %q", w, v)
	}
	run(ctx, "scroll", chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-wait-wait-1h').scrollIntoView({block: 'start'})`))
	shot("flow_edit")

	// A shopper of the demo leaves a checkout in another browser context.
	shopper, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	run(shopper, "product", chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(chromedp.CSS(`footer`)),
		chromedp.Click(chromedp.CSS(`a[href*="/demo/p/"]`)), chromedp.WaitVisible(chromedp.CSS(`form[data-cartwheel-add-to-cart] button`)))
	product := eval(shopper, "product title", `document.querySelector('h1').textContent.trim()`)
	// The click posts a form: wait for the page it answers with, not the
	// one already there, or the navigation below aborts the post and the
	// checkout has nothing in it.
	run(shopper, "add to cart", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click(chromedp.CSS(`form[data-cartwheel-add-to-cart] button`)),
		until(`!window.__cwOld && !!document.querySelector('footer')`),
		chromedp.Navigate(base+"/demo/checkout"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SetValue(chromedp.CSS(`#email`), "flow.shopper@example.com"),
		chromedp.Click(chromedp.CSS(`input[name=marketing]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/checkout"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#discount-code`)))

	// poll reloads the flow's page until cond holds on it.
	poll := func(what, cond string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			run(ctx, "reload", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#funnel`)))
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not true within %v: %s\nfunnel: %s", what, within, cond, text(`#funnel tbody`))
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	cell := func(step, col string) string {
		return fmt.Sprintf(`document.querySelector('#funnel tr[data-step="%s"] .%s').textContent`, step, col)
	}
	poll("the checkout to enrol the shopper", `document.querySelector('#fig-entered .big').textContent === '1' && `+
		cell("wait-1h", "passed")+` === '1' && `+cell("email-1", "now")+` === '1'`, 20*time.Second)

	// 61 minutes on: the new 2h wait holds the email (River's scheduler
	// looks every few seconds of real time).
	clock.Add(61 * time.Minute)
	time.Sleep(7 * time.Second)
	run(ctx, "reload", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#funnel`)))
	if s := text(`#funnel tr[data-step="email-1"] .sent`); s != "0" {
		t.Fatalf("the email went after 61 minutes, under a 2h wait: sent %q", s)
	}
	clock.Add(60 * time.Minute)
	poll("the email after 2h", cell("email-1", "sent")+` === '1' && `+cell("email-1", "passed")+` === '1'`, 40*time.Second)

	// The shopper orders: the goal.
	// The form is submitted rather than its button clicked: the shopper's
	// page has sat idle for minutes, and a demo pop-up may cover the
	// button by now. A page other than the thank-you one fails within
	// 10 s with its text, instead of waiting for ever (this step once
	// hung a whole test run).
	run(shopper, "place", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true; document.querySelector('form[action$="/checkout/place"]').requestSubmit()`),
		until(`!window.__cwOld && !!document.querySelector('.thank-you')`))
	poll("the order to reach the goal", `document.querySelector('#fig-converted .big').textContent === '1' && `+
		`document.querySelector('#fig-running .big').textContent === '0'`, 20*time.Second)
	shot("flow")

	// The preview: the newest contact with an email is the shopper; the
	// email is what they got, rendered again, and nothing more is stored.
	// (The order started the cross-sell flow too: only this flow's count.)
	ofFlow := func() []store.Message {
		t.Helper()
		all, err := inst.st.Messages(context.Background(), ws, store.MessageFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []store.Message
		for _, m := range all {
			if m.FlowID == flowID {
				out = append(out, m)
			}
		}
		return out
	}
	sent := ofFlow()
	if len(sent) != 2 || sent[0].Channel == sent[1].Channel {
		t.Fatalf("the flow's messages before the preview: %+v", sent)
	}
	if sent[0].Channel != store.ChannelEmail {
		sent[0] = sent[1]
	}
	run(ctx, "preview", chromedp.Click(chromedp.CSS(`#preview-link`)), chromedp.WaitVisible(chromedp.CSS(`#preview-contact`)))
	if c := text(`#preview-contact`); !strings.Contains(c, "flow.shopper@example.com") {
		t.Errorf("the preview is for %q", c)
	}
	if s := text(`[data-step="email-1"] .subject`); s != sent[0].Subject {
		t.Errorf("the preview's subject %q, the email's %q", s, sent[0].Subject)
	}
	if doc := eval(ctx, "srcdoc", `document.querySelector('[data-step="email-1"] iframe').getAttribute('srcdoc')`); !strings.Contains(doc, product) {
		t.Errorf("the previewed email lacks the cart's %q", product)
	}
	if sb := eval(ctx, "sandbox", `document.querySelector('[data-step="email-1"] iframe').getAttribute('sandbox')`); sb != "" {
		t.Errorf("the preview frame is sandboxed with %q; want no permissions", sb)
	}
	if s := text(`[data-step="push-1"] .title`); s == "" || s == "(none)" {
		t.Errorf("the push preview has no title")
	}
	shot("flow_preview")
	run(ctx, "another contact", chromedp.SetValue(chromedp.CSS(`#contact`), "nobody@example.com"),
		chromedp.Submit(chromedp.CSS(`#contact`)), until(`!!document.querySelector('#contact-err')`))
	if v := field(`#contact`); v != "nobody@example.com" {
		t.Errorf("the contact typed was not kept: %q", v)
	}
	if after := ofFlow(); len(after) != 2 {
		// The email and the push step's skipped record: the preview adds none.
		t.Errorf("the flow's messages after the preview: %d", len(after))
	}
}
