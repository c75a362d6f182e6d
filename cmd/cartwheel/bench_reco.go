package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
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
	first, last := reco.TimeSpan(ins)
	fmt.Fprintf(out, "timeline %s – %s, training before %s; targets %s, k = %d\n",
		first.Format(time.DateTime), last.Format(time.DateTime), at.Format(time.DateTime), strings.Join(kinds, ","), *k)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	t1 := time.Now()
	scores := reco.EvaluateWith(ins, products, reco.EvalOptions{Split: at, K: *k, Targets: kinds, Fallback: *fallback})
	fmt.Fprintf(out, "evaluated in %s\n\n", time.Since(t1).Round(time.Millisecond))
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "strategy\thit-rate@%d\tcoverage\ttargets\ttime\tper request\t\n", *k)
	for _, s := range scores {
		per := time.Duration(0)
		if s.Targets > 0 {
			per = s.Elapsed / time.Duration(s.Targets)
		}
		name := s.Strategy
		if name == reco.Bestsellers {
			name += " (baseline)"
		}
		fmt.Fprintf(w, "%s\t%.4f\t%.4f\t%d\t%s\t%s\t\n", name, s.HitRate, s.Coverage, s.Targets,
			s.Elapsed.Round(time.Microsecond), per)
	}
	return w.Flush()
}
