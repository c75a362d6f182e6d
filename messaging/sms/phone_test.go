package sms

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeE164(t *testing.T) {
	for _, tc := range []struct{ raw, country, want string }{
		{"+48 600 100 200", "US", "+48600100200"},
		{"0048600100200", "US", "+48600100200"},
		{"600-100-200", "PL", "+48600100200"},
		{"0600100200", "PL", "+48600100200"},
		{"(415) 555-2671", "US", "+14155552671"},
		{"1 415 555 2671", "US", "+14155552671"},
		{"020 7946 0018", "GB", "+442079460018"},
		{"06 1234 5678", "IT", "+390612345678"},
		{"+1 415 555 2671", "", "+14155552671"},
	} {
		got, err := NormalizeE164(tc.raw, tc.country)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeE164(%q, %s) = %q, %v; want %q", tc.raw, tc.country, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ raw, country string }{
		{"", "PL"}, {"12", "PL"}, {"600100200", ""}, {"600100200", "XX"}, {"call me", "PL"}, {"+1234567890123456", "PL"}, {"+0600100200", "PL"},
	} {
		if got, err := NormalizeE164(tc.raw, tc.country); !errors.Is(err, ErrBadNumber) {
			t.Errorf("NormalizeE164(%q, %q) = %q, %v; want ErrBadNumber", tc.raw, tc.country, got, err)
		}
	}
}

func TestSenderRules(t *testing.T) {
	for _, tc := range []struct{ to, id, num, want string }{
		{"+48600100200", "Sklep", "+48500000000", "Sklep"},        // PL: registered name
		{"+14155552671", "Sklep", "+12025550100", "+12025550100"}, // US: a number is required
		{"+14155552671", "", "+12025550100", "+12025550100"},
		{"+48600100200", "", "+48500000000", "+48500000000"},
		{"+8613800138000", "Shop", "+12025550100", "+12025550100"}, // unknown country: a number
		{"+8613800138000", "Shop", "", "Shop"},
	} {
		got, err := ChooseSender(tc.to, tc.id, tc.num)
		if err != nil || got != tc.want {
			t.Errorf("ChooseSender(%s, %q, %q) = %q, %v; want %q", tc.to, tc.id, tc.num, got, err, tc.want)
		}
	}
	if _, err := ChooseSender("+14155552671", "Sklep", ""); !errors.Is(err, ErrNoSender) {
		t.Fatalf("US without a number: %v, want ErrNoSender", err)
	}
	if CountryOf("+14155552671") != "US" || CountryOf("+420601123456") != "CZ" || CountryOf("+48600100200") != "PL" {
		t.Fatal("CountryOf")
	}
	for id, ok := range map[string]bool{"Sklep": true, "Shop 24": true, "12345": false, "TooLongName1": false, "Zółw": false, "": false} {
		if ValidSenderID(id) != ok {
			t.Errorf("ValidSenderID(%q) != %v", id, ok)
		}
	}
}

// FuzzNormalizeE164 checks that whatever is typed, a number comes out in
// E.164 (and normalises to itself) or is refused.
func FuzzNormalizeE164(f *testing.F) {
	for _, s := range []string{"+48 600 100 200", "0600100200", "(415) 555-2671", "", "++1", "00", "0", "+", "06 1234 5678"} {
		f.Add(s, "PL")
		f.Add(s, "IT")
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		got, err := NormalizeE164(raw, country)
		if err != nil {
			if !errors.Is(err, ErrBadNumber) {
				t.Fatalf("error %v is not ErrBadNumber", err)
			}
			return
		}
		if got[0] != '+' || len(got) < 9 || len(got) > 16 || got[1] == '0' {
			t.Fatalf("%q → %q is not E.164", raw, got)
		}
		if again, err := NormalizeE164(got, ""); err != nil || again != got {
			t.Fatalf("%q does not normalise to itself: %q %v", got, again, err)
		}
		for _, form := range nationalForms(got) {
			if form == "" {
				t.Fatalf("empty national form of %q", got)
			}
		}
	})
}

// FuzzKeyword checks that only whole keywords act.
func FuzzKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "stop!", "Rezygnuję", "nie wiem", "START", "stop it now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Keyword(s)
		if k != KeywordNone && len(strings.Fields(s)) > 2 {
			t.Fatalf("%q of %d words read as keyword %s", s, len(strings.Fields(s)), k)
		}
	})
}
