package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/messaging"
)

// The sending rules saved in the console are what the messaging service
// reads when it sends; a bad field is refused next to itself with every
// value typed kept; the consent rules change the workspace and the tracker
// tag; a viewer can save none of it, and forms without the CSRF value are
// refused.
func TestConsoleSettingsRules(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	page := "/admin/w/" + ws + "/settings"
	csrf := formCSRF(t, c, inst.url(page))
	ctx := context.Background()
	before, err := inst.messaging.Settings(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}

	rules := url.Values{"_csrf": {csrf}, "quiet_start": {"22"}, "quiet_end": {"7"}, "email_cap_count": {"2"},
		"email_cap_window": {"3d"}, "push_cap_count": {"5"}, "push_cap_window": {""}, "attribution_window": {"48h"}}
	code, body := post(page+"/rules", rules)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="r-push_cap_window-err"`) ||
		!strings.Contains(body, `id="r-push_cap_count" name="push_cap_count" value="5"`) ||
		!strings.Contains(body, `id="r-email_cap_window" name="email_cap_window" value="3d"`) {
		t.Errorf("a cap without a window: %d", code)
	}
	bad := url.Values{"_csrf": {csrf}, "quiet_start": {"24"}, "quiet_end": {"7"}, "email_cap_count": {"-1"},
		"email_cap_window": {"soon"}, "push_cap_count": {"1"}, "push_cap_window": {"4h"}, "attribution_window": {"0"}}
	code, body = post(page+"/rules", bad)
	for _, id := range []string{"r-quiet_start-err", "r-email_cap_count-err", "r-email_cap_window-err", "r-attribution_window-err"} {
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("bad rules: %d, no %s", code, id)
		}
	}
	if now, _ := inst.messaging.Settings(ctx, ws); now.QuietHours != before.QuietHours {
		t.Errorf("refused rules changed the quiet hours to %+v", now.QuietHours)
	}

	rules.Set("push_cap_window", "6h")
	if code, _ := post(page+"/rules", rules); code != http.StatusSeeOther {
		t.Fatalf("save rules: %d", code)
	}
	set, err := inst.messaging.Settings(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if set.QuietHours != (messaging.QuietHours{Start: 22, End: 7}) ||
		set.Caps["email"] != (messaging.Cap{Count: 2, Window: messaging.Duration(72 * time.Hour)}) ||
		set.Caps["push"] != (messaging.Cap{Count: 5, Window: messaging.Duration(6 * time.Hour)}) ||
		set.AttributionWindow != messaging.Duration(48*time.Hour) {
		t.Errorf("the messaging service reads %+v after saving", set)
	}
	if set.FromEmail != before.FromEmail {
		t.Errorf("saving the rules changed the sender: %q", set.FromEmail)
	}
	_, shown, _ := getWith(t, c, inst.url(page+"?saved=rules"))
	if !strings.Contains(shown, `name="email_cap_window" value="3d"`) || !strings.Contains(shown, `id="saved"`) {
		t.Error("the settings page does not show the saved rules")
	}

	// Consent: double opt-in and tracking only after consent.
	if code, _ := post(page+"/consent", url.Values{"_csrf": {csrf}, "double_opt_in": {"on"}, "require_consent": {"on"}}); code != http.StatusSeeOther {
		t.Fatalf("save consent: %d", code)
	}
	if set, _ := inst.messaging.Settings(ctx, ws); !set.DoubleOptIn {
		t.Error("double opt-in not saved")
	}
	if w, _ := inst.ws.Get(ctx, ws); !w.RequireConsent {
		t.Error("require consent not saved")
	}
	if _, shown, _ := getWith(t, c, inst.url(page)); !strings.Contains(shown, `data-require-consent=&#34;1&#34;`) {
		t.Error("the tracker tag does not ask for consent after the rule was switched on")
	}
	if code, _ := post(page+"/consent", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("clear consent: %d", code)
	}
	if w, _ := inst.ws.Get(ctx, ws); w.RequireConsent {
		t.Error("require consent not switched off")
	}

	// The workspace form: the API's own validation, next to the field.
	code, body = post(page+"/workspace", url.Values{"_csrf": {csrf}, "name": {"Kawiarnia"}, "timezone": {"Europe/Warsaw"},
		"currency": {"ZLOTY"}, "locale": {"pl"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="ws-currency-err"`) || !strings.Contains(body, `value="Kawiarnia"`) {
		t.Errorf("a bad currency: %d", code)
	}

	// CSRF-less posts are refused and change nothing.
	for _, path := range []string{"/rules", "/consent", "/shops/connect"} {
		if code, _ := post(page+path, url.Values{"quiet_start": {"1"}, "quiet_end": {"2"}, "require_consent": {"on"}}); code != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF value: %d", path, code)
		}
	}
	if w, _ := inst.ws.Get(ctx, ws); w.RequireConsent {
		t.Error("a CSRF-less post switched require consent on")
	}

	// A viewer sees the settings but saves nothing.
	viewer, vpost := consoleViewer(t, inst, post, csrf, ws)
	vcsrf := formCSRF(t, viewer, inst.url(page))
	_, vpage, _ := getWith(t, viewer, inst.url(page))
	if strings.Contains(vpage, `id="rules-save"`) || strings.Contains(vpage, `id="consent-save"`) || strings.Contains(vpage, `id="connect-woo"`) {
		t.Error("a viewer is offered to save settings")
	}
	for path, v := range map[string]url.Values{
		"/rules":         {"_csrf": {vcsrf}, "quiet_start": {"1"}, "quiet_end": {"2"}, "email_cap_count": {"0"}, "push_cap_count": {"0"}, "attribution_window": {"1d"}},
		"/consent":       {"_csrf": {vcsrf}, "require_consent": {"on"}},
		"/shops/connect": {"_csrf": {vcsrf}, "platform": {"woocommerce"}, "address": {"https://shop.example"}},
	} {
		if code, _ := vpost(page+path, v); code != http.StatusForbidden {
			t.Errorf("a viewer's POST %s: %d", path, code)
		}
	}
	if now, _ := inst.messaging.Settings(ctx, ws); now.QuietHours.Start != 22 {
		t.Errorf("a viewer changed the quiet hours: %+v", now.QuietHours)
	}
	_, audit, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/audit"))
	for _, a := range []string{"settings.rules", "settings.consent"} {
		if !strings.Contains(audit, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}
}

// consoleViewer invites a viewer with the owner's poster and returns the
// viewer's client and poster.
func consoleViewer(t *testing.T, inst *instance, ownerPost func(string, url.Values) (int, string), csrf, ws string) (*http.Client, func(string, url.Values) (int, string)) {
	t.Helper()
	code, body := ownerPost("/admin/w/"+ws+"/team/invite", url.Values{"_csrf": {csrf}, "email": {"vera@shop.example"}, "role": {"viewer"}})
	m := regexp.MustCompile(`/admin/invite\?t=([a-z0-9_]+)`).FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("invite: %d", code)
	}
	c, post := anonymousConsole(t, inst)
	pre := formCSRF(t, c, inst.url(m[0]))
	if code, _ := post("/admin/invite", url.Values{"_csrf": {pre}, "t": {m[1]}, "name": {"Vera"}, "password": {"viewer password!"}}); code != http.StatusSeeOther {
		t.Fatalf("accept invite: %d", code)
	}
	return c, post
}

// A Shopify custom app is connected from the console against the fake
// Admin API: a token Shopify refuses is said to be refused, the right one
// connects the shop, registers every webhook topic and syncs the catalogue.
func TestConsoleConnectShopifyCustomApp(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SeedProducts(7)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true",
		"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(), "CARTWHEEL_SYNC_INTERVAL": "0"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	connect := "/admin/w/" + ws + "/settings/shops/connect"
	_, page, _ := getWith(t, c, inst.url(connect+"?platform=shopify&address=shop.example.com"))
	if !strings.Contains(page, `id="s-address-err"`) {
		t.Error("a domain outside myshopify.com was taken")
	}
	_, page, _ = getWith(t, c, inst.url(connect+"?platform=shopify&address=https://kawa.myshopify.com/"))
	if !strings.Contains(page, `id="s-access_token"`) || strings.Contains(page, `id="shopify-install"`) {
		t.Errorf("the keys step (no app configured, so no install link): %.300s", page)
	}
	csrf := formCSRF(t, c, inst.url(connect+"?platform=shopify"))
	form := url.Values{"_csrf": {csrf}, "platform": {"shopify"}, "address": {"kawa.myshopify.com"}, "access_token": {"shpat_wrong"},
		"webhook_secret": {"app-secret"}}
	if code, body := post(connect, form); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="s-access_token-err"`) ||
		!strings.Contains(body, "refused the keys") {
		t.Errorf("a wrong token: %d", code)
	}
	form.Set("access_token", shopifytest.DefaultToken)
	code, body := post(connect, form)
	if code != http.StatusOK || !strings.Contains(body, `id="connected"`) || strings.Contains(body, "step-failed") {
		t.Fatalf("connect: %d %s", code, body)
	}
	if n := len(fake.Webhooks()); n != len(shopify.DefaultTopics()) {
		t.Errorf("%d webhook subscriptions, want %d", n, len(shopify.DefaultTopics()))
	}
	id := regexp.MustCompile(`/settings/shops/(shop_[a-z0-9]+)`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no link to the shop's page")
	}
	waitFor(t, "the catalogue synced", func() bool {
		_, page, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/settings/shops/"+id[1]))
		return regexp.MustCompile(`<td class="done">7</td>`).MatchString(page) && !strings.Contains(page, "sync-running")
	})
	if code, _ := post(connect, form); code != http.StatusUnprocessableEntity {
		t.Errorf("the same shop connected twice: %d", code)
	}
}

// anonymousConsole is a browser-like client of the console with no one
// signed in, and a form poster sending the console's origin.
func anonymousConsole(t *testing.T, inst *instance) (*http.Client, func(string, url.Values) (int, string)) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := inst.url("")
	return c, func(path string, v url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}
