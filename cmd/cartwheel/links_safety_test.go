package main

import (
	"strings"
	"testing"
)

// A flow whose inbox or push step links to javascript: is refused when it
// is saved (issue 12: the link ran script with the shop's cookies).
func TestFlowSaveRefusesScriptLinks(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	shop := newFlowShop(t, inst, testShopDomain)
	for _, step := range []map[string]any{
		{"id": "box", "kind": "inbox", "params": map[string]any{"title": "Hi", "url": "javascript:alert(document.cookie)"}},
		{"id": "box", "kind": "inbox", "params": map[string]any{"title": "Hi", "url": "JavaScript:{{.Vars.x}}"}},
		{"id": "box", "kind": "inbox", "params": map[string]any{"title": "Hi", "url": "/cart", "image": "javascript:alert(1)"}},
		{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Hi", "url": "data:text/html,<script>alert(1)</script>"}},
	} {
		flow := map[string]any{"name": "Links", "trigger": map[string]any{"event": "order_placed"}, "steps": []any{step}}
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if code := shop.api.do("POST", "/api/v1/flows", flow, &e); code != 400 || !strings.Contains(e.Error.Message, "steps[0].params.") {
			t.Errorf("%v: %d %q, want 400 naming the param", step["params"], code, e.Error.Message)
		}
	}
	ok := map[string]any{"name": "Links", "trigger": map[string]any{"event": "order_placed"}, "steps": []any{
		map[string]any{"id": "box", "kind": "inbox", "params": map[string]any{"title": "Hi", "url": "/cart"}}}}
	if code := shop.api.do("POST", "/api/v1/flows", ok, nil); code != 201 {
		t.Errorf("a path link: %d", code)
	}
}
