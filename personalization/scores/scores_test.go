package scores

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/predict"
)

// Ten contacts with recency 1..10 days, 1..10 orders and 10..100 spent:
// each quintile holds two of them, best recency with best frequency.
func TestRFMQuintilesKnownAnswer(t *testing.T) {
	var in []RFMInput
	for i := 1; i <= 10; i++ {
		in = append(in, RFMInput{RecencyDays: float64(i), Orders: float64(i), Revenue: float64(10 * i)})
	}
	b := FitBreaks(in)
	want := []struct{ r, f, m int }{{5, 1, 1}, {5, 1, 1}, {4, 2, 2}, {4, 2, 2}, {3, 3, 3}, {3, 3, 3}, {2, 4, 4}, {2, 4, 4},
		{1, 5, 5}, {1, 5, 5}}
	for i, x := range in {
		r, f, m, _ := b.Score(x)
		if r != want[i].r || f != want[i].f || m != want[i].m {
			t.Errorf("contact %d: got R%d F%d M%d, want R%d F%d M%d", i+1, r, f, m, want[i].r, want[i].f, want[i].m)
		}
	}
	// Ties share a quintile: most customers ordered once.
	ties := []RFMInput{{Orders: 1}, {Orders: 1}, {Orders: 1}, {Orders: 1}, {Orders: 2}}
	bt := FitBreaks(ties)
	if _, f, _, _ := bt.Score(ties[0]); f != 1 {
		t.Errorf("one-time buyer F%d, want 1", f)
	}
	if _, f, _, _ := bt.Score(ties[4]); f != 5 {
		t.Errorf("two-time buyer F%d, want 5", f)
	}
}

func TestCells(t *testing.T) {
	for _, c := range []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 5, CellChampions}, {5, 4, 3, CellChampions}, {4, 5, 5, CellLoyal}, {3, 4, 4, CellLoyal},
		{5, 2, 2, CellPotentialLoyalists}, {4, 3, 2, CellPotentialLoyalists}, {5, 1, 1, CellNew},
		{4, 1, 1, CellPromising}, {3, 3, 3, CellNeedAttention}, {3, 1, 2, CellAboutToSleep},
		{2, 5, 5, CellCantLoseThem}, {1, 5, 4, CellCantLoseThem}, {2, 3, 3, CellAtRisk}, {1, 4, 3, CellAtRisk},
		{2, 2, 1, CellHibernating}, {1, 2, 2, CellHibernating}, {1, 1, 1, CellLost},
	} {
		if got := Cell(c.r, c.f, c.m); got != c.want {
			t.Errorf("Cell(%d,%d,%d) = %s, want %s", c.r, c.f, c.m, got, c.want)
		}
	}
	// Every combination lands in one of the eleven.
	seen := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				seen[Cell(r, f, m)] = true
			}
		}
	}
	if len(seen) != len(Cells) {
		t.Errorf("%d cells reached, want %d", len(seen), len(Cells))
	}
}

func TestEngagementIgnoresMachineOpens(t *testing.T) {
	h := 30 * 24 * time.Hour
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var a Activity
	a.Engage(EventWeight(evEmailOpen, true, false), at, h)
	if a.Engagement != 0 {
		t.Fatalf("machine open scored %v", a.Engagement)
	}
	a.Engage(EventWeight(evEmailOpen, false, false), at, h)
	a.Engage(EventWeight(evEmailClick, false, false), at, h)
	a.Engage(EventWeight(evPageView, false, true), at, h)
	a.Engage(EventWeight(evPageView, false, false), at, h) // same visit
	a.Engage(EventWeight(evOrderPlaced, false, false), at, h)
	want := WeightHumanOpen + WeightClick + WeightVisit + WeightOrder
	if a.Engagement != want {
		t.Fatalf("engagement %v, want %v", a.Engagement, want)
	}
}

func TestEngagementDecay(t *testing.T) {
	h := 30 * 24 * time.Hour
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var a Activity
	a.Engage(WeightOrder, t0, h)
	a.Engage(0, t0.Add(h), h)
	if math.Abs(a.Engagement-WeightOrder/2) > 1e-9 {
		t.Fatalf("after one half-life %v, want %v", a.Engagement, WeightOrder/2)
	}
	if d := Decayed(8, t0, t0.Add(3*h), h); math.Abs(d-1) > 1e-9 {
		t.Fatalf("three half-lives: %v, want 1", d)
	}
	// Arrival order does not matter.
	var x, y Activity
	x.Engage(1, t0, h)
	x.Engage(3, t0.Add(10*24*time.Hour), h)
	y.Engage(3, t0.Add(10*24*time.Hour), h)
	y.Engage(1, t0, h)
	if math.Abs(x.Engagement-y.Engagement) > 1e-9 {
		t.Fatalf("in order %v, out of order %v", x.Engagement, y.Engagement)
	}
}

