package admin

import (
	"fmt"
	"net/http"
	"strings"
)

// locales the console speaks; the first is the default.
func locales() []string { return []string{"en", "pl"} }

// catalog holds every text of the console per locale. A key missing from
// a locale falls back to English; TestCatalogComplete keeps both whole.
type catalog map[string]map[string]string

// textSets lists the console's texts. A feature's pages keep their own in
// texts_<feature>.go (a func returning its English and Polish maps) and add
// it here, so that features written side by side do not edit one long map.
func textSets() []func() (en, pl map[string]string) {
	return []func() (en, pl map[string]string){
		func() (map[string]string, map[string]string) { return textsEN(), textsPL() },
		textsContacts,
		textsSettings,
		textsWidgets,
		textsDeliverability,
		textsSMS,
		textsSegments,
		textsCampaigns,
		textsScores,
	}
}

func newCatalog() catalog {
	c := catalog{"en": {}, "pl": {}}
	for _, set := range textSets() {
		en, pl := set()
		for k, v := range en {
			c["en"][k] = v
		}
		for k, v := range pl {
			c["pl"][k] = v
		}
	}
	return c
}

// text returns the text for key in locale, formatted with args.
func (c catalog) text(locale, key string, args ...any) string {
	s, ok := c[locale][key]
	if !ok {
		if s, ok = c["en"][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// pickLocale chooses the console language: the person's choice, else the
// browser's Accept-Language, else English.
func pickLocale(chosen string, r *http.Request) string {
	for _, l := range locales() {
		if chosen == l {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		for _, l := range locales() {
			if tag == l || strings.HasPrefix(tag, l+"-") {
				return l
			}
		}
	}
	return locales()[0]
}
