package reco

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// StrategyScore is one strategy's offline result. The bestseller
// baseline is the Bestsellers row.
type StrategyScore struct {
	Strategy string
	// HitRate is Hits / Targets: the share of test targets found in the
	// strategy's top k (in basket mode, the share of the baskets'
	// distinct products: recall@k).
	HitRate float64
	Hits    int
	Targets int
	// NDCG is the normalised discounted cumulative gain at k, averaged
	// over targets (over baskets in basket mode).
	NDCG float64
	// Baskets and BasketHitRate (basket mode): the test baskets, and the
	// share of them with at least one product in the top k.
	Baskets       int
	BasketHitRate float64
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
	// Strategies evaluated (all, unless only Blends are given).
	Strategies []string
	// Blends are extra rows: the blended strategy with these weights, for
	// tuning; each is named "blended" and its weights.
	Blends []Blend
	// Basket predicts each test basket (a person's target events sharing
	// a session: an order) once, before its first event, and scores its
	// distinct products; otherwise every target event is predicted from
	// the one before it, which within an order is the previous line.
	// Basket predictions name no anchor (the engine's strategies may
	// stand the person's latest item in): they model what an email or a
	// home page shows before the next order, with no product on screen.
	Basket bool
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

// basket is one person's test basket being scored.
type basket struct {
	session string
	lists   [][]string // per row, the top k asked before the basket
	seen    map[string]bool
	dcg     []float64
	hit     []bool
}

// EvaluateWith replays interactions in time order (the slice is not
// modified). Before split they only train. After it, each target event
// is first predicted — every strategy asked for its top K, for the
// person, with the person's previous product as the anchor — and then
// learned, so a prediction sees the training history plus the earlier
// test events and never the event itself. In basket mode the prediction
// is made once per basket, before its first event, so it sees nothing of
// the basket.
func EvaluateWith(interactions []Interaction, products []Product, o EvalOptions) []StrategyScore {
	if o.K <= 0 {
		o.K = 10
	}
	if len(o.Targets) == 0 {
		o.Targets = []string{KindPurchase}
	}
	if len(o.Strategies) == 0 && len(o.Blends) == 0 {
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

	rows := len(o.Strategies) + len(o.Blends)
	reqs := make([]Request, rows)
	scores := make([]StrategyScore, rows)
	seen := make([]map[string]bool, rows)
	for s := range scores {
		if s < len(o.Strategies) {
			reqs[s].Strategy = o.Strategies[s]
		} else {
			b := o.Blends[s-len(o.Strategies)]
			reqs[s].Strategy, reqs[s].Blend = Blended, &b
		}
		scores[s].Strategy = reqs[s].Strategy
		if reqs[s].Blend != nil {
			b := reqs[s].Blend
			scores[s].Strategy = fmt.Sprintf("blended a=%g h=%g r=%g^%g/%s p=%g", b.Anchor, b.History, b.Repeat,
				b.RepeatFreq, b.RepeatHalfLife, b.Popular)
		}
		seen[s] = map[string]bool{}
	}
	ideal := make([]float64, o.K+1) // ideal[n]: the DCG of n hits at the top
	for r := range o.K {
		ideal[r+1] = ideal[r] + 1/math.Log2(float64(r+2))
	}
	baskets := map[string]*basket{}
	finish := func(b *basket) {
		n := min(len(b.seen), o.K)
		for s := range scores {
			scores[s].Baskets++
			if b.hit[s] {
				scores[s].BasketHitRate++
			}
			if n > 0 {
				scores[s].NDCG += b.dcg[s] / ideal[n]
			}
		}
	}
	last := map[string]string{} // person → previous product, the anchor
	anchor := make([]string, 1)
	ask := func(person string, s int) []string {
		r := reqs[s]
		r.Person, r.N, r.NoFallback = person, o.K, !o.Fallback
		if a := last[person]; a != "" && !o.Basket {
			anchor[0] = a
			r.Anchors = anchor
		}
		t := time.Now()
		rs := e.Recommend(r)
		scores[s].Elapsed += time.Since(t)
		ids := make([]string, len(rs))
		for k, x := range rs {
			ids[k] = x.ProductID
			seen[s][x.ProductID] = true
		}
		return ids
	}
	for _, i := range order {
		in := interactions[i]
		catalogue[in.ProductID] = true
		if !in.At.Before(o.Split) && slices.Contains(o.Targets, in.Kind) {
			if !o.Basket {
				for s := range scores {
					scores[s].Targets++
					if r := slices.Index(ask(in.Person, s), in.ProductID); r >= 0 {
						scores[s].Hits++
						scores[s].NDCG += 1 / math.Log2(float64(r+2))
					}
				}
			} else {
				b := baskets[in.Person]
				if b == nil || b.session != in.Session || in.Session == "" {
					if b != nil {
						finish(b)
					}
					b = &basket{session: in.Session, lists: make([][]string, rows), seen: map[string]bool{},
						dcg: make([]float64, rows), hit: make([]bool, rows)}
					for s := range scores {
						b.lists[s] = ask(in.Person, s)
					}
					baskets[in.Person] = b
				}
				if !b.seen[in.ProductID] {
					b.seen[in.ProductID] = true
					for s := range scores {
						scores[s].Targets++
						if r := slices.Index(b.lists[s], in.ProductID); r >= 0 {
							scores[s].Hits++
							b.hit[s] = true
							b.dcg[s] += 1 / math.Log2(float64(r+2))
						}
					}
				}
			}
		}
		e.Observe(in)
		if in.Person != "" {
			last[in.Person] = in.ProductID
		}
	}
	for _, b := range baskets {
		finish(b)
	}
	for s := range scores {
		sc := &scores[s]
		sc.Recommended = len(seen[s])
		if sc.Targets > 0 {
			sc.HitRate = float64(sc.Hits) / float64(sc.Targets)
		}
		if sc.Baskets > 0 {
			sc.BasketHitRate /= float64(sc.Baskets)
			sc.NDCG /= float64(sc.Baskets)
		} else if sc.Targets > 0 {
			sc.NDCG /= float64(sc.Targets)
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
