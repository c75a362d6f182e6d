package main

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The console opened inside the Shopify admin: a correctly signed App
// Bridge session token signs the staff member in to that shop's workspace
// with a partitioned cookie, and the pages may then be framed by that
// shop's admin only; an expired, wrong-audience or wrongly signed token,
// or one for a shop Cartwheel does not know, signs nobody in.
func TestConsoleShopifyEmbeddedEntry(t *testing.T) {
	const key, secret = "cartwheel-app-key", "cartwheel-app-secret"
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{
		"CARTWHEEL_SHOPIFY_API_KEY": key, "CARTWHEEL_SHOPIFY_API_SECRET": secret}))
	shop := newFlowShop(t, inst, testShopDomain)
	now := time.Now()
	token := func(mutate func(jwt.MapClaims), signWith string) string {
		c := jwt.MapClaims{"iss": "https://" + testShopDomain + "/admin", "dest": "https://" + testShopDomain, "aud": key,
			"sub": "8123", "exp": now.Add(time.Minute).Unix(), "nbf": now.Add(-time.Second).Unix(), "iat": now.Unix(),
			"jti": "j1", "sid": "s1"}
		if mutate != nil {
			mutate(c)
		}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(signWith))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	openAs := func(shopParam, tok string) (*http.Response, *http.Client) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(inst.url("/admin/shopify?embedded=1&shop=" + shopParam + "&id_token=" + tok))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, c
	}
	open := func(tok string) (*http.Response, *http.Client) { return openAs(testShopDomain, tok) }
	otherShop := token(func(c jwt.MapClaims) {
		c["dest"], c["iss"] = "https://other-shop.myshopify.com", "https://other-shop.myshopify.com/admin"
	}, secret)
	for name, tok := range map[string]string{
		"expired":        token(func(c jwt.MapClaims) { c["exp"] = now.Add(-30 * time.Second).Unix() }, secret),
		"wrong audience": token(func(c jwt.MapClaims) { c["aud"] = "another-app" }, secret),
		"wrongly signed": token(nil, "not-the-secret"),
		// Signed for another shop than the page's ?shop=.
		"another shop's token": otherShop,
	} {
		if resp, _ := open(tok); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) > 0 {
			t.Errorf("%s: %d, cookies %v", name, resp.StatusCode, resp.Cookies())
		}
	}
	// Signed correctly, but for a shop this Cartwheel does not have.
	if resp, _ := openAs("other-shop.myshopify.com", otherShop); resp.StatusCode != http.StatusNotFound || len(resp.Cookies()) > 0 {
		t.Errorf("unknown shop: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}

	resp, c := open(token(nil, secret))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/w/"+shop.ws.ID+"/" {
		t.Fatalf("a good token: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	set := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"cw_console=", "HttpOnly", "Secure", "SameSite=None", "Partitioned"} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	// http://127.0.0.1 is not a secure origin for Go's cookie jar, so the
	// test carries the cookie itself, as the browser inside Shopify would.
	req, _ := http.NewRequest("GET", inst.url("/admin/w/"+shop.ws.ID+"/"), nil)
	req.AddCookie(resp.Cookies()[0])
	page, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	csp := page.Header.Get("Content-Security-Policy")
	if page.StatusCode != http.StatusOK || !strings.Contains(csp, "frame-ancestors https://"+testShopDomain+" https://admin.shopify.com") ||
		page.Header.Get("X-Frame-Options") != "" {
		t.Errorf("embedded dashboard: %d, CSP %q, X-Frame-Options %q", page.StatusCode, csp, page.Header.Get("X-Frame-Options"))
	}
	// Another workspace stays out of reach of this staff member.
	other := newFlowShop(t, inst, "other-shop.myshopify.com")
	req, _ = http.NewRequest("GET", inst.url("/admin/w/"+other.ws.ID+"/"), nil)
	req.AddCookie(resp.Cookies()[0])
	if page, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusNotFound {
		t.Errorf("the staff member of one shop opened another workspace: %d", page.StatusCode)
	}
	// A console opened in a normal tab may not be framed at all.
	if code, _, hdr := get(t, inst.url("/admin/signin")); code != http.StatusOK || !strings.Contains(hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("sign-in page: %d, CSP %q", code, hdr.Get("Content-Security-Policy"))
	}
}
