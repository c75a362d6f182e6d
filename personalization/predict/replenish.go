package predict

import (
	"cmp"
	"math"
	"slices"
)

// Purchase is one product bought by one customer on one UTC day.
type Purchase struct {
	Customer, Product string
	Day               int32
}

// Interval is a product's learned replenishment interval: the median number
// of days between two purchases of it by the same customer.
type Interval struct {
	Product    string
	MedianDays float64
	// Gaps is how many repeat purchases the median is taken over, Customers
	// how many customers they come from.
	Gaps, Customers int
}

// ReplenishmentIntervals learns each product's interval from repeat purchases
// of the same product by the same customer (purchases on one day count once).
// The median, not the mean, because one customer who comes back after a year
// must not move it. A product gets an interval only with at least minGaps
// gaps from at least minCustomers customers (defaults 5 and 3 when ≤ 0):
// fewer is one household's habit, not the product's. The result is sorted
// by product.
func ReplenishmentIntervals(ps []Purchase, minGaps, minCustomers int) []Interval {
	if minGaps <= 0 {
		minGaps = 5
	}
	if minCustomers <= 0 {
		minCustomers = 3
	}
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b Purchase) int {
		return cmp.Or(cmp.Compare(a.Product, b.Product), cmp.Compare(a.Customer, b.Customer), cmp.Compare(a.Day, b.Day))
	})
	var out []Interval
	var gaps []float64
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].Product == sorted[i].Product {
			j++
		}
		gaps = gaps[:0]
		customers := 0
		for k := i; k < j; {
			l := k
			counted := false
			for l+1 < j && sorted[l+1].Customer == sorted[k].Customer {
				if d := sorted[l+1].Day - sorted[l].Day; d > 0 {
					gaps = append(gaps, float64(d))
					counted = true
				}
				l++
			}
			if counted {
				customers++
			}
			k = l + 1
		}
		if len(gaps) >= minGaps && customers >= minCustomers {
			out = append(out, Interval{Product: sorted[i].Product, MedianDays: median(gaps), Gaps: len(gaps), Customers: customers})
		}
		i = j
	}
	return out
}

// median sorts xs in place and returns its median (NaN when empty).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
