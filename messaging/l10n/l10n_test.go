package l10n

import (
	"strings"
	"testing"
)

// Every language has every key, with the same verbs in the same number:
// a missing key would show English in the middle of a Polish page.
func TestCataloguesComplete(t *testing.T) {
	for lang, cat := range catalogues {
		for k, en := range english {
			s, ok := cat[k]
			if !ok {
				t.Errorf("%s: no %q", lang, k)
				continue
			}
			if strings.Count(s, "%s") != strings.Count(en, "%s") {
				t.Errorf("%s %q: %q takes other arguments than %q", lang, k, s, en)
			}
		}
		for k := range cat {
			if _, ok := english[k]; !ok {
				t.Errorf("%s: %q is not an English key", lang, k)
			}
		}
	}
}

func TestForAndTexts(t *testing.T) {
	for loc, want := range map[string]Lang{"pl": Polish, "pl-PL": Polish, "PL_pl": Polish, "en-GB": English, "de": English, "": English} {
		if got := For(loc); got != want {
			t.Errorf("For(%q) = %q, want %q", loc, got, want)
		}
	}
	if got := Polish.T("unsubscribe.heading", "Sklep"); got != "Wypisać się z e-maili od Sklep?" {
		t.Errorf("T = %q", got)
	}
	if got := string(Polish.HTML("unsubscribe.body", "<a@b.pl>")); got != "Przestaniemy wysyłać e-maile marketingowe na adres <strong>&lt;a@b.pl&gt;</strong>." {
		t.Errorf("HTML = %q", got)
	}
	if got := Polish.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
}