func TestPreferencesWeightedByRecency(t *testing.T) {
	h := 60 * 24 * time.Hour
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var a Activity
	// Three old views of Tea outweigh one recent view of Coffee only
	// while they are recent: after two half-lives they count 3/4.
	for range 3 {
		a.Prefer("Tea", "Leafy", 1000, prefView, t0, h)
	}
	a.Prefer("Coffee", "Bean Co", 5000, prefView, t0.Add(2*h), h)
	a.Prefer("Coffee", "Bean Co", 5000, prefView, t0.Add(2*h), h)
	if got := Top(a.Cats, 3); len(got) != 2 || got[0] != "Coffee" {
		t.Fatalf("top categories %v, want Coffee first", got)
	}
	if got := Top(a.Brands, 1); got[0] != "Bean Co" {
		t.Fatalf("top brand %v", got)
	}
	if b := a.PriceBand([2]float64{2000, 3500}); b != BandPremium {
		t.Fatalf("price band %q, want premium", b)
	}
}

// A backtest on a simulated population with known parameters: the stored
// predictions (Compute, what Refit writes) must rank the customers who do
// order in the next 90 days above those who do not, and their summed
// expected orders must come close to what happened.
func TestComputeBacktestKnownAnswer(t *testing.T) {
	sim := predict.Simulation{Customers: 3000, BGNBD: predict.BGNBD{R: 0.8, Alpha: 40, A: 0.6, B: 2.5},
		Value: predict.GammaGamma{P: 6, Q: 4, Gamma: 15}, Start: 19000, Days: 365, Horizon: 90, Seed: 7}
	cs := predict.Simulate(sim)
	cut := sim.Start + int32(sim.Days)
	now := predict.DayTime(cut - 1) // the end of day cut-1: orders before cut count
	var hs []History
	future := map[string]int{}
	for _, c := range cs {
		var past []predict.Order
		days := map[int32]bool{}
		for _, o := range c.Orders {
			if o.Day < cut {
				past = append(past, o)
			} else if !days[o.Day] {
				days[o.Day] = true
				future[c.ID]++
			}
		}
		hs = append(hs, History{ContactID: c.ID, Orders: past})
	}
	p, scored, err := Compute(context.Background(), hs, now, Options{})
	if err != nil || p.Model == nil {
		t.Fatalf("compute: %v (model error %q)", err, p.ModelError)
	}
	var predicted, observed float64
	var score []float64
	var label []bool
	for _, s := range scored {
		if s.ExpectedOrders90 == nil || s.Confidence == nil || s.RFMCell == nil {
			t.Fatalf("contact %s with orders has no prediction", s.ContactID)
		}
		predicted += *s.ExpectedOrders90
		observed += float64(future[s.ContactID])
		score = append(score, *s.POrder90)
		label = append(label, future[s.ContactID] > 0)
	}
	if rel := math.Abs(predicted-observed) / observed; rel > 0.1 {
		t.Errorf("predicted %.0f orders in 90 days, observed %.0f (%.0f%% off)", predicted, observed, rel*100)
	}
	if auc := predict.AUC(score, label); auc < 0.75 {
		t.Errorf("AUC of P(order in 90 days) %.3f, want ≥ 0.75", auc)
	}
}

// A workspace with too little history gets RFM but no predictions at all.
func TestComputeTooLittleHistoryPredictsNothing(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := predict.DayOf(now)
	hs := []History{{"a", []predict.Order{{Day: d - 10, Value: 20}, {Day: d - 3, Value: 30}}}, {"b", []predict.Order{{Day: d - 50, Value: 10}}}}
	p, scored, err := Compute(context.Background(), hs, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Model != nil || p.ModelError == "" {
		t.Fatalf("a model from two customers: %+v", p)
	}
	for _, s := range scored {
		if s.RFMCell == nil {
			t.Errorf("%s has no RFM cell", s.ContactID)
		}
		if s.PAlive != nil || s.ExpectedOrders90 != nil || s.CLV != nil || s.NextOrderAt != nil || s.Confidence != nil {
			t.Errorf("%s got a made-up prediction: %+v", s.ContactID, s.OrderScores)
		}
	}
}
