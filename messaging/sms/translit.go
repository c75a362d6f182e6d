package sms

import "strings"

// polish maps the Polish letters outside the GSM alphabet to their base
// letters. Ó is one of them: GSM has ò, not ó.
var polish = strings.NewReplacer(
	"ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z",
	"Ą", "A", "Ć", "C", "Ę", "E", "Ł", "L", "Ń", "N", "Ó", "O", "Ś", "S", "Ź", "Z", "Ż", "Z",
	// Typographic punctuation word processors put in, which would force
	// UCS-2 just as surely as a diacritic.
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201c", "\"", "\u201d", "\"", "\u201e", "\"",
	"\u2013", "-", "\u2014", "-", "\u2026", "...", "\u00a0", " ",
)

// Transliterate writes Polish diacritics (and typographic quotes and
// dashes) as the plain letters the GSM alphabet has, so that a Polish text
// goes out in GSM-7: 160 characters a segment instead of 70. It is the
// workspace's choice (Settings.Transliterate): "żółw" becomes "zolw".
func Transliterate(text string) string { return polish.Replace(text) }
