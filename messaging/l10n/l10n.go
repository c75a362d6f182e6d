// Package l10n holds the texts Cartwheel itself writes to the people a
// shop mails — the email's chrome (quantities, subtotal, the footer's
// unsubscribe line) and the unsubscribe and preference pages — one small
// catalogue per language, so that a workspace whose locale is Polish
// writes Polish everywhere and a new language is one file.
//
// What the shop writes (subjects, bodies) is not here: those are the
// shop's templates, and the ready-made flows keep their own per-language
// copies (automation's library).
package l10n

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Lang is a language there is a catalogue for.
type Lang string

// The languages with a complete catalogue.
const (
	English Lang = "en"
	Polish  Lang = "pl"
)

// catalogues are the texts by language and key. Texts may take fmt verbs;
// every language has every key (TestCataloguesComplete).
var catalogues = map[Lang]map[string]string{English: english, Polish: polish}

// For is the language for a BCP 47 locale ("pl-PL", "pl_PL", "PL" → pl):
// one with a catalogue, else English.
func For(locale string) Lang {
	l := strings.ToLower(strings.TrimSpace(locale))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if _, ok := catalogues[Lang(l)]; ok {
		return Lang(l)
	}
	return English
}

// T is the text key in l, formatted with args when given. A key missing
// from l falls back to English, and one missing there too shows as the
// key: a wrong key is a bug, never a failed send.
func (l Lang) T(key string, args ...any) string {
	s, ok := catalogues[l][key]
	if !ok {
		if s, ok = english[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// HTML is T for a page or an email's HTML: the text is the catalogue's
// (trusted), each argument is escaped and set in bold, so that word order
// stays the language's ("…to <strong>ann@example.com</strong>.").
func (l Lang) HTML(key string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = template.HTML("<strong>" + html.EscapeString(fmt.Sprint(a)) + "</strong>")
	}
	s, ok := catalogues[l][key]
	if !ok {
		if s, ok = english[key]; !ok {
			s = key
		}
	}
	if len(esc) == 0 {
		return template.HTML(s)
	}
	return template.HTML(fmt.Sprintf(s, esc...))
}

// Funcs are the template functions pages and emails call: t (T) and th
// (HTML) in language l.
func (l Lang) Funcs() map[string]any {
	return map[string]any{"t": l.T, "th": l.HTML}
}
