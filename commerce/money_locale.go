package commerce

import (
	"cmp"
	"math"
	"strconv"
	"strings"
)

// moneyStyle is how one language writes amounts: its decimal and group
// separators, the least number of integer digits that are grouped (Polish
// writes 1234,56 but 12 345,67), and whether the symbol goes first.
type moneyStyle struct {
	decimal, group string
	minGroup       int
	symbolFirst    bool
}

// moneyStyles are the languages messages are written in; anything else is
// written as English. Groups use a no-break space where a language groups
// with a space, so an amount never breaks across lines.
var moneyStyles = map[string]moneyStyle{
	"en": {decimal: ".", group: ",", minGroup: 4, symbolFirst: true},
	"pl": {decimal: ",", group: "\u00a0", minGroup: 5},
}

// moneySymbols are the symbols a language uses for a currency; a currency
// without one is written with its ISO code. English puts a symbol before
// the amount and a code after a space before it ("PLN 12.50"); Polish puts
// either after the amount ("12,50 zł", "12,50 USD").
var moneySymbols = map[string]map[string]string{
	"en": {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"},
	"pl": {"PLN": "zł", "EUR": "€", "GBP": "£"},
}

// MoneyLang is the language FormatMoneyIn writes for a BCP 47 locale
// ("pl-PL" → "pl"): one it knows, else "en".
func MoneyLang(locale string) string {
	lang := strings.ToLower(locale)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if _, ok := moneyStyles[lang]; ok {
		return lang
	}
	return "en"
}

// FormatMoneyIn renders minor units of currency for people who read
// locale: "€63.80" and "PLN 129.99" in English, "129,99 zł" and "63,80 €"
// in Polish. Unknown locales are written as English.
func FormatMoneyIn(minor int64, currency, locale string) string {
	lang := MoneyLang(locale)
	st := moneyStyles[lang]
	cur := strings.ToUpper(strings.TrimSpace(currency))
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor) // two's complement: right for math.MinInt64 too
	}
	var whole, frac string
	if digits := MinorDigits(cur); digits == 0 {
		whole = strconv.FormatUint(u, 10)
	} else {
		scale := uint64(math.Pow10(digits))
		whole, frac = strconv.FormatUint(u/scale, 10), strconv.FormatUint(scale+u%scale, 10)[1:]
	}
	if len(whole) >= st.minGroup {
		var b strings.Builder
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteString(st.group)
			}
			b.WriteRune(r)
		}
		whole = b.String()
	}
	num := whole
	if frac != "" {
		num += st.decimal + frac
	}
	sign := ""
	if neg {
		sign = "-"
	}
	sym, ok := moneySymbols[lang][cur]
	switch {
	case cur == "":
		return sign + num
	case !st.symbolFirst:
		return sign + num + " " + cmp.Or(sym, cur)
	case ok:
		return sign + sym + num
	}
	return sign + cur + " " + num
}
