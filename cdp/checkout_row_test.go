package cdp

import (
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// The checkout rules, one case each: newer wins, equal times apply,
// completion is never undone, and a completed checkout is never open.
func TestCheckoutRow(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ck := func(updated, completed time.Time) *commerce.Checkout {
		return &commerce.Checkout{Token: "t", UpdatedAt: updated, CompletedAt: completed}
	}
	var zero time.Time
	for _, c := range []struct {
		name      string
		in, prev  *commerce.Checkout
		ordered   time.Time
		write     bool
		open      bool
		completed time.Time
	}{
		{"first delivery, open", ck(at(0), zero), nil, zero, true, true, zero},
		{"newer open update", ck(at(5), zero), ck(at(0), zero), zero, true, true, zero},
		{"equal time applies", ck(at(5), zero), ck(at(5), zero), zero, true, true, zero},
		{"older update", ck(at(3), zero), ck(at(5), zero), zero, false, false, zero},
		{"older update that completes", ck(at(3), at(2)), ck(at(5), zero), zero, true, false, at(2)},
		{"completing update", ck(at(12), at(11)), ck(at(5), zero), zero, true, false, at(11)},
		{"order came first, no row yet", ck(at(5), zero), nil, at(11), true, false, at(11)},
		{"state from before the order", ck(at(9), zero), ck(at(5), at(11)), zero, false, false, zero},
		{"update after the order", ck(at(12), zero), ck(at(5), at(11)), zero, true, false, at(11)},
		{"final update after the order", ck(at(12), at(11)), ck(at(5), at(10)), zero, true, false, at(10)},
	} {
		row, open := checkoutRow(*c.in, c.prev, c.ordered)
		if (row != nil) != c.write || open != c.open || (row != nil && !row.CompletedAt.Equal(c.completed)) {
			t.Errorf("%s: row %+v open %v; want write %v open %v completed %v", c.name, row, open, c.write, c.open, c.completed)
		}
	}
}
