package sms

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// country is what the channel knows of one country: its calling code,
// whether its national numbers keep their leading 0 after the code
// (Italy), and whether operators deliver alphanumeric sender ids.
type country struct {
	code      string
	keepZero  bool
	alphaOK   bool
	keywordIn bool // a START reply is an opt-in under its rules (see StartAllowed)
}

// countries holds the countries a workspace may name as its default and
// whose sender rules are known. Alphanumeric senders: the US and Canada
// deliver only from numbers (10DLC, toll-free, short codes); Poland and
// the rest of the EU and the UK deliver registered alphanumeric names.
var countries = map[string]country{
	"PL": {code: "48", alphaOK: true},
	"US": {code: "1", keywordIn: true},
	"CA": {code: "1", keywordIn: true},
	"GB": {code: "44", alphaOK: true},
	"IE": {code: "353", alphaOK: true},
	"DE": {code: "49", alphaOK: true},
	"AT": {code: "43", alphaOK: true},
	"CH": {code: "41", alphaOK: true},
	"FR": {code: "33", alphaOK: true},
	"ES": {code: "34", alphaOK: true},
	"IT": {code: "39", alphaOK: true, keepZero: true},
	"NL": {code: "31", alphaOK: true},
	"BE": {code: "32", alphaOK: true},
	"CZ": {code: "420", alphaOK: true},
	"SK": {code: "421", alphaOK: true},
	"LT": {code: "370", alphaOK: true},
	"LV": {code: "371", alphaOK: true},
	"EE": {code: "372", alphaOK: true},
	"SE": {code: "46", alphaOK: true},
	"DK": {code: "45", alphaOK: true},
	"NO": {code: "47", alphaOK: true},
	"FI": {code: "358", alphaOK: true},
	"UA": {code: "380", alphaOK: true},
	"RO": {code: "40", alphaOK: true},
	"HU": {code: "36", alphaOK: true},
	"PT": {code: "351", alphaOK: true},
}

// KnownCountry reports whether iso (upper case, e.g. "PL") is a country
// the channel knows.
func KnownCountry(iso string) bool { _, ok := countries[iso]; return ok }

// ErrBadNumber is a phone number that cannot be written in E.164.
var ErrBadNumber = errors.New("not a phone number")

// NormalizeE164 writes a phone number as E.164 (+48600100200). A number
// with its country (+48…, 0048…) keeps it; a national one (600 100 200,
// 0600100200) gets defaultCountry's code, its trunk 0 dropped except in
// Italy. Spaces, dots, dashes and brackets are ignored.
func NormalizeE164(raw, defaultCountry string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", fmt.Errorf("%q: %w", raw, ErrBadNumber)
		}
	}
	s := b.String()
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "00"):
		s = s[2:]
	default:
		c, ok := countries[defaultCountry]
		if !ok {
			return "", fmt.Errorf("%q has no country code and the default country %q is unknown: %w", raw, defaultCountry, ErrBadNumber)
		}
		if c.code == "1" && len(s) == 11 && s[0] == '1' {
			s = s[1:] // NANP numbers written with their leading 1
		}
		if !c.keepZero {
			s = strings.TrimPrefix(s, "0")
		}
		s = c.code + s
	}
	if len(s) < 8 || len(s) > 15 || s[0] == '0' {
		return "", fmt.Errorf("%q: %w", raw, ErrBadNumber)
	}
	return "+" + s, nil
}

// CountryOf is the country an E.164 number belongs to, by its calling
// code ("" when not a known one). +1 numbers count as the US: Canada
// shares both the code and the sender rules.
func CountryOf(e164 string) string {
	digits := strings.TrimPrefix(e164, "+")
	best, bestLen := "", 0
	for iso, c := range countries {
		if strings.HasPrefix(digits, c.code) && len(c.code) > bestLen || len(c.code) == bestLen && iso == "US" && strings.HasPrefix(digits, c.code) {
			best, bestLen = iso, len(c.code)
		}
	}
	return best
}

// nationalForms are the ways a number may have been stored before it was
// normalised: E.164, without its +, and national with and without the
// trunk 0. Inbound replies name the sender in E.164; contacts' stored
// phones are whatever the shop or the tracker gave.
func nationalForms(e164 string) []string {
	out := []string{e164, strings.TrimPrefix(e164, "+")}
	if c, ok := countries[CountryOf(e164)]; ok {
		national := strings.TrimPrefix(e164, "+"+c.code)
		out = append(out, national, "0"+national)
	}
	return out
}

// alphaSender is what operators accept as an alphanumeric sender id: 1
// to 11 letters, digits and spaces, with at least one letter.
var alphaSender = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)

// ValidSenderID reports whether id can be an alphanumeric sender.
func ValidSenderID(id string) bool {
	return alphaSender.MatchString(id) && strings.ContainsFunc(id, func(r rune) bool {
		return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
	})
}

// ErrNoSender is a text that has no sender allowed in its country: the
// country needs a number and none is configured.
var ErrNoSender = errors.New("no sender allowed for this country: set a sending number")

// ChooseSender picks the From of a text to an E.164 number: the
// alphanumeric sender id where the country allows one (a name the
// recipient recognises, registered with the provider), else the sending
// number. Unknown countries get the number when there is one, since every
// network delivers from a number.
func ChooseSender(to, senderID, fromNumber string) (string, error) {
	c, known := countries[CountryOf(to)]
	if senderID != "" && known && c.alphaOK {
		return senderID, nil
	}
	if fromNumber != "" {
		return fromNumber, nil
	}
	if senderID != "" && !known {
		return senderID, nil
	}
	return "", ErrNoSender
}
