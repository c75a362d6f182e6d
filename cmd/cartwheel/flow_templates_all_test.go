package main

import (
	"net/http"
	"testing"
)

// POST /api/v1/flow-templates enables every ready-made flow in one call,
// and a second call doubles none of them.
func TestEnableAllFlowTemplatesInOneCall(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	shop := newFlowShop(t, inst, testShopDomain)
	var out struct {
		Flows []struct{ ID, Status string } `json:"flows"`
	}
	if code := shop.api.do("POST", "/api/v1/flow-templates", nil, &out); code != http.StatusOK {
		t.Fatalf("POST /flow-templates: %d", code)
	}
	var tpl struct {
		Templates []struct{ Name string } `json:"templates"`
	}
	shop.api.do("GET", "/api/v1/flow-templates", nil, &tpl)
	if len(tpl.Templates) < 8 || len(out.Flows) != len(tpl.Templates) {
		t.Fatalf("enabled %d flows for %d templates", len(out.Flows), len(tpl.Templates))
	}
	ids := map[string]bool{}
	for _, f := range out.Flows {
		if f.Status != "active" {
			t.Errorf("flow %s is %s", f.ID, f.Status)
		}
		ids[f.ID] = true
	}
	out.Flows = nil
	if code := shop.api.do("POST", "/api/v1/flow-templates", nil, &out); code != http.StatusOK {
		t.Fatalf("second POST /flow-templates: %d", code)
	}
	var all struct {
		Flows []struct{ ID string } `json:"flows"`
	}
	shop.api.do("GET", "/api/v1/flows", nil, &all)
	if len(all.Flows) != len(tpl.Templates) {
		t.Errorf("%d flows after enabling all twice, want %d", len(all.Flows), len(tpl.Templates))
	}
	for _, f := range out.Flows {
		if !ids[f.ID] {
			t.Errorf("second call made a new flow %s", f.ID)
		}
	}
}
