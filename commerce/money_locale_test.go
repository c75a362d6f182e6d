package commerce

import (
	"math"
	"testing"
)

func TestFormatMoneyIn(t *testing.T) {
	for _, c := range []struct {
		minor         int64
		currency, loc string
		want          string
	}{
		{12999, "PLN", "pl", "129,99 zł"},
		{12999, "pln", "pl-PL", "129,99 zł"},
		{6380, "EUR", "en", "€63.80"},
		{6380, "EUR", "pl", "63,80 €"},
		{6380, "USD", "pl", "63,80 USD"},
		{6380, "USD", "en-US", "$63.80"},
		{12999, "PLN", "en", "PLN 129.99"},
		{5, "GBP", "en-GB", "£0.05"},
		{123456, "EUR", "en", "€1,234.56"},
		{123456, "PLN", "pl", "1234,56 zł"},
		{1234567, "PLN", "pl", "12\u00a0345,67 zł"},
		{123456789, "USD", "en", "$1,234,567.89"},
		{-4550, "EUR", "pl", "-45,50 €"},
		{-4550, "USD", "en", "-$45.50"},
		{1500, "JPY", "en", "¥1,500"},
		{1500, "JPY", "pl", "1500 JPY"},
		{6380, "EUR", "fr-FR", "€63.80"}, // no catalogue: English
		{6380, "EUR", "", "€63.80"},
		{6380, "", "pl", "63,80"},
		{0, "PLN", "pl", "0,00 zł"},
		{12345, "KWD", "en", "KWD 12.345"},
		{math.MinInt64, "USD", "en", "-$92,233,720,368,547,758.08"},
	} {
		if got := FormatMoneyIn(c.minor, c.currency, c.loc); got != c.want {
			t.Errorf("FormatMoneyIn(%d, %q, %q) = %q, want %q", c.minor, c.currency, c.loc, got, c.want)
		}
	}
}
