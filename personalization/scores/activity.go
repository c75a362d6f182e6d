package scores

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Options tune scoring. Zero values take the defaults noted.
type Options struct {
	// HalfLife is the engagement score's half-life (default 30 days): an
	// action a month old counts half of one today.
	HalfLife time.Duration
	// PrefHalfLife is the product preferences' half-life (default 60
	// days): tastes change slower than activity does.
	PrefHalfLife time.Duration
	// RefitEvery is how often each workspace is refitted (default 24 h).
	RefitEvery time.Duration
	// MinCustomers and MinRepeaters are the prediction models' thresholds
	// (predict.Options; defaults 100 and 20).
	MinCustomers, MinRepeaters int
}

func (o Options) withDefaults() Options {
	if o.HalfLife <= 0 {
		o.HalfLife = 30 * 24 * time.Hour
	}
	if o.PrefHalfLife <= 0 {
		o.PrefHalfLife = 60 * 24 * time.Hour
	}
	if o.RefitEvery <= 0 {
		o.RefitEvery = 24 * time.Hour
	}
	return o
}

// Engagement weights: what one action is worth before decay. A click or an
// order says more than a visit; a human open (messaging logs only those as
// email_opened) a little; a machine open (Apple Mail Privacy Protection, a
// scanner) nothing at all.
const (
	WeightVisit     = 1.0
	WeightClick     = 3.0
	WeightHumanOpen = 0.5
	WeightOrder     = 5.0
)

// Event kinds the activity score reads (the event log's type names).
const (
	evPageView    = "page_view"
	evProductView = "product_view"
	evAddToCart   = "add_to_cart"
	evOrderPlaced = "order_placed"
	evEmailClick  = "email_clicked"
	evPushClick   = "push_clicked"
	evEmailOpen   = "email_opened"
)

// Preference weights per product seen: buying says most.
const (
	prefView  = 1.0
	prefCart  = 2.0
	prefOrder = 4.0
)

// maxKept bounds the categories and brands a contact's state keeps;
// topN is how many the stored top lists show.
const (
	maxKept = 20
	topN    = 3
)

// decay is the factor weight loses over d at half-life h.
func decay(d, h time.Duration) float64 {
	if d <= 0 {
		return 1
	}
	return math.Exp2(-float64(d) / float64(h))
}

// Decayed is a score at at, decayed to now.
func Decayed(score float64, at, now time.Time, halfLife time.Duration) float64 {
	return score * decay(now.Sub(at), halfLife)
}

// Activity is a contact's running engagement and preference state. Adding
// an action decays what is there to the action's time first; an action
// older than the state (events arrive out of order) is decayed to the
// state's time instead, so the result does not depend on arrival order.
type Activity struct {
	Engagement   float64            `json:"e"`
	EngagementAt int64              `json:"ea"` // ms
	Cats         map[string]float64 `json:"c,omitempty"`
	Brands       map[string]float64 `json:"b,omitempty"`
	PriceSum     float64            `json:"ps,omitempty"` // weighted sum of prices (minor units)
	PriceWeight  float64            `json:"pw,omitempty"`
	PrefAt       int64              `json:"pa,omitempty"` // ms
	// Session is the last visit's session id: a new one is a new visit.
	Session string `json:"s,omitempty"`
}

// Engage adds an action of weight w at t to the engagement score.
func (a *Activity) Engage(w float64, t time.Time, h time.Duration) {
	at := time.UnixMilli(a.EngagementAt)
	if a.EngagementAt == 0 || !t.Before(at) {
		a.Engagement = a.Engagement*decay(t.Sub(at), h) + w
		a.EngagementAt = t.UnixMilli()
		return
	}
	a.Engagement += w * decay(at.Sub(t), h)
}

// EventWeight is an event's engagement weight: 0 for what does not count
// (machine opens, anything but clicks, visits, human opens and orders).
// newVisit says whether the event began a visit.
func EventWeight(typ string, machineOpen, newVisit bool) float64 {
	switch typ {
	case evEmailClick, evPushClick:
		return WeightClick
	case evOrderPlaced:
		return WeightOrder
	case evEmailOpen:
		if machineOpen {
			return 0
		}
		return WeightHumanOpen
	}
	if newVisit {
		return WeightVisit
	}
	return 0
}

// Prefer adds a product seen (viewed, carted, bought) with weight w at t.
func (a *Activity) Prefer(category, brand string, priceMinor int64, w float64, t time.Time, h time.Duration) {
	at := time.UnixMilli(a.PrefAt)
	if a.PrefAt == 0 || !t.Before(at) {
		f := decay(t.Sub(at), h)
		for k := range a.Cats {
			a.Cats[k] *= f
		}
		for k := range a.Brands {
			a.Brands[k] *= f
		}
		a.PriceSum *= f
		a.PriceWeight *= f
		a.PrefAt = t.UnixMilli()
	} else {
		w *= decay(at.Sub(t), h)
	}
	if category != "" {
		a.Cats = bump(a.Cats, category, w)
	}
	if brand != "" {
		a.Brands = bump(a.Brands, brand, w)
	}
	if priceMinor > 0 {
		a.PriceSum += w * float64(priceMinor)
		a.PriceWeight += w
	}
}

func bump(m map[string]float64, k string, w float64) map[string]float64 {
	if m == nil {
		m = map[string]float64{}
	}
	m[k] += w
	if len(m) > maxKept {
		// Drop the weakest: it would take many actions to matter again.
		weakest, wv := "", math.Inf(1)
		for name, v := range m {
			if v < wv || (v == wv && name > weakest) {
				weakest, wv = name, v
			}
		}
		delete(m, weakest)
	}
	return m
}

// Top returns the n names of greatest weight, ties by name.
func Top(m map[string]float64, n int) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	if len(names) > n {
		names = names[:n]
	}
	return names
}

// Price bands, stored in contact_scores.price_band.
const (
	BandBudget  = "budget"
	BandMid     = "mid"
	BandPremium = "premium"
)

// PriceBand is the band of the contact's recency-weighted mean price among
// the catalogue's price tertiles t ("" when either is unknown).
func (a *Activity) PriceBand(t [2]float64) string {
	if a.PriceWeight <= 0 || t[1] <= 0 {
		return ""
	}
	p := a.PriceSum / a.PriceWeight
	switch {
	case p < t[0]:
		return BandBudget
	case p < t[1]:
		return BandMid
	default:
		return BandPremium
	}
}

// Tertiles are the boundaries at a third and two thirds of xs (sorted in
// place); zero when xs is empty.
func Tertiles(xs []float64) [2]float64 {
	if len(xs) == 0 {
		return [2]float64{}
	}
	slices.Sort(xs)
	n := len(xs)
	return [2]float64{xs[n/3], xs[2*n/3]}
}

func parseActivity(raw json.RawMessage) Activity {
	var a Activity
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &a) // a damaged state starts afresh
	}
	return a
}
