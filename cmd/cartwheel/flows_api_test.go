package main

import (
	"strings"
	"testing"
)

// A flow whose steps cannot work is refused when it is saved, naming the
// param at fault, instead of failing for every contact it enrols later.
func TestFlowStepParamsCheckedOnSave(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	shop := newFlowShop(t, inst, testShopDomain)
	flow := func(step map[string]any) map[string]any {
		return map[string]any{"name": "Checked", "trigger": map[string]any{"event": "order_placed"},
			"steps": []any{map[string]any{"id": "tag", "kind": "tag_add", "params": map[string]any{"tag": "buyer"}}, step}}
	}
	mail := func(params map[string]any) map[string]any {
		p := map[string]any{"subject": "Hi", "html": "<p>Hi</p>"}
		for k, v := range params {
			p[k] = v
		}
		return map[string]any{"id": "mail", "kind": "send_email", "params": p}
	}
	type errJSON struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	for _, c := range []struct {
		name  string
		step  map[string]any
		field string
	}{
		{"unknown product source", mail(map[string]any{"products": "favourites"}), "steps[1].params.products"},
		{"product count", mail(map[string]any{"products": "bestsellers", "product_count": 99}), "steps[1].params.product_count"},
		{"email html", mail(map[string]any{"html": "<p>{{.Contact.FirstName</p>"}), "steps[1].params.html"},
		{"email subject", mail(map[string]any{"subject": "{{if}}"}), "steps[1].params.subject"},
		{"missing subject", mail(map[string]any{"subject": ""}), "steps[1].params.subject"},
		{"vars", mail(map[string]any{"vars": "x"}), "steps[1].params.vars"},
		{"push urgency", map[string]any{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Hi", "urgency": "now"}},
			"steps[1].params.urgency"},
		{"push topic", map[string]any{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Hi", "topic": "not a topic!"}},
			"steps[1].params.topic"},
		{"push ttl", map[string]any{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Hi", "ttl": "soon"}},
			"steps[1].params.ttl"},
		{"push body template", map[string]any{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Hi", "body": "{{.Shop.Name"}},
			"steps[1].params.body"},
		{"inbox title", map[string]any{"id": "box", "kind": "inbox", "params": map[string]any{"body": "x"}}, "steps[1].params.title"},
		{"discount", map[string]any{"id": "code", "kind": "discount", "params": map[string]any{"percent": 10, "amount_minor": 500}},
			"steps[1].params.percent"},
		{"discount prefix", map[string]any{"id": "code", "kind": "discount", "params": map[string]any{"percent": 10, "prefix": "NO WAY"}},
			"steps[1].params.prefix"},
	} {
		var e errJSON
		if code := shop.api.do("POST", "/api/v1/flows", flow(c.step), &e); code != 400 || !strings.Contains(e.Error.Message, c.field) {
			t.Errorf("%s: %d %+v, want 400 naming %s", c.name, code, e.Error, c.field)
		}
	}

	// A good flow is taken; a bad edit of it is refused and changes nothing.
	var saved struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	good := flow(mail(map[string]any{"products": "bought_together", "product_count": 3}))
	if code := shop.api.do("POST", "/api/v1/flows", good, &saved); code != 201 || saved.Version != 1 {
		t.Fatalf("good flow: %d %+v", code, saved)
	}
	var e errJSON
	if code := shop.api.do("PUT", "/api/v1/flows/"+saved.ID, flow(mail(map[string]any{"products": "related-ish"})), &e); code != 400 ||
		!strings.Contains(e.Error.Message, "steps[1].params.products") {
		t.Errorf("bad edit: %d %+v", code, e.Error)
	}
	var cur struct {
		Version int `json:"version"`
	}
	if code := shop.api.do("GET", "/api/v1/flows/"+saved.ID, nil, &cur); code != 200 || cur.Version != 1 {
		t.Errorf("after the refused edit: %d version %d, want 1", code, cur.Version)
	}
	// Every ready-made flow passes the same check.
	for _, name := range []string{"welcome", "abandoned_checkout", "abandoned_cart_push", "browse_abandonment", "cross_sell",
		"replenishment", "winback", "birthday"} {
		if code := shop.api.do("POST", "/api/v1/flow-templates/"+name, nil, nil); code != 201 {
			t.Errorf("ready-made %s: %d", name, code)
		}
	}
}
