package main

import (
	"net/http"
	"testing"
)

// The campaigns API: a bad campaign is a 400 naming the field, a sent one
// cannot be edited (409), a cancelled one cannot be resumed, and another
// workspace cannot see it.
func TestCampaignsAPI(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var a, b wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "A"}, &a)
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "B"}, &b)
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: a.ID}
	var bad struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if code := api.do("POST", "/api/v1/campaigns", map[string]any{"name": "X", "channel": "email",
		"email": map[string]any{"subject": "S", "html": "<p>x</p>"}, "variants": []any{map[string]any{"subject": "A"}, map[string]any{"subject": "B"}},
		"ab_test": map[string]any{"sample_percent": 95, "wait": "1h"}}, &bad); code != http.StatusBadRequest ||
		bad.Error.Message != "campaign: ab_test.sample_percent: must be between 2 and 90" {
		t.Fatalf("bad sample: %d %q", code, bad.Error.Message)
	}
	if code := api.do("POST", "/api/v1/campaigns", map[string]any{"name": "X", "channel": "email",
		"email": map[string]any{"subject": "S", "html": "<p>x</p>"}, "audience": map[string]any{"segments": []string{"vip"}}}, nil); code != http.StatusBadRequest {
		t.Fatalf("a segment audience naming no segment of the workspace: %d", code)
	}
	var c struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	body := map[string]any{"name": "Sale", "channel": "email", "email": map[string]any{"subject": "S", "html": "<p>x</p>"},
		"schedule": map[string]any{"mode": "at", "at": "2099-01-01T09:00:00Z"}}
	if code := api.do("POST", "/api/v1/campaigns", body, &c); code != http.StatusCreated || c.Status != "draft" {
		t.Fatalf("create: %d %+v", code, c)
	}
	body["name"] = "Big sale"
	if code := api.do("PUT", "/api/v1/campaigns/"+c.ID, body, &c); code != http.StatusOK {
		t.Fatalf("edit a draft: %d", code)
	}
	if code := api.do("POST", "/api/v1/campaigns/"+c.ID+"/schedule", nil, &c); code != http.StatusOK || c.Status != "scheduled" {
		t.Fatalf("schedule: %d %s", code, c.Status)
	}
	if code := api.do("PUT", "/api/v1/campaigns/"+c.ID, body, nil); code != http.StatusConflict {
		t.Fatalf("edit a scheduled campaign: %d", code)
	}
	other := apiClient{t: t, inst: inst, token: testAdminToken, ws: b.ID}
	if code := other.do("GET", "/api/v1/campaigns/"+c.ID, nil, nil); code != http.StatusNotFound {
		t.Fatalf("another workspace's campaign: %d", code)
	}
	if code := other.do("POST", "/api/v1/campaigns/"+c.ID+"/cancel", nil, nil); code != http.StatusNotFound {
		t.Fatalf("cancel another workspace's campaign: %d", code)
	}
	if code := api.do("POST", "/api/v1/campaigns/"+c.ID+"/cancel", nil, &c); code != http.StatusOK || c.Status != "cancelled" {
		t.Fatalf("cancel: %d %s", code, c.Status)
	}
	if code := api.do("POST", "/api/v1/campaigns/"+c.ID+"/resume", nil, nil); code != http.StatusConflict {
		t.Fatalf("resume a cancelled campaign: %d", code)
	}
	var list struct {
		Campaigns []any `json:"campaigns"`
	}
	if api.do("GET", "/api/v1/campaigns", nil, &list); len(list.Campaigns) != 1 {
		t.Fatalf("%d campaigns", len(list.Campaigns))
	}
}
