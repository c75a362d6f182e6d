package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
)

// secAnswer sends one request with optional headers and a body.
func secSend(t *testing.T, client *http.Client, method, u, body string, hdr map[string]string) httpAnswer {
	t.Helper()
	ctype := ""
	if body != "" {
		ctype = "application/json"
		if !strings.HasPrefix(body, "{") && !strings.HasPrefix(body, "[") {
			ctype = "application/x-www-form-urlencoded"
		}
	}
	return send(t, client, method, u, ctype, body, hdr)
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestTokenGuessingIsThrottled: failed tokens spend a budget per client
// address and per token prefix; once spent, 429 with Retry-After. Valid
// tokens never spend it.
func TestTokenGuessingIsThrottled(t *testing.T) {
	// Loopback is a trusted proxy here, so X-Forwarded-For stands for
	// distinct client addresses.
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_TRUSTED_PROXIES": "127.0.0.1/32"}))
	try := func(token, client string) httpAnswer {
		return secSend(t, http.DefaultClient, "GET", inst.url("/api/v1/me"), "", map[string]string{
			"Authorization": "Bearer " + token, "X-Forwarded-For": client})
	}
	// Valid requests, many, never throttled.
	for i := range 60 {
		if a := try(testAdminToken, "203.0.113.1"); a.code != 200 {
			t.Fatalf("valid request %d: %d", i, a.code)
		}
	}
	// Guesses from one address: refused, then throttled.
	var throttled httpAnswer
	for i := range 40 {
		a := try(fmt.Sprintf("cw_%02d_guessxxxxxxxxxxxxxxxxxxxxxxxx", i), "203.0.113.2")
		if a.code == 429 {
			throttled = a
			break
		}
		if a.code != 401 {
			t.Fatalf("guess %d: %d", i, a.code)
		}
	}
	if throttled.code != 429 || throttled.hdr.Get("Retry-After") == "" {
		t.Fatalf("guessing from one address never throttled: %+v", throttled)
	}
	// The throttled address is refused even a right token (answering it
	// would tell the guesser it was right); other addresses are not.
	if a := try(testAdminToken, "203.0.113.2"); a.code != 429 {
		t.Errorf("valid token from the throttled address: %d", a.code)
	}
	if a := try(testAdminToken, "203.0.113.3"); a.code != 200 {
		t.Errorf("valid token from another address: %d", a.code)
	}
	// (The old token sign-in form, /admin/login, reads no token any more:
	// TestAdminSignIn. The console's password sign-in has its own limits.)

	// Guesses against one key prefix from many addresses.
	throttled = httpAnswer{}
	for i := range 40 {
		a := try(fmt.Sprintf("cw_key_abcdeguess%02dxxxxxxxxxxxxxxxxx", i), fmt.Sprintf("198.51.100.%d", i+1))
		if a.code == 429 {
			throttled = a
			break
		}
	}
	if throttled.code != 429 || throttled.hdr.Get("Retry-After") == "" {
		t.Fatalf("guessing one prefix from many addresses never throttled")
	}
	if a := try("cw_key_zzzzzguessxxxxxxxxxxxxxxxxxxxxxx", "198.51.100.200"); a.code != 401 {
		t.Errorf("another prefix from a fresh address: %d", a.code)
	}
}

// TestClientAddressBehindProxies: X-Forwarded-For counts only from a
// trusted peer, and then its rightmost untrusted address is the client.
func TestClientAddressBehindProxies(t *testing.T) {
	guessUntil429 := func(inst *instance, xff string) int {
		for i := range 40 {
			a := secSend(t, http.DefaultClient, "GET", inst.url("/api/v1/me"), "", map[string]string{
				"Authorization": fmt.Sprintf("Bearer wrong-%02d-%s", i, strings.Repeat("x", 20)), "X-Forwarded-For": xff})
			if a.code == 429 {
				return i
			}
		}
		return -1
	}
	fresh := func(inst *instance, xff string) int {
		return secSend(t, http.DefaultClient, "GET", inst.url("/api/v1/me"), "", map[string]string{
			"Authorization": "Bearer " + testAdminToken, "X-Forwarded-For": xff}).code
	}

	// No trusted proxies: a spoofed header changes nothing.
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	if n := guessUntil429(inst, "192.0.2.1"); n < 0 {
		t.Fatal("never throttled")
	}
	if code := fresh(inst, "192.0.2.99"); code != 429 {
		t.Errorf("untrusted peer escaped its bucket with a spoofed X-Forwarded-For: %d", code)
	}

	// Loopback and 10.0.0.0/8 trusted: the rightmost untrusted hop counts,
	// whatever the client wrote to its left.
	inst2, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_TRUSTED_PROXIES": "127.0.0.0/8, 10.0.0.0/8"}))
	if n := guessUntil429(inst2, "6.6.6.6, 192.0.2.7, 10.1.1.1"); n < 0 {
		t.Fatal("never throttled")
	}
	if code := fresh(inst2, "1.2.3.4, 192.0.2.7, 10.9.9.9"); code != 429 {
		t.Errorf("a spoofed left-hand entry escaped the client's bucket: %d", code)
	}
	if code := fresh(inst2, "192.0.2.8, 10.1.1.1"); code != 200 {
		t.Errorf("another client behind the same proxy shares the bucket: %d", code)
	}

	// The public endpoints' per-address limit reads the same address.
	inst3, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_TRUSTED_PROXIES": "127.0.0.1", "CARTWHEEL_COLLECT_IP_RATE": "1"}))
	decide := func(xff string) int {
		return secSend(t, http.DefaultClient, "GET", inst3.url("/decide?k=pk_unknown&v=visitor1"), "", map[string]string{"X-Forwarded-For": xff}).code
	}
	limited := false
	for range 15 {
		if decide("192.0.2.50") == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("/decide never rate limited")
	}
	if code := decide("192.0.2.51"); code != 404 {
		t.Errorf("/decide for another visitor behind the proxy: %d", code)
	}
}

// TestAdminSignIn: the old token sign-in is gone: /admin/login leads to
// the console's sign-in (a token posted to it is not read and signs no one
// in), /admin/outbox asks to sign in to the console, and a bearer token
// opens no page.
func TestAdminSignIn(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	for _, tc := range []struct {
		method, path, body string
		code               int
		location           string
	}{
		{"GET", "/admin/login", "", 301, "/admin/signin"},
		{"GET", "/admin/login?token=" + testAdminToken, "", 301, "/admin/signin"},
		{"POST", "/admin/login", "token=" + url.QueryEscape(testAdminToken), 303, "/admin/signin"},
		{"POST", "/admin/logout", "", 303, "/admin/signin"},
		{"GET", "/admin/outbox", "", 303, "/admin/signin?next=%2Fadmin%2Foutbox"},
	} {
		a := secSend(t, noFollow, tc.method, inst.url(tc.path), tc.body, nil)
		if a.code != tc.code || a.hdr.Get("Location") != tc.location || strings.Contains(a.hdr.Get("Set-Cookie"), "session") {
			t.Errorf("%s %s: %d %q %q", tc.method, tc.path, a.code, a.hdr.Get("Location"), a.hdr.Get("Set-Cookie"))
		}
	}
	a := secSend(t, noFollow, "GET", inst.url("/admin/outbox"), "", map[string]string{"Authorization": "Bearer " + testAdminToken})
	if a.code != 303 || !strings.HasPrefix(a.hdr.Get("Location"), "/admin/signin") {
		t.Errorf("/admin/outbox with a bearer token: %d %v", a.code, a.hdr)
	}
}

// TestSecureCookiesFollowThePublicURL: with an https public URL every
// cookie is Secure, whatever X-Forwarded-Proto says; the demo pages carry
// a CSP and frame protection.
func TestSecureCookiesFollowThePublicURL(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_PUBLIC_URL": "https://cartwheel.example",
		"CARTWHEEL_SHOPIFY_API_KEY": testAppKey, "CARTWHEEL_SHOPIFY_API_SECRET": testAppSecret, "CARTWHEEL_DEMO": "true"}))
	a := secSend(t, noFollow, "GET", inst.url("/admin/signin"), "", nil)
	if c := a.hdr.Get("Set-Cookie"); a.code != 200 || !strings.Contains(strings.ToLower(c), "secure") {
		t.Errorf("console cookie over an https public URL: %d %q", a.code, c)
	}
	q := url.Values{"shop": {testShopDomain}, "timestamp": {fmt.Sprint(timeNow().Unix())}}
	q.Set("hmac", signShopifyQuery(q))
	a = secSend(t, noFollow, "GET", inst.url("/shopify/install?"+q.Encode()), "", map[string]string{"X-Forwarded-Proto": "http"})
	if c := a.hdr.Get("Set-Cookie"); a.code != 302 || !strings.Contains(c, "cw_shopify_oauth=") || !strings.Contains(c, "secure") {
		t.Errorf("OAuth state cookie: %d %q", a.code, c)
	}

	for _, path := range []string{"/demo/", "/demo/cart"} {
		a := secSend(t, noFollow, "GET", inst.url(path), "", nil)
		csp := a.hdr.Get("Content-Security-Policy")
		if a.code != 200 || a.hdr.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self' https://cartwheel.example 'sha256-") || strings.Contains(csp, "unsafe-eval") ||
			strings.Contains(csp, "script-src 'self' https://cartwheel.example 'unsafe-inline'") {
			t.Errorf("GET %s: %d CSP %q XFO %q", path, a.code, csp, a.hdr.Get("X-Frame-Options"))
		}
	}
}

