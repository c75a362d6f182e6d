package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/reco"
)

// benchReco evaluates the recommendation strategies offline on a public
// interaction data set: train on the earlier part of the timeline, then
// predict each later target event from what its person did before it.
func benchReco(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench reco", flag.ContinueOnError)
	data := fs.String("data", "", "data set directory (RetailRocket, REES46 or a generic user,item,event,timestamp CSV)")
	split := fs.Float64("split", 0.8, "fraction of the timeline used for training")
	splitTime := fs.String("split-time", "", "train before this RFC 3339 time instead of --split")
	k := fs.Int("k", 10, "list length scored (hit-rate@k)")
	targets := fs.String("targets", reco.KindPurchase, "event kinds to predict: purchase, cart, view (comma-separated)")
	maxEvents := fs.Int("max-events", 0, "read at most this many interactions (0: all)")
	fallback := fs.Bool("fallback", false, "let strategies fill their lists with the default fallback chain")
	basket := fs.Bool("basket", false, "predict each test basket (order) once, before it, and score its distinct products")
	until := fs.String("until", "", "drop interactions at or after this RFC 3339 time (a validation window that ends before the test period)")
	ease := fs.String("ease", "", "also score EASE in basket mode with these λ values (comma-separated), for comparison")
	tune := fs.Bool("tune", false, "score a grid of blend weights and the main strategies, best first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("bench reco: --data DIR is required")
	}
	var kinds []string
	for _, t := range strings.Split(*targets, ",") {
		t = strings.TrimSpace(t)
		if t != reco.KindPurchase && t != reco.KindCart && t != reco.KindView {
			return fmt.Errorf("bench reco: --targets: unknown kind %q (purchase, cart, view)", t)
		}
		kinds = append(kinds, t)
	}
	if *split <= 0 || *split >= 1 {
		return errors.New("bench reco: --split must be between 0 and 1")
	}

	t0 := time.Now()
	fmt.Fprintf(out, "loading %s\n", *data)
	ins, products, err := reco.Load(*data, reco.LoadOptions{MaxEvents: *maxEvents, Log: out})
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(out, "loaded %d interactions, %d products in %s (heap %d MiB)\n", len(ins), len(products),
		time.Since(t0).Round(time.Millisecond), ms.HeapInuse>>20)
	at := reco.SplitAt(ins, *split)
	if *splitTime != "" {
		if at, err = time.Parse(time.RFC3339, *splitTime); err != nil {
			return fmt.Errorf("bench reco: --split-time: %w", err)
		}
	}
	if *until != "" {
		end, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			return fmt.Errorf("bench reco: --until: %w", err)
		}
		ins = slices.DeleteFunc(ins, func(in reco.Interaction) bool { return !in.At.Before(end) })
	}
	first, last := reco.TimeSpan(ins)
	fmt.Fprintf(out, "timeline %s – %s, training before %s; targets %s, k = %d\n",
		first.Format(time.DateTime), last.Format(time.DateTime), at.Format(time.DateTime), strings.Join(kinds, ","), *k)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	t1 := time.Now()
	for _, l := range strings.Split(*ease, ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		lambda, err := strconv.ParseFloat(l, 64)
		if err != nil || lambda <= 0 {
			return fmt.Errorf("bench reco: --ease: %q is not a positive number", l)
		}
		if err := easeBaseline(out, ins, at, *k, lambda); err != nil {
			return err
		}
	}
	eo := reco.EvalOptions{Split: at, K: *k, Targets: kinds, Fallback: *fallback, Basket: *basket}
	if *tune {
		eo.Blends = blendGrid(*basket)
		eo.Strategies = []string{reco.Bestsellers, reco.BoughtTogether, reco.Personalized, reco.RecentlyViewed}
		fmt.Fprintf(out, "tuning: %d blends\n", len(eo.Blends))
	}
	scores := reco.EvaluateWith(ins, products, eo)
	if *tune {
		slices.SortStableFunc(scores, func(a, b reco.StrategyScore) int { return cmp.Compare(b.HitRate, a.HitRate) })
		scores = scores[:min(len(scores), 25)]
	}
	fmt.Fprintf(out, "evaluated in %s\n\n", time.Since(t1).Round(time.Millisecond))
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	unit := "targets"
	if *basket {
		unit = "baskets"
	}
	fmt.Fprintf(w, "strategy\thit-rate@%d\tndcg@%d\t%s hit\tcoverage\ttargets\t%s\ttime\tper request\t\n", *k, *k, unit, unit)
	for _, s := range scores {
		asked := s.Targets
		if *basket {
			asked = s.Baskets
		}
		per := time.Duration(0)
		if asked > 0 {
			per = s.Elapsed / time.Duration(asked)
		}
		name := s.Strategy
		if name == reco.Bestsellers {
			name += " (baseline)"
		}
		bh := s.HitRate
		if *basket {
			bh = s.BasketHitRate
		}
		fmt.Fprintf(w, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%s\t%s\t\n", name, s.HitRate, s.NDCG, bh, s.Coverage, s.Targets,
			asked, s.Elapsed.Round(time.Millisecond), per.Round(100*time.Nanosecond))
	}
	return w.Flush()
}

// blendGrid is the tuning grid of --tune. Weights are relative (each
// part is scaled to its best score), so the repeat part stays at 1. In
// basket mode no product is on screen, so the grid covers the history
// and popularity weights and the repeat part's frequency exponent and
// half-life; otherwise the anchor, popularity and history weights, the
// repeat part as DefaultAnchoredBlend.
func blendGrid(basket bool) []reco.Blend {
	var out []reco.Blend
	day := 24 * time.Hour
	if !basket {
		for _, a := range []float64{1, 2, 4, 8, 16} {
			for _, p := range []float64{0.5, 1, 2, 4} {
				for _, h := range []float64{0.1, 0.5, 1} {
					b := reco.DefaultAnchoredBlend
					b.Anchor, b.Popular, b.History = a, p, h
					out = append(out, b)
				}
			}
		}
		return out
	}
	for _, h := range []float64{0, 0.1, 0.25, 0.5} {
		for _, p := range []float64{0.1, 0.3, 0.5, 1} {
			for _, f := range []float64{0, 0.5, 1, 2} {
				for _, hl := range []time.Duration{30 * day, 90 * day, 365 * day, 0} {
					out = append(out, reco.Blend{History: h, Popular: p, Repeat: 1, RepeatFreq: f, RepeatHalfLife: hl})
				}
			}
		}
	}
	return out
}
