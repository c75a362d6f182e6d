package commerce

import (
	"math"
	"testing"
)

func TestParseMinor(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
		bad     bool
	}{
		{"199.00", "USD", 19900, false},
		{"0.1", "EUR", 10, false},
		{"5", "EUR", 500, false},
		{"-3.50", "EUR", -350, false},
		{"10.000", "EUR", 1000, false}, // trailing zeros beyond the precision are exact
		{"10.005", "EUR", 0, true},     // rounding money silently is refused
		{"1500", "JPY", 1500, false},
		{"1500.5", "JPY", 0, true},
		{"1.234", "KWD", 1234, false},
		{".5", "USD", 50, false},
		{"", "USD", 0, true},
		{"1e3", "USD", 0, true},
		{"12,50", "EUR", 0, true},
		{"92233720368547758.08", "USD", 0, true}, // overflows int64
		{"92233720368547758.07", "USD", 9223372036854775807, false},
	} {
		got, err := ParseMinor(c.in, c.cur)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseMinor(%q, %s) = %d, %v; want %d (error %v)", c.in, c.cur, got, err, c.want, c.bad)
		}
	}
}

func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"199.00", "-0.5", "1e3", "99999999999999999999", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMinor(s, "USD")
		if err == nil && FormatMoney(v, "USD") == "" {
			t.Fatal("parsed amount cannot be formatted")
		}
	})
}

func TestFormatDecimal(t *testing.T) {
	for _, c := range []struct {
		minor  int64
		digits int
		want   string
	}{
		{1250, 2, "12.50"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {500, 0, "500"}, {1234, 3, "1.234"},
		{0, 2, "0.00"}, {-9223372036854775808, 2, "-92233720368547758.08"},
		{1050, 2, "10.50"}, {100000, 2, "1000.00"}, {1500, 0, "1500"}, {1001, 3, "1.001"}, {-250, 2, "-2.50"},
		{9223372036854775807, 2, "92233720368547758.07"},
	} {
		if got := FormatDecimal(c.minor, c.digits); got != c.want {
			t.Errorf("FormatDecimal(%d, %d) = %s, want %s", c.minor, c.digits, got, c.want)
		}
		if c.minor == math.MinInt64 {
			continue // beyond what ParseMinor accepts, by one
		}
		if back, err := ParseMinor(FormatDecimal(c.minor, c.digits), map[int]string{0: "JPY", 2: "EUR", 3: "KWD"}[c.digits]); err != nil || back != c.minor {
			t.Errorf("round trip of %d: %d %v", c.minor, back, err)
		}
	}
}
