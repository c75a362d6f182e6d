package reco

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// plantedPairs: 200 products paired (2i, 2i+1); every order holds one
// product and its partner, products drawn uniformly. Bought-together
// finds the partner from the first item; bestsellers cannot.
func plantedPairs(persons, ordersEach int) ([]Interaction, []Product) {
	rng := rand.New(rand.NewPCG(7, 11))
	var products []Product
	for i := range 200 {
		products = append(products, Product{ID: fmt.Sprint("p", i), Category: fmt.Sprint("c", i%10), InStock: true,
			CreatedAt: t0.Add(-time.Duration(i) * time.Hour)})
	}
	var ins []Interaction
	for o := range persons * ordersEach {
		person := fmt.Sprint("u", o%persons)
		x := rng.IntN(100) * 2
		first, second := x, x+1
		if rng.IntN(2) == 0 {
			first, second = second, first
		}
		when := t0.Add(time.Duration(o) * time.Minute)
		for _, p := range []int{first, second} {
			ins = append(ins, Interaction{Person: person, Session: fmt.Sprint("o", o), ProductID: fmt.Sprint("p", p), Kind: KindPurchase, At: when})
		}
	}
	return ins, products
}

func TestEvaluatePlanted(t *testing.T) {
	ins, products := plantedPairs(300, 10)
	split := SplitAt(ins, 0.8)
	scores := Evaluate(ins, products, split, 10)
	by := map[string]StrategyScore{}
	for _, s := range scores {
		by[s.Strategy] = s
		t.Logf("%-18s hit@10 %.3f coverage %.3f targets %d", s.Strategy, s.HitRate, s.Coverage, s.Targets)
	}
	bt, best := by[BoughtTogether], by[Bestsellers]
	if bt.Targets != 1200 || best.Targets != 1200 {
		t.Fatalf("targets %d %d, want 1200 (600 test orders × 2)", bt.Targets, best.Targets)
	}
	// Half the targets are second items of their order: found every time.
	if bt.HitRate < 0.45 || bt.HitRate < 3*best.HitRate {
		t.Fatalf("bought together %.3f vs bestsellers %.3f", bt.HitRate, best.HitRate)
	}
	if bt.Coverage < 0.9 || best.Coverage > 0.3 {
		t.Fatalf("coverage: bought together %.3f, bestsellers %.3f", bt.Coverage, best.Coverage)
	}
	if len(scores) != len(Strategies) {
		t.Fatalf("%d rows", len(scores))
	}
}

func TestEvaluateDoesNotPeek(t *testing.T) {
	// One purchase after the split of a product nobody touched before:
	// no strategy may find it, since the event is scored before learned.
	ins := []Interaction{
		{Person: "a", ProductID: "x", Kind: KindPurchase, At: t0},
		{Person: "a", ProductID: "y", Kind: KindPurchase, At: t0.Add(time.Hour)},
	}
	for _, s := range EvaluateWith(ins, nil, EvalOptions{Split: t0.Add(time.Minute), K: 5, Fallback: true}) {
		if s.Targets != 1 || s.Hits != 0 {
			t.Fatalf("%+v", s)
		}
	}
}
