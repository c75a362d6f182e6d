package reco

import (
	"slices"
	"time"
)

// StrategyScore is one strategy's offline result. The bestseller
// baseline is the Bestsellers row.
type StrategyScore struct {
	Strategy string
	// HitRate is Hits / Targets: the share of test targets found in the
	// strategy's top k.
	HitRate float64
	Hits    int
	Targets int
	// Coverage is the distinct products ever recommended over the
	// catalogue size.
	Coverage    float64
	Recommended int
	// Elapsed is the time spent in Recommend for this strategy.
	Elapsed time.Duration
}

// EvalOptions tunes EvaluateWith.
type EvalOptions struct {
	// Split: interactions before it train, the rest test.
	Split time.Time
	// K is the list length scored (10).
	K int
	// Targets are the interaction kinds predicted (purchases). Data sets
	// with few purchases can use carts or views instead.
	Targets []string
	// Strategies evaluated (all).
	Strategies []string
	// Fallback lets strategies fill their lists with the default chain;
	// off, each strategy is scored on what it finds alone.
	Fallback bool
	// Engine options.
	Engine Options
}

// Evaluate trains on interactions before split and scores each strategy
// on every test-period purchase at k: see EvaluateWith.
func Evaluate(interactions []Interaction, products []Product, split time.Time, k int) []StrategyScore {
	return EvaluateWith(interactions, products, EvalOptions{Split: split, K: k})
}

// EvaluateWith replays interactions in time order (the slice is not
// modified). Before split they only train. After it, each target event
// is first predicted — every strategy asked for its top K, for the
// person, with the person's previous product as the anchor — and then
// learned, so a prediction sees the training history plus the earlier
// test events and never the event itself.
func EvaluateWith(interactions []Interaction, products []Product, o EvalOptions) []StrategyScore {
	if o.K <= 0 {
		o.K = 10
	}
	if len(o.Targets) == 0 {
		o.Targets = []string{KindPurchase}
	}
	if len(o.Strategies) == 0 {
		o.Strategies = Strategies
	}
	e := New(o.Engine)
	catalogue := map[string]bool{}
	for _, p := range products {
		e.UpsertProduct(p)
		catalogue[p.ID] = true
	}
	order := make([]int32, len(interactions))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return interactions[a].At.Compare(interactions[b].At) })

	scores := make([]StrategyScore, len(o.Strategies))
	seen := make([]map[string]bool, len(o.Strategies))
	for s := range scores {
		scores[s].Strategy = o.Strategies[s]
		seen[s] = map[string]bool{}
	}
	last := map[string]string{} // person → previous product, the anchor
	anchor := make([]string, 1)
	for _, i := range order {
		in := interactions[i]
		catalogue[in.ProductID] = true
		if !in.At.Before(o.Split) && slices.Contains(o.Targets, in.Kind) {
			var anchors []string
			if a := last[in.Person]; a != "" {
				anchor[0] = a
				anchors = anchor
			}
			for s := range scores {
				t := time.Now()
				rs := e.Recommend(Request{Strategy: o.Strategies[s], Person: in.Person, Anchors: anchors, N: o.K, NoFallback: !o.Fallback})
				scores[s].Elapsed += time.Since(t)
				scores[s].Targets++
				for _, r := range rs {
					seen[s][r.ProductID] = true
					if r.ProductID == in.ProductID {
						scores[s].Hits++
					}
				}
			}
		}
		e.Observe(in)
		if in.Person != "" {
			last[in.Person] = in.ProductID
		}
	}
	for s := range scores {
		sc := &scores[s]
		sc.Recommended = len(seen[s])
		if sc.Targets > 0 {
			sc.HitRate = float64(sc.Hits) / float64(sc.Targets)
		}
		if len(catalogue) > 0 {
			sc.Coverage = float64(sc.Recommended) / float64(len(catalogue))
		}
	}
	return scores
}

// TimeSpan returns the first and last interaction times.
func TimeSpan(interactions []Interaction) (first, last time.Time) {
	for i, in := range interactions {
		if i == 0 || in.At.Before(first) {
			first = in.At
		}
		if i == 0 || in.At.After(last) {
			last = in.At
		}
	}
	return first, last
}

// SplitAt returns the time at fraction f of the timeline.
func SplitAt(interactions []Interaction, f float64) time.Time {
	first, last := TimeSpan(interactions)
	return first.Add(time.Duration(f * float64(last.Sub(first))))
}
