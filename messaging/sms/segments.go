package sms

import "unicode/utf16"

// Encodings a text is sent in.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// Segment sizes. A single message carries 140 bytes: 160 septets or 70
// UCS-2 units. A concatenated one spends 6 bytes of each part on the UDH
// that numbers the parts, leaving 153 septets or 67 units per part.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// gsmBasic is the GSM 03.38 default alphabet, one septet each. The escape
// (0x1B) is not in it: it only introduces the extension table.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the extension table: each character is sent as the
// escape plus one septet, so it counts two.
const gsmExtension = "^{}\\[~]|€\f"

// gsmWidth is the septets per character of the GSM-7 alphabet.
var gsmWidth = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Count is how a text goes out: its encoding, its length in characters
// (code points) and in the encoding's units (septets or UCS-2 code
// units), and how many segments the network bills.
type Count struct {
	Encoding   string `json:"encoding"`
	Characters int    `json:"characters"`
	Units      int    `json:"units"`
	Segments   int    `json:"segments"`
	// PerSegment is the units one segment holds at this length: 160 or 70
	// for a single message, 153 or 67 once it is split.
	PerSegment int `json:"per_segment"`
	// Remaining is how many units fit before another segment starts.
	Remaining int `json:"remaining"`
}

// CountText counts a text as a phone would send it: GSM-7 when every
// character is in the GSM alphabet (extension characters counting two
// septets), UCS-2 otherwise (a character beyond the BMP, an emoji, counting
// two units). A split never cuts an escape sequence or a surrogate pair:
// the unit that does not fit starts the next part, as handsets and
// providers do.
func CountText(text string) Count {
	c := Count{Encoding: GSM7}
	widths := make([]int, 0, len(text))
	for _, r := range text {
		c.Characters++
		w, ok := gsmWidth[r]
		if !ok {
			c.Encoding = UCS2
			break
		}
		widths = append(widths, w)
	}
	single, part := gsmSingle, gsmPart
	if c.Encoding == UCS2 {
		single, part = ucs2Single, ucs2Part
		widths, c.Characters = widths[:0], 0
		for _, r := range text {
			c.Characters++
			widths = append(widths, utf16.RuneLen(r))
		}
	}
	for i, w := range widths {
		if w < 0 {
			// An invalid code point (a lone surrogate in the input) is
			// sent as U+FFFD, one unit.
			widths[i] = 1
		}
		c.Units += widths[i]
	}
	switch {
	case c.Units == 0:
		c.PerSegment, c.Remaining = single, single
	case c.Units <= single:
		c.Segments, c.PerSegment, c.Remaining = 1, single, single-c.Units
	default:
		c.PerSegment = part
		used := 0
		c.Segments = 1
		for _, w := range widths {
			if used+w > part {
				c.Segments++
				used = 0
			}
			used += w
		}
		c.Remaining = part - used
	}
	return c
}
