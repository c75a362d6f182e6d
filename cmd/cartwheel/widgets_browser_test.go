package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// widgetsInstance starts the demo shop and returns its admin client. It
// fails when the demo site key gets no answer from /decide: every widget
// test below depends on it.
func widgetsInstance(t *testing.T) (*instance, apiClient, string) {
	t.Helper()
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	resp, err := http.Get(inst.url("/decide?k=" + url.QueryEscape(inst.demo.Workspace.SiteKey) + "&v=probe1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /decide with the demo site key: status %d, want 200", resp.StatusCode)
	}
	return inst, apiClient{t: t, inst: inst, token: testAdminToken, ws: inst.demo.Workspace.ID}, inst.cfg.PublicURL
}

// createPopup creates and activates a lead pop-up shown after 1 s.
func createPopup(t *testing.T, admin apiClient, layout string) string {
	t.Helper()
	var w struct {
		ID string `json:"id"`
	}
	def := map[string]any{
		"name": "Lead " + layout, "kind": "popup", "status": "active", "layout": layout,
		"trigger": map[string]any{"after_seconds": 1},
		"variants": []any{map[string]any{"id": "a", "weight": 100, "content": map[string]any{
			"title": "10 % off your first order", "body": "Join our list", "cta": "Get my code",
			"form": map[string]any{"email": true, "consent_text": "Yes, email me offers.", "consent_required": true,
				"interests": []string{"Coffee", "Tea"}},
			"success": "Thanks! Your code is {code}.",
		}}},
		"discount": map[string]any{"percent": 10, "valid_days": 14, "prefix": "WELCOME"},
	}
	if st := admin.do("POST", "/api/v1/widgets", def, &w); st != http.StatusCreated || w.ID == "" {
		t.Fatalf("create widget: status %d %+v", st, w)
	}
	admin.do("POST", "/api/v1/widgets/"+w.ID+"/activate", nil, nil)
	return w.ID
}

const popupRoot = `document.querySelector('[data-cartwheel-widget=popup]').shadowRoot`

// On the demo shop: a pop-up appears after its delay, Esc closes it and
// gives the focus back; on the next page, submitting it identifies the
// visitor, stores consent and interests and shows the outcome (the demo's
// custom shop makes no discount codes: the no-code message). A page whose
// own script throws first still gets its widgets.
func TestWidgetsBrowserLeadPopup(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	_, admin, base := widgetsInstance(t)
	admin.do("POST", "/api/v1/flow-templates/welcome", map[string]any{}, nil)
	createPopup(t, admin, "modal")

	run := func(what string, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, a...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	poll := func(what, expr string, d time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// The page's own script throws (at once and on DOMContentLoaded).
	if _, err := cdp.Call(ctx, chromedp.FromContext(ctx).Target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.addEventListener('DOMContentLoaded', () => { throw new Error('the shop broke'); }); setTimeout(() => { throw new Error('again'); });`}); err != nil {
		t.Fatal(err)
	}
	run("home", chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible("footer"))
	eval("focus a link", `(() => { document.querySelector('a.brand').focus(); return ''; })()`)
	poll("pop-up shown", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 15*time.Second)
	if got := eval("dialog", `(() => { const r = `+popupRoot+`, d = r.querySelector('[role=dialog]');
		return d.getAttribute('aria-modal') + ';' + r.getElementById(d.getAttribute('aria-labelledby')).textContent + ';' + (r.activeElement === d); })()`); got != "true;10 % off your first order;true" {
		t.Fatalf("dialog %q", got)
	}
	run("Esc", chromedp.KeyEvent(kb.Escape))
	poll("closed by Esc", `!document.querySelector('[data-cartwheel-widget=popup]')`, 5*time.Second)
	if got := eval("focus", `document.activeElement.className`); got != "brand" {
		t.Errorf("focus went to %q, not back to the page", got)
	}

	// The next page: the pop-up again (the widget has no caps), submitted.
	const email = "lead.popup@example.com"
	run("category", chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible("footer"))
	poll("pop-up shown again", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 15*time.Second)
	eval("fill and submit", `(() => { const r = `+popupRoot+`;
		r.querySelector('input[type=email]').value = '`+email+`';
		r.querySelector('input[name=consent]').click();
		r.querySelector('input[value=Coffee]').click();
		r.querySelector('button[type=submit]').click(); return ''; })()`)
	poll("success", `!!`+popupRoot+`.querySelector('[aria-live=polite] p')`, 10*time.Second)
	msg := eval("message", popupRoot+`.querySelector('[aria-live=polite]').textContent`)
	if msg == "" || strings.Contains(msg, "{code}") {
		t.Errorf("success message %q", msg)
	}
	t.Logf("after submitting: %q", msg)

	// The visitor is now a contact with that email.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var found struct {
			Contacts []struct{ ID string } `json:"contacts"`
		}
		admin.do("GET", "/api/v1/contacts?email="+url.QueryEscape(email), nil, &found)
		if len(found.Contacts) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no contact %s after submitting", email)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
