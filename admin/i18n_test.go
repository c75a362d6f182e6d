package admin

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogComplete keeps English and Polish whole: the same keys in
// both, every key a template names present, no text left empty.
func TestCatalogComplete(t *testing.T) {
	c := newCatalog()
	for _, l := range locales() {
		for k, v := range c["en"] {
			if _, ok := c[l][k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
			if v == "" || c[l][k] == "" && l != "en" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
		for k := range c[l] {
			if _, ok := c["en"][k]; !ok {
				t.Errorf("%s has %q, English does not", l, k)
			}
		}
	}
	keyRe := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, n := range names {
		b, _ := fs.ReadFile(templateFiles, n)
		for _, m := range keyRe.FindAllSubmatch(b, -1) {
			if _, ok := c["en"][string(m[1])]; !ok {
				t.Errorf("%s names %q, which no locale has", n, m[1])
			}
		}
	}
	// Keys made at run time from a value.
	for _, prefix := range []string{"role.", "status.", "mstatus.", "channel.", "kind.", "lang."} {
		found := false
		for k := range c["en"] {
			found = found || len(k) > len(prefix) && k[:len(prefix)] == prefix
		}
		if !found {
			t.Errorf("no key starts with %q", prefix)
		}
	}
}

func TestPickLocale(t *testing.T) {
	for _, c := range []struct{ chosen, accept, want string }{
		{"pl", "en-US", "pl"},
		{"", "pl-PL,pl;q=0.9,en;q=0.8", "pl"},
		{"", "de-DE,de;q=0.9", "en"},
		{"fr", "", "en"},
	} {
		r := httptest.NewRequest("GET", "/admin/", nil)
		r.Header.Set("Accept-Language", c.accept)
		if got := pickLocale(c.chosen, r); got != c.want {
			t.Errorf("pickLocale(%q, %q) = %q, want %q", c.chosen, c.accept, got, c.want)
		}
	}
	if !slices.Contains(locales(), "pl") {
		t.Error("Polish is not offered")
	}
}
