package main

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
)

// TestUnreachableShopIs502Or504: calls that wait on a shop's API answer
// within CARTWHEEL_UPSTREAM_TIMEOUT, 502 when the shop cannot be reached
// and 504 when it does not answer, with the cause in words on the answer
// and on the shop's status.
func TestUnreachableShopIs502Or504(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close() // read nothing, answer nothing, until the test ends
		}
	}()

	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_UPSTREAM_TIMEOUT": "2s", "CARTWHEEL_SYNC_INTERVAL": "0"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Upstream"}, &w)
	api := admin
	api.ws = w.ID
	for _, tc := range []struct {
		name, url string
		status    int
		cause     string
	}{
		{"closed", closedURL, 502, "connection refused"},
		{"hanging", "http://" + hang.Addr().String(), 504, "deadline exceeded"},
	} {
		var sh shopJSON
		if code := api.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": tc.name + "-shop.myshopify.com",
			"access_token": "shpat_x", "webhook_secret": "whsec_x", "api_url": tc.url}, &sh); code != 201 {
			t.Fatalf("%s: shop: %d", tc.name, code)
		}
		for _, op := range []struct{ path, kind, words string }{
			{"/webhooks", "webhooks", "webhook registration failed: "},
			{"/discount-codes", "discount_codes", "discount code creation failed: "},
		} {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			start := time.Now()
			code := api.do("POST", "/api/v1/shops/"+sh.ID+op.path, map[string]any{"percent": 10}, &e)
			took := time.Since(start)
			if code != tc.status || !strings.HasPrefix(e.Error.Message, op.words) || !strings.Contains(e.Error.Message, tc.cause) {
				t.Errorf("%s shop %s: %d %+v", tc.name, op.path, code, e)
			}
			if took > 5*time.Second {
				t.Errorf("%s shop %s took %v", tc.name, op.path, took)
			}
			var st struct {
				Syncs []struct{ Kind, Status, Error string } `json:"syncs"`
			}
			api.do("GET", "/api/v1/shops/"+sh.ID+"/status", nil, &st)
			found := false
			for _, s := range st.Syncs {
				if s.Kind == op.kind {
					found = s.Status == "failed" && strings.HasPrefix(s.Error, op.words) && strings.Contains(s.Error, tc.cause)
				}
			}
			if !found {
				t.Errorf("%s shop %s: status %+v", tc.name, op.path, st)
			}
		}
	}
}

// TestShopifyInstallWithUnreachableShop: the app install's callback calls
// the shop too; an unreachable one is a 502 in words, within the bound.
func TestShopifyInstallWithUnreachableShop(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_UPSTREAM_TIMEOUT": "2s", "CARTWHEEL_SYNC_INTERVAL": "0",
		"CARTWHEEL_SHOPIFY_API_KEY": testAppKey, "CARTWHEEL_SHOPIFY_API_SECRET": testAppSecret, "CARTWHEEL_SHOPIFY_API_BASE": closedURL}))
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"shop": {testShopDomain}, "timestamp": {now}}
	q.Set("hmac", shopify.SignQuery(testAppSecret, q))
	resp, err := browser.Get(inst.url("/shopify/install?" + q.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	cb := url.Values{"code": {"install-code"}, "shop": {testShopDomain}, "state": {loc.Query().Get("state")}, "timestamp": {now}}
	cb.Set("hmac", shopify.SignQuery(testAppSecret, cb))
	start := time.Now()
	resp, err = browser.Get(inst.url("/shopify/callback?" + cb.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "install code exchange failed: ") || !strings.Contains(string(body), "connection refused") {
		t.Errorf("callback: %d %s", resp.StatusCode, body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("callback took %v", took)
	}
}
