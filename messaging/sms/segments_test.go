package sms

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCountText(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		enc      string
		chars    int
		units    int
		segments int
	}{
		{"empty", "", GSM7, 0, 0, 0},
		{"plain", "Hello", GSM7, 5, 5, 1},
		{"160 GSM is one", strings.Repeat("a", 160), GSM7, 160, 160, 1},
		{"161 GSM is two", strings.Repeat("a", 161), GSM7, 161, 161, 2},
		{"306 GSM is two", strings.Repeat("a", 306), GSM7, 306, 306, 2},
		{"307 GSM is three", strings.Repeat("a", 307), GSM7, 307, 307, 3},
		{"euro counts two", "€", GSM7, 1, 2, 1},
		{"80 euros fill one", strings.Repeat("€", 80), GSM7, 80, 160, 1},
		{"81 euros need two", strings.Repeat("€", 81), GSM7, 81, 162, 2},
		// 152 septets then an escape pair: the pair may not be cut, so it
		// opens the second part.
		{"escape not split", strings.Repeat("a", 152) + "{" + strings.Repeat("a", 7), GSM7, 160, 161, 2},
		{"GSM accents", "èéùìòÇÅåÄÖÑÜäöñüà", GSM7, 17, 17, 1},
		{"Polish forces UCS-2", "Zażółć gęślą jaźń", UCS2, 17, 17, 1},
		{"70 UCS-2 is one", strings.Repeat("ż", 70), UCS2, 70, 70, 1},
		{"71 UCS-2 is two", strings.Repeat("ż", 71), UCS2, 71, 71, 2},
		{"134 UCS-2 is two", strings.Repeat("ą", 134), UCS2, 134, 134, 2},
		{"135 UCS-2 is three", strings.Repeat("ą", 135), UCS2, 135, 135, 3},
		{"emoji is two units", "Hi 😀", UCS2, 4, 5, 1},
		{"35 emoji fill one", strings.Repeat("😀", 35), UCS2, 35, 70, 1},
		{"36 emoji need two", strings.Repeat("😀", 36), UCS2, 36, 72, 2},
		// 66 units and a surrogate pair: the pair opens part two.
		{"pair not split", strings.Repeat("ą", 66) + "😀" + strings.Repeat("ą", 3), UCS2, 70, 71, 2},
		{"one Polish letter in a long text", strings.Repeat("a", 100) + "ł", UCS2, 101, 101, 2},
		{"ó is not GSM", "ó", UCS2, 1, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CountText(tc.text)
			if c.Encoding != tc.enc || c.Characters != tc.chars || c.Units != tc.units || c.Segments != tc.segments {
				t.Fatalf("CountText = %+v, want %s chars %d units %d segments %d", c, tc.enc, tc.chars, tc.units, tc.segments)
			}
		})
	}
}

func TestPolishSegments(t *testing.T) {
	// A real Polish message: 91 characters with diacritics is two UCS-2
	// segments; transliterated it is one GSM-7 segment.
	text := "Cześć Anno! Twój koszyk czeka: żółta sukienka. Kod RABAT10 daje 10% zniżki do północy."
	c := CountText(text)
	if c.Encoding != UCS2 || c.Segments != 2 {
		t.Fatalf("Polish text: %+v, want UCS-2 in 2 segments", c)
	}
	plain := Transliterate(text)
	if plain != "Czesc Anno! Twoj koszyk czeka: zolta sukienka. Kod RABAT10 daje 10% znizki do polnocy." {
		t.Fatalf("Transliterate = %q", plain)
	}
	if c := CountText(plain); c.Encoding != GSM7 || c.Segments != 1 || c.Characters != utf8.RuneCountInString(text) {
		t.Fatalf("transliterated: %+v, want GSM-7 in 1 segment of the same length", c)
	}
}

func TestRemaining(t *testing.T) {
	if c := CountText(strings.Repeat("a", 150)); c.Remaining != 10 || c.PerSegment != 160 {
		t.Fatalf("150 GSM: %+v", c)
	}
	if c := CountText(strings.Repeat("a", 200)); c.Remaining != 153-47 || c.PerSegment != 153 {
		t.Fatalf("200 GSM: %+v", c)
	}
}

// FuzzCountText checks the counter's invariants on any input: segments
// hold every unit, no more parts than needed, and no panic.
func FuzzCountText(f *testing.F) {
	for _, s := range []string{"", "Hello", "Zażółć gęślą jaźń", "€{}[]", "😀👍🏽", strings.Repeat("a", 153) + "€", "\xff\xfe", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CountText(s)
		if c.Characters != utf8.RuneCountInString(s) {
			t.Fatalf("characters %d, want %d", c.Characters, utf8.RuneCountInString(s))
		}
		if c.Units < c.Characters || c.Units > 2*c.Characters {
			t.Fatalf("units %d for %d characters", c.Units, c.Characters)
		}
		single, part := gsmSingle, gsmPart
		if c.Encoding == UCS2 {
			single, part = ucs2Single, ucs2Part
		}
		switch {
		case c.Units == 0 && c.Segments != 0, c.Units > 0 && c.Segments < 1:
			t.Fatalf("%+v", c)
		case c.Units <= single && c.Units > 0 && c.Segments != 1:
			t.Fatalf("fits one segment: %+v", c)
		case c.Units > single && (c.Segments*part < c.Units || (c.Segments-1)*(part-1) > c.Units):
			t.Fatalf("segments do not fit the units: %+v", c)
		}
		if c.Remaining < 0 || c.Remaining > c.PerSegment {
			t.Fatalf("remaining %+v", c)
		}
		if c.Encoding == GSM7 {
			if t2 := Transliterate(s); CountText(t2).Encoding != GSM7 {
				t.Fatalf("transliterating GSM text made it UCS-2: %q", t2)
			}
		}
	})
}
