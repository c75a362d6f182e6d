package email

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
)

// renderState is what the template functions need to know about the
// recipient being rendered.
type renderState struct {
	loc      *time.Location
	currency string
	// lang is the language of the chrome and of amounts: the workspace's
	// locale (Shop.Locale), else the contact's.
	lang l10n.Lang
}

// funcs is the whole of what templates may call (see Parse). It returns a
// fresh map each time because html/template and text/template keep the map
// they are given.
func (st *renderState) funcs() map[string]any {
	return map[string]any{
		"money":     st.money,
		"date":      st.date,
		"upper":     strings.ToUpper,
		"lower":     strings.ToLower,
		"title":     title,
		"default":   fallback,
		"button":    button,
		"linetotal": lineTotal,
		"subtotal":  commerce.Sum,
		"rows":      rows,
		"t":         st.text,
	}
}

// text is a text of the chrome in the recipient's language (l10n).
func (st *renderState) text(key string, args ...any) string { return st.lang.T(key, args...) }

// layoutOnlyFuncs emit the Outlook-only markup of the layout. html/template
// strips comments from template text, and Outlook's conditional comments are
// what give it a fixed 600px column, so they come from functions that
// author templates cannot call.
func layoutOnlyFuncs() map[string]any {
	return map[string]any{
		"msoOpen": func() htmltemplate.HTML {
			return `<!--[if mso]><table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->`
		},
		"msoClose": func() htmltemplate.HTML { return `<!--[if mso]></td></tr></table><![endif]-->` },
		"msoHead": func() htmltemplate.HTML {
			return `<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->`
		},
		// Mail clients show the first text of a message after the subject;
		// padding the preheader with invisible characters keeps the body's
		// first words out of that preview.
		"preheaderPad": func() htmltemplate.HTML {
			return htmltemplate.HTML(strings.Repeat("&#847;&zwnj;&nbsp;", 60))
		},
		"lines": func(s string) []string {
			var out []string
			for l := range strings.Lines(s) {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
			return out
		},
	}
}

// money formats minor units as the recipient's language writes them
// ("€12.50", "12,50 zł"); the currency defaults to the shop's.
func (st *renderState) money(amount any, currency ...string) (string, error) {
	n, err := toInt64(amount)
	if err != nil {
		return "", fmt.Errorf("money: %w", err)
	}
	cur := st.currency
	if len(currency) > 0 && currency[0] != "" {
		cur = currency[0]
	}
	return commerce.FormatMoneyIn(n, cur, string(st.lang)), nil
}

// date formats a time in the recipient's timezone. A zero or missing time
// renders as nothing, so that optional dates need no {{if}}.
func (st *renderState) date(layout string, v any) (string, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "", nil
		}
		t = *x
	case string:
		if x == "" {
			return "", nil
		}
		var err error
		if t, err = time.Parse(time.RFC3339, x); err != nil {
			if t, err = time.Parse(time.DateOnly, x); err != nil {
				return "", fmt.Errorf("date: %q is neither RFC 3339 nor YYYY-MM-DD", x)
			}
		}
	default:
		ms, err := toInt64(v) // Cartwheel stores times as Unix milliseconds
		if err != nil {
			return "", fmt.Errorf("date: %w", err)
		}
		t = time.UnixMilli(ms)
	}
	if t.IsZero() {
		return "", nil
	}
	return t.In(st.loc).Format(layout), nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case float64: // numbers in Vars decoded from JSON
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("%v is not an amount", x)
		}
		return int64(math.Round(x)), nil
	case json.Number:
		return x.Int64()
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("%T is not a number", v)
}

// title upper-cases the first letter of each word and leaves the rest, so
// that "mcDonald" and "iPhone" survive.
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start && unicode.IsLetter(r) {
			r = unicode.ToUpper(r)
		}
		start = unicode.IsSpace(r) || r == '-'
		b.WriteRune(r)
	}
	return b.String()
}

// fallback implements "default": the value when it is set, else the fallback.
// The value comes last so that it can be piped in.
func fallback(def any, v ...any) any {
	if len(v) == 0 || empty(v[0]) {
		return def
	}
	return v[0]
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s) == ""
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return rv.IsZero()
}

func button(label, url string) Button { return Button{Label: label, URL: url} }

func lineTotal(it commerce.LineItem) int64 { return it.Quantity * it.PriceMinor }

// rows groups products n to a row for the grid.
func rows(n int, products []Product) [][]Product {
	if n < 1 {
		n = 1
	}
	var out [][]Product
	for i := 0; i < len(products); i += n {
		out = append(out, products[i:min(i+n, len(products))])
	}
	return out
}

// singleLine collapses all whitespace, newlines included, to single spaces:
// a header cannot hold a line break.
func singleLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
