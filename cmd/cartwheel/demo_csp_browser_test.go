package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestDemoUnderItsOwnCSP: the demo storefront as served, with the
// Content-Security-Policy the server sets on it, still runs the tracker,
// loads the widget bundle, renders a pop-up and a recommendation-free page
// without a single CSP violation.
func TestDemoUnderItsOwnCSP(t *testing.T) {
	b := newIssueTab(t, 60*time.Second)
	_, admin, base := widgetsInstance(t)
	createPopup(t, admin, "modal")
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__cwCSP = []; document.addEventListener('securitypolicyviolation', e => window.__cwCSP.push({
			directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
			line: e.lineNumber, sample: e.sample}), true);`}); err != nil {
		t.Fatal(err)
	}
	visitor := b.open("home", base+"/demo/")
	csp := b.eval("the page's policy", `fetch(location.href).then(r => r.headers.get('content-security-policy') || '')`)
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "'sha256-") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("the demo page's CSP: %q", csp)
	}
	b.waitTrue("the pop-up", `!!document.querySelector('[data-cartwheel-widget=popup]')`, 10*time.Second, `document.body.innerHTML.slice(0, 300)`)
	// The page view reached the server: the tracker's requests were allowed.
	issueWait(t, "the page view in the log", 20*time.Second, func() bool { return visitorEvents(t, admin, visitor) > 0 },
		func() string { return b.eval("violations", `JSON.stringify(window.__cwCSP)`) })

	// A control: the policy is in force, so an inline script added now is
	// refused (and reported).
	b.eval("control", `(() => { const s = document.createElement('script'); s.textContent = 'window.__cwControl = 1';
		document.head.appendChild(s); return ''; })()`)
	b.waitTrue("the control's violation", `window.__cwCSP.some(v => v.directive.startsWith('script-src'))`, 5*time.Second, `JSON.stringify(window.__cwCSP)`)
	var vs []struct {
		Directive, Blocked, Source, Sample string
	}
	if err := json.Unmarshal([]byte(b.eval("violations", `JSON.stringify(window.__cwCSP)`)), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs[:len(vs)-1] {
		t.Errorf("CSP violation on the demo page: %+v", v)
	}
	if b.eval("control ran", `String(window.__cwControl || '')`) != "" {
		t.Error("an injected inline script ran: the CSP is not in force")
	}
}
