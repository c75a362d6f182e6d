package woocommerce

import (
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// amount converts a money field to minor units. An absent field ("" or
// null) is zero: WooCommerce omits totals that do not apply.
func amount(d decimal, field, currency string) (int64, error) {
	if d == "" {
		return 0, nil
	}
	v, err := commerce.ParseMinor(string(d), currency)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return v, nil
}

// roundedAmount is amount for values WooCommerce computes in PHP floats
// rather than stores, such as line_items[].price (line total / quantity,
// e.g. 3.3333333333333335): exact values convert exactly, longer decimals
// are rounded half away from zero on the decimal text, never through a
// float. Exponent forms are errors.
func roundedAmount(d decimal, field, currency string) (int64, error) {
	s := strings.TrimSpace(string(d))
	if s == "" {
		return 0, nil
	}
	if v, err := commerce.ParseMinor(s, currency); err == nil {
		return v, nil
	}
	digits := commerce.MinorDigits(currency)
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= digits || !allDigits(frac) {
		return 0, fmt.Errorf("%s: %q is not a decimal amount", field, s)
	}
	v, err := commerce.ParseMinor(whole+"."+frac[:digits], currency)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	if frac[digits] >= '5' {
		if v < 0 || strings.HasPrefix(whole, "-") {
			v--
		} else {
			v++
		}
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// divRound returns n/d rounded half away from zero; d must be positive.
func divRound(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}
