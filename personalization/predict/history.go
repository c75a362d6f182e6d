package predict

import (
	"slices"
	"time"
)

// Order is one order of a customer: its UTC day and its value (any currency,
// the same for the whole workspace). Several orders on one day are one
// purchase occasion to the models.
type Order struct {
	Day   int32
	Value float64
}

// Customer is one contact's order history, in any order.
type Customer struct {
	ID     string
	Orders []Order
}

// DayOf is the UTC day number (days since 1970-01-01) of t.
func DayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return int32(d)
}

// DayTime is the start (UTC) of day d.
func DayTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Summary is what the models see of one customer at day Now: repeat order days
// X (order days after the first), the day of the last one relative to the
// first (Tx) and the age (T, Now minus the first order day), in days.
type Summary struct {
	ID     string
	X      int
	Tx, T  float64
	First  int32
	Last   int32
	Now    int32
	Orders int // distinct order days, the first included (X+1)
	// MeanRepeatValue is the mean value of the repeat order days (0 when X =
	// 0): Gamma–Gamma is fitted on repeat purchases, the first being often
	// atypical (a welcome discount, a trial size).
	MeanRepeatValue float64
	// MeanValue is the mean value of all order days (the naive baseline).
	MeanValue float64
	// LastGap is the number of days between the last two order days (0 when
	// there is only one).
	LastGap float64
}

// Summarize reduces orders placed before day now to a Summary; ok is false
// when there is none (no orders: no prediction).
func Summarize(orders []Order, now int32) (s Summary, ok bool) {
	days := make([]Order, 0, len(orders))
	for _, o := range orders {
		if o.Day < now {
			days = append(days, o)
		}
	}
	if len(days) == 0 {
		return Summary{}, false
	}
	slices.SortFunc(days, func(a, b Order) int { return int(a.Day) - int(b.Day) })
	// Merge orders of one day in place.
	n := 0
	for _, o := range days {
		if n > 0 && days[n-1].Day == o.Day {
			days[n-1].Value += o.Value
			continue
		}
		days[n] = o
		n++
	}
	days = days[:n]
	s = Summary{X: n - 1, First: days[0].Day, Last: days[n-1].Day, Now: now, Orders: n}
	s.Tx = float64(s.Last - s.First)
	s.T = float64(now - s.First)
	total := 0.0
	for i, o := range days {
		total += o.Value
		if i > 0 {
			s.MeanRepeatValue += o.Value
		}
	}
	s.MeanValue = total / float64(n)
	if n > 1 {
		s.MeanRepeatValue /= float64(n - 1)
		s.LastGap = float64(days[n-1].Day - days[n-2].Day)
	}
	return s, true
}
