package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The admin console as a new shop admin meets it, in Chromium on the demo
// shop: the set-up link from the first start makes the owner, who signs in,
// pauses and re-enables flows, watches a visitor of the demo (a second
// browser context) appear as a contact with the anonymous history in the
// timeline, and invites a viewer, who can read but change nothing. Forms
// posted without the CSRF value are refused. With
// CARTWHEEL_SCREENSHOTS=DIR the pages are saved there (docs/admin/).
func TestConsoleWalkthrough(t *testing.T) {
	ctx := browsertest.New(t, 150*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	// The public URL, as a person would open it: the tracker only talks
	// from the origins the demo workspace allows.
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	text := func(what, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	value := func(c context.Context, what, sel string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	shot := func(c context.Context, name string) { t.Helper(); consoleShot(t, c, name) }
	run("viewport", chromedp.EmulateViewport(1280, 860))

	// Set-up: a short password is refused next to its field, the email kept.
	run("set-up page", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "short"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#password-err`)))
	if kept := value(ctx, "email kept", `#email`); kept != "owner@shop.example" {
		t.Errorf("the set-up form lost the email typed: %q", kept)
	}
	shot(ctx, "setup")
	run("set-up", chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))
	shot(ctx, "dashboard")
	// The link worked once.
	if code, _, _ := get(t, base+setup); code != http.StatusGone {
		t.Errorf("the set-up link answers %d after use, want 410", code)
	}

	// Flows: the demo starts with all ready-made flows; pause one, then
	// "enable all" brings it back.
	run("flows", chromedp.Navigate(base+"/admin/w/"+ws+"/flows"), chromedp.WaitVisible(chromedp.CSS(`#flows`)))
	row := `#flows tbody tr:first-child`
	// A click posts a form and loads the answer: wait for the answer's
	// content, not for the page that was already there.
	run("pause", chromedp.Click(chromedp.CSS(row+` button`)),
		until(`(document.querySelector('`+row+` td:nth-child(3)') || {}).textContent === 'paused'`))
	run("enable all", chromedp.Click(chromedp.CSS(`#enable-all`)),
		until(`!!document.querySelector('#flows') && !document.querySelector('#flows tbody').textContent.includes('paused')`))
	if s := text("statuses", `#flows tbody`); strings.Contains(s, "paused") || strings.Count(s, "active") < 8 {
		t.Errorf("after enabling all: %q", s)
	}
	shot(ctx, "flows")

	// A visitor browses the demo in another browser context and subscribes.
	visitor, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	run2 := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(visitor, actions...); err != nil {
			t.Fatalf("visitor: %s: %v", what, err)
		}
	}
	run2("home", chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(chromedp.CSS(`footer`)))
	run2("a product", chromedp.Click(chromedp.CSS(`a[href*="/demo/p/"]`)),
		until(`location.pathname.includes('/demo/p/') && !!document.querySelector('footer')`))
	// t.js loads async: a person is slower than that, the test must wait.
	if _, err := chromedp.Run(visitor, chromedp.Poll[bool]("!!(window.cartwheel && window.cartwheel.visitorId)")); err != nil {
		t.Fatalf("tracker not loaded: %v", err)
	}
	run2("subscribe", chromedp.SendKeys(chromedp.CSS(`form[data-cartwheel-newsletter] input[type=email]`), "ola.visitor@example.pl"),
		chromedp.Click(chromedp.CSS(`form[data-cartwheel-newsletter] button`)),
		// The sign-up's answer page, not the page the form was on.
		until(`location.search.includes('notice=subscribed') && !!document.querySelector('footer')`),
		// Leaving the page flushes what the tracker still holds.
		chromedp.Navigate("about:blank"))

	deadline := time.Now().Add(20 * time.Second)
	for {
		run("search", chromedp.Navigate(base+"/admin/w/"+ws+"/contacts?q=ola.visitor"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#contacts tbody tr').length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo visitor never appeared in the console's contacts")
		}
		time.Sleep(500 * time.Millisecond)
	}
	shot(ctx, "contacts")
	run("card", chromedp.Click(chromedp.CSS(`#contacts tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	if tl := text("timeline", `#timeline`); !strings.Contains(tl, "product_view") || !strings.Contains(tl, "page_view") {
		t.Errorf("the contact's timeline lacks the anonymous browsing before the subscription: %q", tl)
	}
	shot(ctx, "contact")
	// The dashboard counts the new contact.
	run("dashboard", chromedp.Navigate(base+"/admin/w/"+ws+"/?days=7"), chromedp.WaitVisible(chromedp.CSS(`#fig-contacts`)))
	if n := text("new contacts", `#fig-contacts .big`); n != "1" {
		t.Errorf("the dashboard shows %q new contacts after one subscribed", n)
	}

	// Settings: the tracker has been heard from; a bad sender address is
	// refused next to its field and what was typed stays.
	run("settings", chromedp.Navigate(base+"/admin/w/"+ws+"/settings"), chromedp.WaitVisible(chromedp.CSS(`#tracker-status`)))
	if s := text("tracker status", `#tracker-status`); !strings.Contains(s, "Installed") {
		t.Errorf("the tracker check says %q after a visitor browsed the demo", s)
	}
	run("bad sender", chromedp.SetValue(chromedp.CSS(`#m-from_email`), "not an address"),
		chromedp.SetValue(chromedp.CSS(`#m-from_name`), "Demo Kawiarnia"),
		chromedp.Submit(chromedp.CSS(`#m-from_email`)), chromedp.WaitVisible(chromedp.CSS(`#m-from_email-err`)))
	if v := value(ctx, "kept name", `#m-from_name`); v != "Demo Kawiarnia" {
		t.Errorf("the form lost the name typed: %q", v)
	}
	shot(ctx, "settings")
	run("good sender", chromedp.SetValue(chromedp.CSS(`#m-from_email`), "hello@demo.example"),
		chromedp.Submit(chromedp.CSS(`#m-from_email`)), until(`location.search.includes('saved=messaging')`))
	if v := value(ctx, "saved sender", `#m-from_email`); v != "hello@demo.example" {
		t.Errorf("sender after saving: %q", v)
	}

	// The owner invites a viewer; the link shows once on the page.
	run("team", chromedp.Navigate(base+"/admin/w/"+ws+"/team"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "vera@shop.example"),
		chromedp.SetValue(chromedp.CSS(`#role`), "viewer"),
		chromedp.Submit(chromedp.CSS(`#email`)), chromedp.WaitVisible(chromedp.CSS(`#invite-link`)))
	invite := value(ctx, "invite link", `#invite-link`)

	viewer, cancel2 := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel2()
	if err := chromedp.Do(viewer, chromedp.Navigate(invite), chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Vera"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "viewer password!"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)),
		chromedp.Navigate(base+"/admin/w/"+ws+"/flows"), chromedp.WaitVisible(chromedp.CSS(`#flows`))); err != nil {
		t.Fatalf("viewer: %v", err)
	}
	buttons, err := chromedp.Run(viewer, chromedp.Evaluate[int](`document.querySelectorAll('main button').length`))
	if err != nil {
		t.Fatal(err)
	}
	if buttons != 0 {
		t.Errorf("a viewer's flows page offers %d buttons", buttons)
	}
	shot(viewer, "viewer")
	// Even a hand-made form with the viewer's own CSRF value is refused.
	csrf := value(viewer, "viewer's CSRF value", `form[action="/admin/signout"] input[name=_csrf]`)
	// (The console's CSP allows no fetch; a form is what a page could post.)
	if err := chromedp.Do(viewer, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.createElement('form');
		f.method = 'post'; f.action = '/admin/w/`+ws+`/flows/enable-all';
		const i = document.createElement('input'); i.name = '_csrf'; i.value = '`+csrf+`'; f.appendChild(i);
		document.body.appendChild(f); f.submit(); })()`), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(viewer, chromedp.Text(chromedp.CSS(`main h1`))); !strings.Contains(got, "Your role cannot do this") {
		t.Errorf("a viewer's POST to enable flows answered %q", got)
	}

	// The owner's audit log names who changed what.
	run("audit", chromedp.Navigate(base+"/admin/w/"+ws+"/audit"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	if a := text("audit", `#audit`); !strings.Contains(a, "flow.paused") || !strings.Contains(a, "flows.enable_all") ||
		!strings.Contains(a, "settings.messaging") ||
		!strings.Contains(a, "team.invite") || !strings.Contains(a, "owner@shop.example") {
		t.Errorf("audit log: %q", a)
	}
}

// Forms posted without the session's CSRF value, or from another site,
// are refused even with a valid session cookie.
func TestConsoleRefusesForgedForms(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.url("")
	setup := regexp.MustCompile(`/admin/setup\?t=(setup_[a-z0-9]+)`).FindStringSubmatch(out.String())
	if setup == nil {
		t.Fatal("no set-up link")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// The set-up form without its anti-forgery cookie value is refused.
	resp, err := c.PostForm(base+"/admin/setup", url.Values{"t": {setup[1]}, "email": {"x@shop.example"}, "password": {"a long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("set-up without the CSRF value: %d", resp.StatusCode)
	}
	pre := formCSRF(t, c, base+setup[0])
	post := func(path string, v url.Values, origin string) int {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/admin/setup", url.Values{"_csrf": {pre}, "t": {setup[1]}, "email": {"owner@shop.example"},
		"password": {"a long enough password"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("set-up: %d", code)
	}
	ws := inst.demo.Workspace.ID
	csrf := formCSRF(t, c, base+"/admin/w/"+ws+"/flows")
	for _, bad := range []struct {
		name   string
		v      url.Values
		origin string
	}{
		{"no CSRF value", url.Values{}, ""},
		{"a wrong CSRF value", url.Values{"_csrf": {"csrf_guess"}}, ""},
		{"another site's origin", url.Values{"_csrf": {csrf}}, "https://evil.example"},
	} {
		if code := post("/admin/w/"+ws+"/flows/enable-all", bad.v, bad.origin); code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", bad.name, code)
		}
	}
	if code := post("/admin/w/"+ws+"/flows/enable-all", url.Values{"_csrf": {csrf}}, base); code != http.StatusSeeOther {
		t.Errorf("the real form: %d, want 303", code)
	}
	// Another workspace's id answers like one that does not exist.
	if code, _, _ := getWith(t, c, base+"/admin/w/ws_doesnotexist/"); code != http.StatusNotFound {
		t.Errorf("unknown workspace: %d", code)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func formCSRF(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	code, body, _ := getWith(t, c, u)
	m := csrfField.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no CSRF field", u, code)
	}
	return m[1]
}

func getWith(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// until waits up to 10 s for a JavaScript condition on the page, through
// the navigation a form post causes (an evaluation cut short by it is
// tried again).
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(10 * time.Second)
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not true within 10 s: %s (last error %v)", expr, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// setupLink is the console's set-up link the first start printed: its path
// and its token.
func setupLink(t *testing.T, startOutput string) (path, token string) {
	t.Helper()
	m := regexp.MustCompile(`/admin/setup\?t=(setup_[a-z0-9]+)`).FindStringSubmatch(startOutput)
	if m == nil {
		t.Fatalf("the first start printed no set-up link:\n%s", startOutput)
	}
	return m[0], m[1]
}

// consoleShot saves the page of c as NAME.png in CARTWHEEL_SCREENSHOTS, the
// folder of docs/admin.md's pictures; without it, nothing.
func consoleShot(t *testing.T, c context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CARTWHEEL_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pageRunner returns run(what, actions...): it does the browser actions
// and, when one fails, fails the test with the page's address and text,
// which say more than chromedp's error about where a walk went wrong.
func pageRunner(t *testing.T, ctx context.Context) func(string, ...chromedp.Action[chromedp.Void]) {
	return func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			page, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s: %v\npage: %s", what, err, page)
		}
	}
}
