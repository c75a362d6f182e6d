package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/personalization/predict"
)

// minLearnIntervals is how many repurchase intervals of a product, across
// all its customers, the learned cycle needs: fewer is an anecdote.
const minLearnIntervals = 3

// minInterval drops repurchases closer than a day: a split or corrected
// order is not a cycle.
const minInterval = 24 * time.Hour

// bought is one contact's purchases of one product.
type bought struct {
	times []time.Time // oldest first
	title string
}

// sweepReplenishment fires replenishment_due for each contact and product
// whose next purchase is due within DaysBefore days. A product's cycle is
// the interval predict learns from repeat purchases when there are enough
// of them (predict.ReplenishmentIntervals: at least 5 repeat purchases
// from at least 3 customers), else its own setting (products.replenish_days),
// else the median of as few as minLearnIntervals repeat purchases. A reminder fires from DaysBefore days before the
// due date until DaysBefore days after it (a sweep missed in that span
// still reminds); a purchase whose due date is further past fires nothing,
// so a shop enabling the flow does not remind for years-old orders.
func (s *Sweeper) sweepReplenishment(ctx context.Context, workspaceID string, now time.Time) error {
	set, err := s.st.ReplenishDays(ctx, workspaceID)
	if err != nil {
		return err
	}
	purchases, err := s.st.Purchases(ctx, workspaceID)
	if err != nil {
		return err
	}
	// by person (contact, or the order's email when no contact is known,
	// which still teaches the cycle) and product.
	byPerson := map[string]map[string]*bought{}
	for _, pu := range purchases {
		person := pu.ContactID
		if person == "" {
			if pu.Email == "" {
				continue
			}
			person = "email:" + pu.Email
		}
		var items []commerce.LineItem
		if json.Unmarshal(pu.Items, &items) != nil {
			continue
		}
		for _, it := range items {
			if it.ProductID == "" {
				continue
			}
			m := byPerson[person]
			if m == nil {
				m = map[string]*bought{}
				byPerson[person] = m
			}
			b := m[it.ProductID]
			if b == nil {
				b = &bought{}
				m[it.ProductID] = b
			}
			if it.Title != "" {
				b.title = it.Title
			}
			if n := len(b.times); n == 0 || !b.times[n-1].Equal(pu.PlacedAt) {
				b.times = append(b.times, pu.PlacedAt) // purchases come oldest first
			}
		}
	}
	learned := learnCycles(byPerson)
	predicted := predictedCycles(byPerson)
	daysBefore := s.DaysBefore
	if daysBefore <= 0 {
		daysBefore = 5
	}
	lead := time.Duration(daysBefore) * 24 * time.Hour
	for person, products := range byPerson {
		if strings.HasPrefix(person, "email:") {
			continue // no contact to remind
		}
		for id, b := range products {
			days := cycleDays(id, predicted, set, learned)
			if days <= 0 {
				continue
			}
			last := b.times[len(b.times)-1]
			due := last.Add(time.Duration(days) * 24 * time.Hour)
			if now.Before(due.Add(-lead)) || now.After(due.Add(lead)) {
				continue
			}
			key := fmt.Sprintf("replenish:%s:%d", id, last.UnixMilli())
			if err := s.fire(ctx, workspaceID, person, key, EventReplenishmentDue, now, map[string]any{
				"product_id": id, "title": b.title, "cycle_days": days, "last_bought_at": last, "due_at": due,
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// learnCycles is each product's median repurchase interval in whole days
// (rounded), for products with at least minLearnIntervals intervals.
func learnCycles(byPerson map[string]map[string]*bought) map[string]int {
	intervals := map[string][]time.Duration{}
	for _, products := range byPerson {
		for id, b := range products {
			for i := 1; i < len(b.times); i++ {
				if d := b.times[i].Sub(b.times[i-1]); d >= minInterval {
					intervals[id] = append(intervals[id], d)
				}
			}
		}
	}
	out := map[string]int{}
	for id, ds := range intervals {
		if len(ds) < minLearnIntervals {
			continue
		}
		slices.Sort(ds)
		med := ds[len(ds)/2]
		if len(ds)%2 == 0 {
			med = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
		}
		out[id] = int((med + 12*time.Hour) / (24 * time.Hour))
	}
	return out
}

// cycleDays is a product's replenishment cycle in days (0: none): the
// interval learned from enough repeat purchases, else the shop's declared
// cycle, else the one learned from a few.
func cycleDays(id string, predicted, declared, fewLearned map[string]int) int {
	if d := predicted[id]; d > 0 {
		return d
	}
	if d := declared[id]; d > 0 {
		return d
	}
	return fewLearned[id]
}

// predictedCycles are predict's learned intervals in whole days (rounded),
// for the products with enough repeat purchases (predict's defaults).
func predictedCycles(byPerson map[string]map[string]*bought) map[string]int {
	var ps []predict.Purchase
	for person, products := range byPerson {
		for id, b := range products {
			for _, at := range b.times {
				ps = append(ps, predict.Purchase{Customer: person, Product: id, Day: predict.DayOf(at)})
			}
		}
	}
	out := map[string]int{}
	for _, iv := range predict.ReplenishmentIntervals(ps, 0, 0) {
		if d := int(iv.MedianDays + 0.5); d >= 1 {
			out[iv.Product] = d
		}
	}
	return out
}
