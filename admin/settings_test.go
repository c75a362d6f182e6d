package admin

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// settingsConsole is a console over a real SQLite store with one
// workspace and two people in it: an owner and a viewer.
type settingsConsole struct {
	h                     *Handler
	ws                    store.Workspace
	msg                   *messaging.Service
	wsvc                  *workspace.Service
	owner, viewer         string // session tokens
	ownerCSRF, viewerCSRF string
}

func newSettingsConsole(t *testing.T) *settingsConsole {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cw.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	c := &settingsConsole{wsvc: workspace.New(st, box, log, nil), msg: messaging.New(st, box, log, nil)}
	name := "Kawiarnia"
	if c.ws, err = c.wsvc.Create(ctx, workspace.Settings{Name: &name}); err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(st, log)
	c.h, err = New(Options{Accounts: acc, Store: st, Workspaces: c.wsvc, Contacts: cdp.NewContacts(st), Messaging: c.msg,
		PublicURL: "http://console.test", PushSubject: "mailto:ops@console.test", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := acc.SetupLink(ctx)
	var owner store.User
	if c.owner, owner, err = acc.CompleteSetup(ctx, token, "owner@console.test", "", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	invite, err := acc.Invite(ctx, owner, c.ws.ID, "vera@console.test", "viewer")
	if err != nil {
		t.Fatal(err)
	}
	if c.viewer, _, err = acc.AcceptInvite(ctx, invite, "Vera", "viewer password!"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		token string
		csrf  *string
	}{{c.owner, &c.ownerCSRF}, {c.viewer, &c.viewerCSRF}} {
		_, sess, err := acc.Session(ctx, s.token)
		if err != nil {
			t.Fatal(err)
		}
		*s.csrf = sess.CSRF
	}
	return c
}

// post sends a console form as the session's browser would.
func (c *settingsConsole) post(session, path string, v url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "http://console.test/admin/w/"+c.ws.ID+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://console.test")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

func (c *settingsConsole) get(session, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "http://console.test/admin/w/"+c.ws.ID+path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

func TestRulesFormValidation(t *testing.T) {
	c := newSettingsConsole(t)
	good := url.Values{"quiet_start": {"21"}, "quiet_end": {"8"}, "email_cap_count": {"3"}, "email_cap_window": {"7d"},
		"push_cap_count": {"0"}, "push_cap_window": {""}, "attribution_window": {"5d"}}
	for _, tc := range []struct {
		name, field, value string
	}{
		{"hour past 23", "quiet_start", "24"},
		{"negative hour", "quiet_end", "-1"},
		{"hour not a number", "quiet_end", "8am"},
		{"negative count", "email_cap_count", "-2"},
		{"count not a number", "push_cap_count", "many"},
		{"count too large", "email_cap_count", "1001"},
		{"window not a duration", "email_cap_window", "a week"},
		{"negative window", "email_cap_window", "-4h"},
		{"count without a window", "email_cap_window", ""},
		{"days not whole", "email_cap_window", "1.5d"},
		{"no attribution window", "attribution_window", ""},
		{"zero attribution window", "attribution_window", "0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"_csrf": {c.ownerCSRF}}
			for k, x := range good {
				v[k] = x
			}
			v.Set(tc.field, tc.value)
			rec := c.post(c.owner, "/settings/rules", v)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="r-`+tc.field+`-err"`) {
				t.Fatalf("%s=%q: %d, no error next to the field", tc.field, tc.value, rec.Code)
			}
			if strings.Count(body, `class="err" id="r-`) != 1 {
				t.Errorf("errors on other fields too")
			}
			// What was typed stays, the bad value included.
			if !strings.Contains(body, `id="r-`+tc.field+`" name="`+tc.field+`" value="`+tc.value+`"`) {
				t.Errorf("the value typed was not kept")
			}
		})
	}
	v := url.Values{"_csrf": {c.ownerCSRF}}
	for k, x := range good {
		v[k] = x
	}
	if rec := c.post(c.owner, "/settings/rules", v); rec.Code != http.StatusSeeOther {
		t.Fatalf("good rules: %d", rec.Code)
	}
	set, err := c.msg.Settings(context.Background(), c.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if set.Caps["push"].Count != 0 || set.Caps["email"].Count != 3 {
		t.Errorf("caps saved as %+v", set.Caps)
	}
	// Every value the form accepts, the service accepts.
	if err := set.Validate(); err != nil {
		t.Error(err)
	}
}

func TestSettingsRoles(t *testing.T) {
	c := newSettingsConsole(t)
	rules := url.Values{"quiet_start": {"1"}, "quiet_end": {"2"}, "email_cap_count": {"0"}, "push_cap_count": {"0"}, "attribution_window": {"1d"}}
	for _, path := range []string{"/settings/rules", "/settings/consent", "/settings/shops/connect", "/settings/workspace", "/settings/messaging"} {
		v := url.Values{"_csrf": {c.viewerCSRF}}
		for k, x := range rules {
			v[k] = x
		}
		if rec := c.post(c.viewer, path, v); rec.Code != http.StatusForbidden {
			t.Errorf("a viewer's POST %s: %d", path, rec.Code)
		}
		// The owner without the CSRF value is refused too.
		delete(v, "_csrf")
		if rec := c.post(c.owner, path, v); rec.Code != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF value: %d", path, rec.Code)
		}
	}
	if set, _ := c.msg.Settings(context.Background(), c.ws.ID); set.QuietHours.Start == 1 {
		t.Error("a refused post changed the quiet hours")
	}
	page := c.get(c.viewer, "/settings").Body.String()
	for _, id := range []string{`id="rules-save"`, `id="consent-save"`, `id="connect-woo"`} {
		if strings.Contains(page, id) {
			t.Errorf("a viewer's settings page offers %s", id)
		}
	}
	if !strings.Contains(page, `id="push-key"`) || !strings.Contains(page, "mailto:ops@console.test") {
		t.Error("the web push section lacks the VAPID key or the subject")
	}
}

func TestShopFormsValidation(t *testing.T) {
	c := newSettingsConsole(t)
	h := c.h
	for _, tc := range []struct {
		platform, address string
		ok                bool
		want              string
	}{
		{"woocommerce", "https://sklep.example.pl/", true, "https://sklep.example.pl"},
		{"woocommerce", "http://127.0.0.1:8080/shop/", true, "http://127.0.0.1:8080/shop"},
		{"woocommerce", "sklep.example.pl", false, ""},
		{"woocommerce", "ftp://sklep.example.pl", false, ""},
		{"woocommerce", "https://user:pw@sklep.example.pl", false, ""},
		{"woocommerce", "https://sklep.example.pl/?p=1", false, ""},
		{"shopify", "https://Kawa.myshopify.com/", true, "kawa.myshopify.com"},
		{"shopify", "kawa.example.com", false, ""},
		{"shopify", "", false, ""},
	} {
		f := newForm()
		f.Values["address"] = tc.address
		p := &connectPage{Platform: tc.platform, Form: f}
		err := h.checkAddress(&request{Locale: "en"}, p)
		if (err == nil) != tc.ok || tc.ok && f.Values["address"] != tc.want || !tc.ok && f.Errors["address"] == "" {
			t.Errorf("%s %q: err %v, address %q, errors %v", tc.platform, tc.address, err, f.Values["address"], f.Errors)
		}
	}
	for _, tc := range []struct {
		values map[string]string
		errs   []string
		made   bool
	}{
		{map[string]string{"consumer_key": "ck_1", "consumer_secret": "cs_1"}, nil, true},
		{map[string]string{"consumer_key": "ck_1", "consumer_secret": "cs_1", "webhook_secret": "abcdefABCDEF0123"}, nil, false},
		{map[string]string{"consumer_key": "key", "consumer_secret": "secret"}, []string{"consumer_key", "consumer_secret"}, true},
		{map[string]string{"consumer_key": "ck_1:x", "consumer_secret": "cs_1", "webhook_secret": "short"}, []string{"consumer_key", "webhook_secret"}, false},
		{map[string]string{"consumer_key": "ck_1", "consumer_secret": "cs_1", "webhook_secret": "with spaces &amp; signs!!"}, []string{"webhook_secret"}, false},
	} {
		f := newForm()
		f.Values["address"] = "https://sklep.example.pl"
		for k, v := range tc.values {
			f.Values[k] = v
		}
		in, made := h.shopInput(&request{Locale: "pl"}, &connectPage{Platform: "woocommerce", Form: f})
		if len(f.Errors) != len(tc.errs) || made != tc.made {
			t.Errorf("%v: errors %v, secret made %v", tc.values, f.Errors, made)
		}
		for _, e := range tc.errs {
			if f.Errors[e] == "" {
				t.Errorf("%v: no error on %s", tc.values, e)
			}
		}
		if len(tc.errs) == 0 && (in.Domain != "sklep.example.pl" || in.APIURL != "" || !alnum(in.WebhookSecret) || len(in.WebhookSecret) < 16) {
			t.Errorf("%v: input %+v", tc.values, in)
		}
	}
	f := newForm()
	f.Values["address"] = "kawa.myshopify.com"
	h.shopInput(&request{Locale: "en"}, &connectPage{Platform: "shopify", Form: f})
	if f.Errors["access_token"] == "" || f.Errors["webhook_secret"] == "" {
		t.Errorf("a Shopify custom app without token or secret: %v", f.Errors)
	}
	// Without connectors the connect page is not there.
	if rec := c.get(c.owner, "/settings/shops/connect?platform=woocommerce"); rec.Code != http.StatusNotFound {
		t.Errorf("connect page without connectors: %d", rec.Code)
	}
}

func TestExplainShopError(t *testing.T) {
	h := &Handler{texts: newCatalog()}
	for msg, key := range map[string]string{
		`webhook registration failed: register order.created: woocommerce: HTTP 401 woocommerce_rest_authentication_error: Consumer key is invalid.`:                                       "shops.err.auth",
		`reading the store's settings failed: woocommerce: HTTP 403 woocommerce_rest_cannot_view: Sorry.`:                                                                                  "shops.err.auth",
		`reading the shop's settings failed: shopify: shop info: shopify: access token rejected`:                                                                                           "shops.err.auth",
		`webhook registration failed: register order.created: woocommerce: HTTP 404 rest_no_route: No route was found`:                                                                     "shops.err.noapi",
		`reading the store's settings failed: Get "https://shop.example/wp-json/wc/v3/settings/general": tls: failed to verify certificate: x509: certificate signed by unknown authority`: "shops.err.tls",
		`webhook registration failed: Get "https://shop.example/wp-json/wc/v3/webhooks": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`:                       "shops.err.timeout",
		`webhook registration failed: dial tcp 10.0.0.1:443: connect: connection refused`:                                                                                                  "shops.err.unreachable",
		`Get "https://nope.example/": dial tcp: lookup nope.example: no such host`:                                                                                                         "shops.err.dns",
		`sync orders: woocommerce: HTTP 500 internal_server_error: critical error`:                                                                                                         "shops.err.server",
		`woocommerce: HTTP 429: Too Many Requests`:                            "shops.err.throttled",
		`the shop needs a webhook secret to sign its deliveries`:              "shops.err.secret",
		`decode answer: invalid character '<' looking for beginning of value`: "shops.err.notapi",
		`something else entirely`:                                             "shops.err.other",
	} {
		for _, loc := range []string{"en", "pl"} {
			got := h.explainShopError(loc, msg)
			if want := h.texts.text(loc, key); !strings.HasPrefix(got, want) || !strings.Contains(got, msg) {
				t.Errorf("%s %q: %q, want %s", loc, msg, got, key)
			}
		}
	}
}

// FuzzRulesForm: whatever is typed, the form never panics, and what it
// lets through the messaging service accepts.
func FuzzRulesForm(f *testing.F) {
	f.Add("21", "8", "3", "7d", "1", "4h", "5d")
	f.Add("0", "0", "0", "", "0", "", "1ns")
	f.Add("23", "24", "-1", "9999999999d", "x", "1.5h", "-5d")
	h := &Handler{texts: newCatalog()}
	f.Fuzz(func(t *testing.T, qs, qe, ec, ew, pc, pw, aw string) {
		fm := newForm()
		for k, v := range map[string]string{"quiet_start": qs, "quiet_end": qe, "email_cap_count": ec, "email_cap_window": ew,
			"push_cap_count": pc, "push_cap_window": pw, "attribution_window": aw} {
			fm.Values[k] = v
		}
		patch := h.rulesPatch("en", fm)
		if len(fm.Errors) > 0 {
			return
		}
		set := messaging.DefaultSettings()
		b, err := json.Marshal(patch)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &set); err != nil {
			t.Fatalf("the service cannot read %s: %v", b, err)
		}
		if err := set.Validate(); err != nil {
			t.Fatalf("the form let through %s: %v", b, err)
		}
	})
}

func TestPushSubjectForm(t *testing.T) {
	c := newSettingsConsole(t)
	for _, bad := range []string{"ops@shop.example", "mailto:not an address", "http://shop.example/contact", "mailto:Ops <ops@shop.example>"} {
		rec := c.post(c.owner, "/settings/push", url.Values{"_csrf": {c.ownerCSRF}, "push_subject": {bad}})
		if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="p-push_subject-err"`) ||
			!strings.Contains(body, `value="`+template.HTMLEscapeString(bad)+`"`) {
			t.Errorf("subject %q: %d", bad, rec.Code)
		}
	}
	for _, good := range []string{"mailto:push@shop.example", "https://shop.example/contact", ""} {
		if rec := c.post(c.owner, "/settings/push", url.Values{"_csrf": {c.ownerCSRF}, "push_subject": {good}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("subject %q: %d", good, rec.Code)
		}
		if set, _ := c.msg.Settings(context.Background(), c.ws.ID); set.PushSubject != good {
			t.Errorf("saved %q, the service reads %q", good, set.PushSubject)
		}
	}
	if rec := c.post(c.viewer, "/settings/push", url.Values{"_csrf": {c.viewerCSRF}, "push_subject": {"mailto:x@y.example"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer's push subject: %d", rec.Code)
	}
}
