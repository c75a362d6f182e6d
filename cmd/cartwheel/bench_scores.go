package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/predict"
	"github.com/cartwheelhq/cartwheel/personalization/scores"
	"github.com/cartwheelhq/cartwheel/store"
)

// benchScores times a refit of a workspace's scores on a synthetic
// population generated here (BG/NBD and Gamma–Gamma draws, predict.Simulate):
// the fit and scoring of every contact (scores.Compute: RFM breakpoints,
// BG/NBD, Gamma–Gamma, each contact's cell and predictions), then, unless
// --write=false, writing every row to contact_scores in a fresh SQLite
// database as Refit does. It prints the times and the peak RSS.
func benchScores(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench scores", flag.ContinueOnError)
	n := fs.Int("contacts", 1_000_000, "contacts with orders to refit")
	write := fs.Bool("write", true, "also write every row to a fresh SQLite database")
	seed := fs.Uint64("seed", 1, "simulation seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	t0 := time.Now()
	cs := predict.Simulate(predict.Simulation{Customers: *n, BGNBD: predict.BGNBD{R: 0.8, Alpha: 40, A: 0.6, B: 2.5},
		Value: predict.GammaGamma{P: 6, Q: 4, Gamma: 15}, Start: predict.DayOf(now) - 730, Days: 700, Horizon: 29, Seed: *seed})
	hs := make([]scores.History, len(cs))
	orders := 0
	for i, c := range cs {
		hs[i] = scores.History{ContactID: c.ID, Orders: c.Orders}
		orders += len(c.Orders)
	}
	cs = nil
	fmt.Fprintf(out, "simulated %d contacts, %d orders in %s\n", len(hs), orders, time.Since(t0).Round(time.Millisecond))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	t1 := time.Now()
	p, scored, err := scores.Compute(ctx, hs, now, scores.Options{})
	if err != nil {
		return err
	}
	compute := time.Since(t1)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	fmt.Fprintf(out, "fit + score %d contacts: %s (model: %v %s); heap %d MiB before, %d MiB after\n",
		len(scored), compute.Round(time.Millisecond), p.Model != nil, p.ModelError, before.HeapInuse>>20, after.HeapInuse>>20)
	if *write {
		dir, err := os.MkdirTemp("", "cartwheel-bench-scores")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		st, err := store.Open(ctx, filepath.Join(dir, "cw.db"), slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			return err
		}
		rows := make([]store.ScoredContact, len(scored))
		for i, s := range scored {
			rows[i] = store.ScoredContact{ContactID: s.ContactID, OrderScores: s.OrderScores}
		}
		t2 := time.Now()
		if err := st.PutOrderScores(ctx, "ws_bench", rows, now); err != nil {
			return err
		}
		fmt.Fprintf(out, "write %d rows to contact_scores (SQLite): %s\n", len(rows), time.Since(t2).Round(time.Millisecond))
		fmt.Fprintf(out, "refit total (fit + score + write): %s\n", (compute + time.Since(t2)).Round(time.Millisecond))
	}
	rss, _ := peakRSS(os.Getpid())
	fmt.Fprintf(out, "peak RSS %d MiB\n", rss>>10)
	return nil
}
