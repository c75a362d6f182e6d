package widgets

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeRefusesBadDefinitions(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T"}}],"colour":"red"}`, ""},
		{`{"name":"","kind":"popup"}`, "name"},
		{`{"name":"x","kind":"banner"}`, "kind"},
		{`{"name":"x","kind":"popup"}`, "variants"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":""}}]}`, "variants[0].content.title"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T"}},{"id":"a","content":{"title":"T"}}]}`, "variants[1].id"},
		{`{"name":"x","kind":"popup","trigger":{"after_seconds":5,"exit_intent":true},"variants":[{"id":"a","content":{"title":"T"}}]}`, "trigger"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T","link":"javascript:alert(1)"}}]}`, "variants[0].content.link"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T","link":"/x\njavascript:alert(1)"}}]}`, "variants[0].content.link"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T","image":"data:image/svg+xml,x"}}]}`, "variants[0].content.image"},
		{`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T","form":{"email":true,"consent_required":true}}}]}`, "variants[0].content.form.consent_text"},
		{`{"name":"x","kind":"popup","discount":{"percent":10},"variants":[{"id":"a","content":{"title":"T"}}]}`, "variants[0].content.form"},
		{`{"name":"x","kind":"popup","discount":{"percent":150},"variants":[{"id":"a","content":{"title":"T","form":{"email":true}}}]}`, "discount"},
		{`{"name":"x","kind":"frame"}`, "frame"},
		{`{"name":"x","kind":"frame","frame":{"name":"pp","strategy":"magic","count":4}}`, "frame.strategy"},
		{`{"name":"x","kind":"frame","frame":{"name":"pp","strategy":"bestsellers","count":0}}`, "frame.count"},
		{`{"name":"x","kind":"inbox","targeting":{"device":"tv"}}`, "targeting.device"},
		{`{"name":"x","kind":"inbox","targeting":{"first_visit":true,"min_visits":4}}`, "targeting.first_visit"},
		{`{"name":"x","kind":"inbox"} {}`, ""},
	} {
		_, err := Decode([]byte(c.body))
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Field != c.field {
			t.Errorf("%s: got %v, want an error on %q", c.body, err, c.field)
		}
	}
	d, err := Decode([]byte(`{"name":"x","kind":"popup","variants":[{"id":"a","content":{"title":"T"}},{"id":"b","content":{"title":"U"}}]}`))
	if err != nil || d.Status != StatusDraft || d.Layout != LayoutModal || d.Variants[0].Weight != 1 || d.Variants[1].Weight != 1 {
		t.Errorf("defaults: %+v %v", d, err)
	}
}

func TestTemplatesAreValid(t *testing.T) {
	for _, tp := range Templates() {
		if err := tp.Definition.Validate(); err != nil {
			t.Errorf("%s: %v", tp.Name, err)
		}
	}
	if _, ok := TemplateByName("nope"); ok {
		t.Error("unknown template found")
	}
}

func TestMatchURL(t *testing.T) {
	for _, c := range []struct {
		pattern, url string
		want         bool
	}{
		{"", "https://s.example/x", true},
		{"/products/*", "https://s.example/products/blue-mug?ref=1", true},
		{"/products/*", "https://s.example/collections/mugs", false},
		{"/", "https://s.example/", true},
		{"/", "https://s.example/about", false},
		{"*/sale", "https://s.example/en/sale", true},
		{"https://s.example/sale/*", "https://s.example/sale/a?x=1", true},
		{"https://s.example/sale/*", "https://other.example/sale/a", false},
		{"/a*b*c", "https://s.example/a-x-b-y-c", true},
		{"/a*b*c", "https://s.example/a-x-b-y", false},
	} {
		if got := MatchURL(c.pattern, c.url); got != c.want {
			t.Errorf("MatchURL(%q, %q) = %v", c.pattern, c.url, got)
		}
	}
}

func TestDelayPerVisitor(t *testing.T) {
	tr := Trigger{AfterSeconds: 10, AfterSecondsMax: 20}
	seen := map[int]bool{}
	for i := range 500 {
		v := "v" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		d := tr.Delay("w", v)
		if d < 10 || d > 20 || d != tr.Delay("w", v) {
			t.Fatalf("delay %d", d)
		}
		seen[d] = true
	}
	if len(seen) < 8 {
		t.Errorf("delays not spread: %v", seen)
	}
}

func TestTextsFallBack(t *testing.T) {
	if l, tx := Texts("pl-PL"); l != "pl" || tx["close"] != "Zamknij" {
		t.Errorf("pl: %s %v", l, tx["close"])
	}
	if l, tx := Texts("xx"); l != "en" || tx["close"] != "Close" {
		t.Errorf("fallback: %s", l)
	}
	if Slug(" Green  Tea! ") != "green-tea" {
		t.Error(Slug(" Green  Tea! "))
	}
}
