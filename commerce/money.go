package commerce

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MinorDigits is the number of decimals of a currency's minor unit.
func MinorDigits(currency string) int {
	switch strings.ToUpper(currency) {
	case "JPY", "KRW", "HUF", "CLP", "ISK", "VND", "XAF", "XOF", "UGX", "PYG":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD":
		return 3
	}
	return 2
}

// ParseMinor converts a decimal amount as shops send it ("199.00", "5",
// "-3.5") into minor units of currency, exactly: it never goes through a
// float. Extra decimals beyond the currency's precision must be zeros
// ("10.000" is fine for EUR, "10.005" is an error), because rounding money
// silently is how totals stop adding up.
func ParseMinor(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("amount %q has no digits", s)
	}
	digits := MinorDigits(currency)
	for len(frac) > digits && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("amount %q has more decimals than %s allows", s, currency)
	}
	frac += strings.Repeat("0", digits-len(frac))
	var v int64
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("amount %q is not a decimal number", s)
			}
			if v > (math.MaxInt64-int64(c-'0'))/10 {
				return 0, fmt.Errorf("amount %q is too large", s)
			}
			v = v*10 + int64(c-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// FormatDecimal renders minor units as a plain decimal string with digits
// decimals ("12.50" for 1250 and 2, "500" for 500 and 0), by integer
// arithmetic so the amount is exact: the inverse of ParseMinor, for APIs
// that take amounts as decimal strings.
func FormatDecimal(minor int64, digits int) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u // two's complement: exact even for math.MinInt64
	}
	s := strconv.FormatUint(u, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
