package tracker

import (
	"strings"
	"testing"
)

func TestTag(t *testing.T) {
	tag := string(Tag("https://cw.example/", `k"1`))
	for _, want := range []string{
		`src="https://cw.example/t.js"`, `data-endpoint="https://cw.example"`, `data-site-key="k&#34;1"`, " async ", "window.cartwheel=window.cartwheel||{q:[]",
	} {
		if !strings.Contains(tag, want) {
			t.Errorf("Tag lacks %s: %s", want, tag)
		}
	}
	if strings.Contains(tag, "require-consent") {
		t.Errorf("Tag asks for consent by default: %s", tag)
	}
	if got := string(TagWithOptions("https://cw.example", "k1", TagOptions{RequireConsent: true})); !strings.Contains(got, ` data-require-consent="1"`) {
		t.Errorf("TagWithOptions(RequireConsent) lacks the attribute: %s", got)
	}
}

func TestContextBlockEscapes(t *testing.T) {
	got := string(ContextBlock(PageContext{Page: "product", Product: &ContextProduct{ID: "1", Title: "</script><script>alert(1)</script>"}}))
	if strings.Count(got, "</script>") != 1 {
		t.Errorf("the context block can be closed early: %s", got)
	}
}
