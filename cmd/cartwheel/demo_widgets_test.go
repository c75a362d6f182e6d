package main

import (
	"net/http"
	"strings"
	"testing"
)

// The demo starts with its ready-made widgets on (a first visit must see
// them without four API calls), enabling a ready-made widget again returns
// the one the workspace has instead of a competing copy, and the start-up
// log says where the demo is.
func TestDemoStartsWithWidgetsOn(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: inst.demo.Workspace.ID}
	type widget struct{ ID, Status, Template string }
	var list struct{ Widgets []widget }
	if code := admin.do("GET", "/api/v1/widgets", nil, &list); code != http.StatusOK {
		t.Fatalf("GET widgets: %d", code)
	}
	byTemplate := map[string]widget{}
	for _, w := range list.Widgets {
		if w.Status != "active" {
			t.Errorf("demo widget %s (%s) is %s", w.ID, w.Template, w.Status)
		}
		byTemplate[w.Template] = w
	}
	for _, name := range []string{"first_visit_discount", "still_deciding", "product_recommendations", "inbox"} {
		if _, ok := byTemplate[name]; !ok {
			t.Errorf("demo has no %s widget: %+v", name, list.Widgets)
		}
	}

	var again widget
	if code := admin.do("POST", "/api/v1/widget-templates/inbox", map[string]any{"status": "paused"}, &again); code != http.StatusOK {
		t.Fatalf("enabling a template the workspace has: %d, want 200", code)
	}
	if again.ID != byTemplate["inbox"].ID || again.Status != "paused" {
		t.Errorf("enabling again gave %+v, want the existing inbox %s, paused", again, byTemplate["inbox"].ID)
	}
	list.Widgets = nil
	admin.do("GET", "/api/v1/widgets", nil, &list)
	if len(list.Widgets) != len(byTemplate) {
		t.Errorf("%d widgets after enabling one again, want %d", len(list.Widgets), len(byTemplate))
	}

	// A restart keeps the admin's choice (the paused inbox stays paused).
	inst.stop()
	inst2, _ := startTest(t, inst.cfg)
	admin.inst = inst2
	list.Widgets = nil
	admin.do("GET", "/api/v1/widgets", nil, &list)
	for _, w := range list.Widgets {
		if w.Template == "inbox" && w.Status != "paused" {
			t.Errorf("restart re-enabled the paused inbox: %+v", w)
		}
	}
	if !strings.Contains(out.String(), "/demo/") {
		t.Errorf("start-up log does not say where the demo is:\n%s", out.String())
	}
}
