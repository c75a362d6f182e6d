package predict

import (
	"reflect"
	"testing"
)

// TestReplenishmentIntervals checks the interval on a table: coffee bought
// again every 30 days by most, once after 200 days by one customer (the
// median ignores that), same-day duplicates counted once; tea with too few
// gaps; a filter with enough gaps from a single household.
func TestReplenishmentIntervals(t *testing.T) {
	var ps []Purchase
	add := func(customer, product string, days ...int32) {
		for _, d := range days {
			ps = append(ps, Purchase{Customer: customer, Product: product, Day: d})
		}
	}
	add("ann", "coffee", 0, 30, 30, 60)                  // gaps 30, 30 (the 30 twice on a day counts once)
	add("bob", "coffee", 10, 38)                         // 28
	add("cy", "coffee", 5, 37, 237)                      // 32, 200
	add("dee", "coffee", 100)                            // no gap
	add("ann", "tea", 0, 20)                             // 20
	add("bob", "tea", 0, 25)                             // 25: two gaps only
	add("eve", "filter", 0, 90, 180, 270, 360, 450, 540) // six gaps, one customer
	got := ReplenishmentIntervals(ps, 0, 0)
	want := []Interval{{Product: "coffee", MedianDays: 30, Gaps: 5, Customers: 3}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("intervals = %+v, want %+v", got, want)
	}
	// Lower thresholds admit tea (median of 20 and 25) and the filter.
	got = ReplenishmentIntervals(ps, 2, 1)
	want = []Interval{
		{Product: "coffee", MedianDays: 30, Gaps: 5, Customers: 3},
		{Product: "filter", MedianDays: 90, Gaps: 6, Customers: 1},
		{Product: "tea", MedianDays: 22.5, Gaps: 2, Customers: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("intervals = %+v, want %+v", got, want)
	}
}
