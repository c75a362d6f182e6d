package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
)

// The WordPress plugin's menu item opens the console signed in: a link
// signed with the shop's webhook secret signs the WordPress user in to the
// shop's workspace, once; a replayed, tampered, stale or foreign link signs
// nobody in.
func TestConsoleWordPressEntry(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	const secret = "wc-console-secret"
	// A shop whose REST API is not reachable: the console link needs none.
	_, w, sh := connectPolishWooShop(t, inst, "http://127.0.0.1:1", secret)
	open := func(query string) *http.Response {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(inst.url("/admin/wordpress?" + query))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	now := time.Now()
	good := woocommerce.SignConsoleEntry(secret, sh.ID, "7", "Zofia", "0123456789abcdef0123456789abcdef", now)
	tampered, _ := url.ParseQuery(good)
	tampered.Set("user", "1")
	for name, q := range map[string]string{
		"wrong secret": woocommerce.SignConsoleEntry("not-the-secret", sh.ID, "7", "Zofia", "1123456789abcdef0123456789abcdef", now),
		"stale":        woocommerce.SignConsoleEntry(secret, sh.ID, "7", "Zofia", "2123456789abcdef0123456789abcdef", now.Add(-10*time.Minute)),
		"tampered":     tampered.Encode(),
		"unknown shop": woocommerce.SignConsoleEntry(secret, "shop_nope", "7", "Zofia", "3123456789abcdef0123456789abcdef", now),
	} {
		if resp := open(q); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) > 0 {
			t.Errorf("%s: %d, cookies %v", name, resp.StatusCode, resp.Cookies())
		}
	}
	resp := open(good)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/w/"+w.ID+"/" || len(resp.Cookies()) == 0 {
		t.Fatalf("a good link: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest("GET", inst.url("/admin/w/"+w.ID+"/"), nil)
	req.AddCookie(resp.Cookies()[0])
	page, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Errorf("the dashboard after the WordPress link: %d", page.StatusCode)
	}
	if resp := open(good); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the same link twice: %d", resp.StatusCode)
	}
}
