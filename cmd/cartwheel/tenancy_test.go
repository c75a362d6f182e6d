package main

import (
	"strings"
	"testing"
)

type wsJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	SiteKey string `json:"site_key"`
}

type keyJSON struct {
	APIKey struct {
		ID string `json:"id"`
	} `json:"api_key"`
	Token string `json:"token"`
}

type shopJSON struct {
	ID            string `json:"id"`
	Domain        string `json:"domain"`
	AccessToken   string `json:"access_token"`
	WebhookSecret string `json:"webhook_secret"`
}

// newTenant creates a workspace with an API key and a shop through the API.
func newTenant(t *testing.T, admin apiClient, name, domain string) (wsJSON, apiClient, shopJSON) {
	t.Helper()
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": name, "currency": "EUR"}, &w); code != 201 {
		t.Fatalf("create workspace: %d", code)
	}
	if !strings.HasPrefix(w.SiteKey, "pk_") {
		t.Fatalf("site key %q", w.SiteKey)
	}
	var k keyJSON
	adminWS := admin
	adminWS.ws = w.ID
	if code := adminWS.do("POST", "/api/v1/api-keys", map[string]any{"name": "ci"}, &k); code != 201 || k.Token == "" {
		t.Fatalf("create key: %d", code)
	}
	client := apiClient{t: t, inst: admin.inst, token: k.Token}
	var sh shopJSON
	if code := client.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": domain,
		"access_token": "shpat_" + name, "webhook_secret": "whsec_" + name}, &sh); code != 201 {
		t.Fatalf("create shop: %d", code)
	}
	if sh.AccessToken != "" || sh.WebhookSecret != "" {
		t.Fatal("shop secrets returned by the API")
	}
	return w, client, sh
}

func TestTenantIsolation(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	wa, a, shopA := newTenant(t, admin, "A", "a-shop.myshopify.com")
	wb, b, shopB := newTenant(t, admin, "B", "b-shop.myshopify.com")

	var me wsJSON
	if code := a.do("GET", "/api/v1/workspace", nil, &me); code != 200 || me.ID != wa.ID {
		t.Fatalf("A's own workspace: %d %+v", code, me)
	}
	var shops struct{ Shops []shopJSON }
	if code := a.do("GET", "/api/v1/shops", nil, &shops); code != 200 || len(shops.Shops) != 1 || shops.Shops[0].ID != shopA.ID {
		t.Fatalf("A lists shops: %d %+v", code, shops)
	}
	var keysB struct {
		APIKeys []struct{ ID string } `json:"api_keys"`
	}
	if code := b.do("GET", "/api/v1/api-keys", nil, &keysB); code != 200 || len(keysB.APIKeys) != 1 {
		t.Fatalf("B lists keys: %d %+v", code, keysB)
	}

	// Every way A might reach B's data.
	for _, tc := range []struct {
		method, path string
		body         any
		header       string
		want         int
	}{
		{"GET", "/api/v1/shops/" + shopB.ID, nil, "", 404},
		{"PATCH", "/api/v1/shops/" + shopB.ID, map[string]string{"status": "disabled"}, "", 404},
		{"DELETE", "/api/v1/api-keys/" + keysB.APIKeys[0].ID, nil, "", 404},
		{"GET", "/api/v1/shops", nil, wb.ID, 403},
		{"PATCH", "/api/v1/workspace", map[string]string{"name": "pwned"}, wb.ID, 403},
		{"GET", "/api/v1/workspaces", nil, "", 403},
		{"GET", "/api/v1/workspaces/" + wb.ID, nil, "", 403},
		{"PATCH", "/api/v1/workspaces/" + wb.ID, map[string]string{"name": "pwned"}, "", 403},
		{"POST", "/api/v1/workspaces", map[string]string{"name": "mine"}, "", 403},
	} {
		c := a
		c.ws = tc.header
		if code := c.do(tc.method, tc.path, tc.body, nil); code != tc.want {
			t.Errorf("A: %s %s (workspace header %q) = %d, want %d", tc.method, tc.path, tc.header, code, tc.want)
		}
	}
	// B is untouched.
	var gotB wsJSON
	admin.do("GET", "/api/v1/workspaces/"+wb.ID, nil, &gotB)
	if gotB.Name != "B" {
		t.Errorf("B renamed to %q", gotB.Name)
	}
	var shopGot struct{ Status string }
	if code := b.do("GET", "/api/v1/shops/"+shopB.ID, nil, &shopGot); code != 200 || shopGot.Status != "active" {
		t.Errorf("B's shop: %d %+v", code, shopGot)
	}
	if code := b.do("GET", "/api/v1/api-keys", nil, &keysB); code != 200 || len(keysB.APIKeys) != 1 {
		t.Errorf("B's key touched: %+v", keysB)
	}

	// An admin token must say which workspace it means.
	if code := admin.do("GET", "/api/v1/shops", nil, nil); code != 400 {
		t.Errorf("admin without workspace header: %d", code)
	}
	adminB := admin
	adminB.ws = wb.ID
	if code := adminB.do("GET", "/api/v1/shops", nil, &shops); code != 200 || len(shops.Shops) != 1 || shops.Shops[0].ID != shopB.ID {
		t.Errorf("admin on B: %d %+v", code, shops)
	}
}

func TestRevokedKeyIsRefused(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	_, a, _ := newTenant(t, admin, "A", "a-shop.myshopify.com")
	var k keyJSON
	if code := a.do("POST", "/api/v1/api-keys", map[string]any{"name": "second"}, &k); code != 201 {
		t.Fatalf("second key: %d", code)
	}
	second := apiClient{t: t, inst: inst, token: k.Token}
	if code := second.do("GET", "/api/v1/workspace", nil, nil); code != 200 {
		t.Fatalf("second key before revoke: %d", code)
	}
	if code := a.do("DELETE", "/api/v1/api-keys/"+k.APIKey.ID, nil, nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code := second.do("GET", "/api/v1/workspace", nil, nil); code != 401 {
		t.Fatalf("revoked key: %d", code)
	}
	if code := a.do("DELETE", "/api/v1/api-keys/"+k.APIKey.ID, nil, nil); code != 404 {
		t.Fatalf("revoke twice: %d", code)
	}
}
