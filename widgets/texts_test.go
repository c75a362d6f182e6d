package widgets

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every locale has every text key, and every key w.js falls back on: a
// missing one would show English in a Polish shop.
func TestTextsComplete(t *testing.T) {
	src := string(bundleSrc)
	start := strings.Index(src, "let T = {")
	end := strings.Index(src[start:], "};")
	if start < 0 || end < 0 {
		t.Fatal("w.js: no fallback texts (let T = {…};)")
	}
	var jsKeys []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+):`).FindAllStringSubmatch(src[start:start+end], -1) {
		jsKeys = append(jsKeys, m[1])
	}
	en := slices.Sorted(maps.Keys(texts["en"]))
	for _, k := range jsKeys {
		if !slices.Contains(en, k) {
			t.Errorf("w.js falls back on %q, which the server's texts lack", k)
		}
	}
	for l, tx := range texts {
		if got := slices.Sorted(maps.Keys(tx)); !slices.Equal(got, en) {
			t.Errorf("%s texts have keys %v, want %v", l, got, en)
		}
	}
	for l, tx := range pushTexts {
		if len(tx) != len(pushTexts["en"]) {
			t.Errorf("%s push texts: %d keys, want %d", l, len(tx), len(pushTexts["en"]))
		}
	}
	for l, tx := range frameTitles {
		if len(tx) != len(frameTitles["en"]) {
			t.Errorf("%s frame titles: %d, want %d", l, len(tx), len(frameTitles["en"]))
		}
	}
	if l, tx := Texts("pl-PL"); l != "pl" || tx["copy"] != "Kopiuj" {
		t.Errorf("pl-PL: %s %v", l, tx)
	}
}

// The ready-made widgets in Polish, and without a promise of a code where
// none can be made.
func TestTemplateFor(t *testing.T) {
	pl, _ := TemplateFor("first_visit_discount", "pl", true)
	c := pl.Definition.Variants[0].Content
	if c.CTA != "Odbierz kod" || !strings.Contains(c.Success, "{code}") || pl.Definition.Discount == nil || pl.Definition.Name != "Pierwsza wizyta 10%" {
		t.Errorf("pl with codes: %+v %+v", pl.Definition, c)
	}
	for _, l := range []string{"en", "pl", "de"} {
		nc, _ := TemplateFor("first_visit_discount", l, false)
		if PromisesCode(&nc.Definition) || nc.Definition.Discount != nil || nc.Definition.Variants[0].Content.Form == nil {
			t.Errorf("%s without codes: %+v", l, nc.Definition)
		}
		if err := nc.Definition.Validate(); err != nil {
			t.Errorf("%s without codes: %v", l, err)
		}
	}
	sd, _ := TemplateFor("still_deciding", "pl", false)
	if c := sd.Definition.Variants[0].Content; c.Title != "Wciąż się zastanawiasz?" || c.Products == nil {
		t.Errorf("still_deciding pl: %+v", c)
	}
	fr, _ := TemplateFor("product_recommendations", "pl", true)
	if fr.Definition.Frame.Title != "Inni oglądali również" {
		t.Errorf("frame pl: %+v", fr.Definition.Frame)
	}
	// The English ones are the templates as they are.
	en, _ := TemplateFor("first_visit_discount", "en", true)
	orig, _ := TemplateByName("first_visit_discount")
	if en.Definition.Variants[0].Content.Title != orig.Definition.Variants[0].Content.Title {
		t.Errorf("en changed: %+v", en.Definition.Variants[0].Content)
	}
}