// TestProtocolStrictness: trailing JSON, wrong methods, another
// workspace's shop, and bounded echoes.
func TestProtocolStrictness(t *testing.T) {
	inst, logs := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	wa, a, shopA := newTenant(t, admin, "A", "a-shop.myshopify.com")
	_, b, _ := newTenant(t, admin, "B", "b-shop.myshopify.com")
	auth := func(c apiClient) map[string]string { return map[string]string{"Authorization": "Bearer " + c.token} }

	// Trailing data after a JSON body: 400 on every decoding path.
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/v1/api-keys", `{"name":"x"}}`},
		{"POST", "/api/v1/api-keys", `{"name":"x"}{"name":"y"}`},
		{"PATCH", "/api/v1/workspace", `{"name":"x"}]`},
		{"POST", "/api/v1/widgets", `{"name":"x","kind":"popup"}}`},
		{"POST", "/api/v1/flows", `{"name":"x"}}`},
		{"PATCH", "/api/v1/messaging/settings", `{"from_name":"x"}}`},
		{"POST", "/api/v1/events", `{"events":[]}}`},
	} {
		if r := secSend(t, http.DefaultClient, tc.method, inst.url(tc.path), tc.body, auth(a)); r.code != 400 {
			t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, r.code, r.body)
		}
	}

	// The public endpoints too (no token: a site key in the body).
	for _, path := range []string{"/widgets/submit", "/wishlist", "/push/subscribe", "/collect"} {
		body := `{"k":"` + wa.SiteKey + `","v":"visitor1","s":"s1","e":[]}}`
		if r := secSend(t, http.DefaultClient, "POST", inst.url(path), body, nil); r.code != 400 {
			t.Errorf("POST %s %s: %d %s", path, body, r.code, r.body)
		}
	}

	// Wrong methods: 405 with Allow.
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/workspace", "GET"},
		{"PUT", "/api/v1/shops", "POST"},
		{"GET", "/collect", "POST"},
		{"POST", "/healthz", "GET"},
		{"DELETE", "/admin/login", "POST"},
	} {
		r := secSend(t, http.DefaultClient, tc.method, inst.url(tc.path), "", auth(a))
		if r.code != 405 || !strings.Contains(r.hdr.Get("Allow"), tc.allow) {
			t.Errorf("%s %s: %d Allow %q", tc.method, tc.path, r.code, r.hdr.Get("Allow"))
		}
	}
	if r := secSend(t, http.DefaultClient, "GET", inst.url("/api/v1/nothing-here"), "", auth(a)); r.code != 404 {
		t.Errorf("unknown path: %d", r.code)
	}

	// Another workspace's shop and its sub-resources: 404, never an empty 200.
	for _, p := range []string{"/deliveries", "/status", ""} {
		if r := secSend(t, http.DefaultClient, "GET", inst.url("/api/v1/shops/"+shopA.ID+p), "", auth(b)); r.code != 404 {
			t.Errorf("B reads A's shop%s: %d %s", p, r.code, r.body)
		}
	}
	for _, p := range []string{"/sync", "/webhooks", "/discount-codes"} {
		if r := secSend(t, http.DefaultClient, "POST", inst.url("/api/v1/shops/"+shopA.ID+p), `{}`, auth(b)); r.code != 404 {
			t.Errorf("B posts to A's shop%s: %d %s", p, r.code, r.body)
		}
	}
	var wd struct{ ID string }
	admin.ws = wa.ID
	admin.do("POST", "/api/v1/widget-templates/first_visit_discount", map[string]any{"status": "active"}, &wd)
	var fl struct{ ID string }
	admin.do("POST", "/api/v1/flow-templates/welcome", nil, &fl)
	for _, p := range []string{"/widgets/" + wd.ID + "/stats", "/flows/" + fl.ID + "/enrollments", "/contacts/ct_doesnotexist0/timeline"} {
		if r := secSend(t, http.DefaultClient, "GET", inst.url("/api/v1"+p), "", auth(b)); r.code != 404 {
			t.Errorf("B reads A's %s: %d %s", p, r.code, r.body)
		}
	}

	// A megabyte-sized bad value is echoed at most a little, in the answer
	// and in the log.
	huge := strings.Repeat("A", 1<<20)
	r := secSend(t, http.DefaultClient, "POST", inst.url("/api/v1/events"), `{"events":[{"type":"`+huge[:50<<10]+`"}]}`, auth(a))
	if r.code != 400 || len(r.body) > 1000 {
		t.Errorf("huge bad value: %d, %d bytes", r.code, len(r.body))
	}
	r = secSend(t, http.DefaultClient, "POST", inst.url("/webhooks/woocommerce/"+shopA.ID), `{"id":"`+huge+`"`, nil)
	if r.code < 400 || len(r.body) > 1000 {
		t.Errorf("huge webhook: %d, %d bytes", r.code, len(r.body))
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if len(line) > 4000 {
			t.Errorf("log line of %d bytes: %.200s", len(line), line)
		}
	}

	// The Shopify webhook's refusal names no shop.
	r = secSend(t, http.DefaultClient, "POST", inst.url("/webhooks/shopify"), `{}`, map[string]string{
		"X-Shopify-Shop-Domain": "evil-probe-name.myshopify.com", "X-Shopify-Hmac-Sha256": "AAAA", "X-Shopify-Topic": "orders/create"})
	if r.code != 401 || strings.Contains(r.body, "evil-probe-name") {
		t.Errorf("unknown shop: %d %s", r.code, r.body)
	}
}

func timeNow() time.Time { return time.Now() }

func signShopifyQuery(q url.Values) string { return shopify.SignQuery(testAppSecret, q) }

// TestLogValuesAreBounded: the binary's logger clips long strings and
// errors, so a megabyte of input cannot become a megabyte log line.
func TestLogValuesAreBounded(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var out strings.Builder
		log := newLogger(config.Config{LogLevel: "info", LogFormat: format}, &out)
		huge := strings.Repeat("é", 1<<19)
		log.Warn("refused", "value", huge, "err", errors.New("bad value "+huge), "n", 42)
		if out.Len() > 4000 || !strings.Contains(out.String(), "bytes)") || !strings.Contains(out.String(), "42") {
			t.Errorf("%s log line of %d bytes: %.300s", format, out.Len(), out.String())
		}
		if !utf8.ValidString(out.String()) {
			t.Errorf("%s: clipped inside a character", format)
		}
	}
}
