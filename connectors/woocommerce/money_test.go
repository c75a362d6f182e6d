package woocommerce

import "testing"

func TestRoundedAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		cur  string
		want int64
		ok   bool
	}{
		{"24.99", "USD", 2499, true},
		{"5", "USD", 500, true},
		{"3.3333333333333335", "USD", 333, true},
		{"2.7333333333333334", "EUR", 273, true},
		{"0.005", "USD", 1, true},
		{"-0.005", "USD", -1, true},
		{"1.994999", "USD", 199, true},
		{"1000.4", "JPY", 1000, true},
		{"1000.5", "JPY", 1001, true},
		{"1.0005", "KWD", 1001, true},
		{"", "USD", 0, true},
		{"1e-5", "USD", 0, false},
		{"1.2.3", "USD", 0, false},
		{"abc", "USD", 0, false},
	} {
		got, err := roundedAmount(decimal(c.in), "price", c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("roundedAmount(%q, %s) = %d, %v; want %d ok=%v", c.in, c.cur, got, err, c.want, c.ok)
		}
	}
}

func TestDivRound(t *testing.T) {
	for _, c := range [][3]int64{{820, 3, 273}, {1000, 3, 333}, {5, 2, 3}, {-5, 2, -3}, {7, 7, 1}} {
		if got := divRound(c[0], c[1]); got != c[2] {
			t.Errorf("divRound(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}
