package main

import (
	"net"
	"strings"
	"testing"
	"time"
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
