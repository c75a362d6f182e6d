package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/predict"
)

// benchPredict backtests the customer predictions on a purchase log: fit on
// every order before --until, score the --horizon that follows against naive
// baselines. With --synthetic N it draws N customers from known parameters
// instead, to measure a refit at scale.
func benchPredict(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench predict", flag.ContinueOnError)
	data := fs.String("data", "", "directory with online_retail.csv.gz or events.csv.gz (UCI Online Retail)")
	until := fs.String("until", "", "fit on orders before this date (YYYY-MM-DD), score the window after it")
	horizonFlag := fs.String("horizon", "90d", "length of the scored window, in days (90d or 90)")
	synthetic := fs.Int("synthetic", 0, "instead of --data, simulate this many customers (born during 2025, scored from 2026-01-01)")
	minCustomers := fs.Int("min-customers", 0, "fewest customers for a model (0: the default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	horizon, err := strconv.Atoi(strings.TrimSuffix(*horizonFlag, "d"))
	if err != nil || horizon <= 0 {
		return fmt.Errorf("bench predict: --horizon %q: want a number of days such as 90d", *horizonFlag)
	}
	t0 := time.Now()
	var cs []predict.Customer
	var lines []predict.Line
	var day int32
	switch {
	case *synthetic > 0:
		cs = predict.Simulate(predict.Simulation{Customers: *synthetic,
			BGNBD: predict.BGNBD{R: 0.5, Alpha: 20, A: 0.8, B: 2.5}, Value: predict.GammaGamma{P: 6, Q: 4, Gamma: 15},
			Start: predict.DayOf(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), Days: 365, Horizon: horizon, Seed: 1})
		day = predict.DayOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		fmt.Fprintf(out, "simulated %d customers (r=0.5 α=20 a=0.8 b=2.5; p=6 q=4 γ=15) in %s\n",
			len(cs), time.Since(t0).Round(time.Millisecond))
	case *data != "":
		if *until == "" {
			return errors.New("bench predict: --until DATE is required with --data")
		}
		u, err := time.Parse(time.DateOnly, *until)
		if err != nil {
			return fmt.Errorf("bench predict: --until: %w", err)
		}
		day = predict.DayOf(u)
		var path string
		if lines, path, err = predict.LoadRetail(*data); err != nil {
			return err
		}
		cs = predict.CustomersOf(lines)
		first, last := int32(1<<31-1), int32(-1<<31)
		for _, l := range lines {
			first, last = min(first, l.Day), max(last, l.Day)
		}
		fmt.Fprintf(out, "loaded %s: %d lines, %d customers, %s – %s, in %s\n", path, len(lines), len(cs),
			predict.DayTime(first).Format(time.DateOnly), predict.DayTime(last).Format(time.DateOnly), time.Since(t0).Round(time.Millisecond))
		if end := day + int32(horizon); end > last+1 {
			fmt.Fprintf(out, "warning: the window ends %s, after the data (%s): it is only partly observed\n",
				predict.DayTime(end).Format(time.DateOnly), predict.DayTime(last).Format(time.DateOnly))
		}
	default:
		return errors.New("bench predict: --data DIR (with --until) or --synthetic N is required")
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	t1 := time.Now()
	b, err := predict.RunBacktest(ctx, cs, day, horizon, predict.Options{MinCustomers: *minCustomers})
	if err != nil {
		return err
	}
	total := time.Since(t1)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	m := b.Model
	fmt.Fprintf(out, "fitted on %d customers (%d with a repeat order) before %s; window %d days, %d customers ordered in it\n",
		b.Customers, b.Repeaters, predict.DayTime(day).Format(time.DateOnly), horizon, b.Buyers)
	fmt.Fprintf(out, "BG/NBD r=%.4f α=%.4f a=%.4f b=%.4f (log-likelihood %.1f)\n", m.BGNBD.R, m.BGNBD.Alpha, m.BGNBD.A, m.BGNBD.B, m.LogLik)
	if m.NoDropout {
		fmt.Fprintln(out, "note: the fitted dropout probability a/(a+b) is below 1e-6 — no sign of customers leaving; P(alive) ≈ 1 for all and ranks nobody")
	}
	if m.Value != nil {
		fmt.Fprintf(out, "Gamma–Gamma p=%.4f q=%.4f γ=%.4f (mean order value %.2f); corr(frequency, value) among repeaters %.3f\n",
			m.Value.P, m.Value.Q, m.Value.Gamma, m.Value.Mean(), b.ValueFrequencyCorr)
	} else {
		fmt.Fprintf(out, "Gamma–Gamma: no model (%v)\n", m.ValueError)
	}
	rss, _ := peakRSS(os.Getpid())
	fmt.Fprintf(out, "fit %s (%d likelihood evaluations), scoring %s, fit + score %s; heap %d MiB before, %d MiB after (total allocated during %d MiB); peak RSS %d MiB\n\n",
		m.Elapsed.Round(time.Millisecond), m.Evals, b.PredictTime.Round(time.Millisecond), total.Round(time.Millisecond),
		before.HeapInuse>>20, after.HeapInuse>>20, (after.TotalAlloc-before.TotalAlloc)>>20, rss>>10)

	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "measure\tmodel\tbaseline\t\n")
	fmt.Fprintf(w, "AUC ordered in window: P(order in %dd) | past repeat rate\t%.4f\t%.4f\t\n", horizon, b.AUCOrder, b.AUCRate)
	fmt.Fprintf(w, "AUC ordered in window: P(alive) | recency\t%.4f\t%.4f\t\n", b.AUCAlive, b.AUCRecency)
	fmt.Fprintf(w, "AUC among repeat customers: P(alive) | past repeat rate\t%.4f\t%.4f\t\n", b.AUCAliveRepeaters, b.AUCRateRepeaters)
	fmt.Fprintf(w, "MAE order days per customer\t%.4f\t%.4f\t\n", b.MAEOrders, b.MAEOrdersBase)
	fmt.Fprintf(w, "  the same, the model's median forecast\t%.4f\t%.4f\t\n", b.MAEOrdersMedian, b.MAEOrdersBase)
	fmt.Fprintf(w, "RMSE order days per customer\t%.4f\t%.4f\t\n", b.RMSEOrders, b.RMSEOrdersBase)
	fmt.Fprintf(w, "total order days (observed %.0f)\t%.1f\t%.1f\t\n", b.Observed, b.Orders, b.OrdersBase)
	if m.Value != nil {
		fmt.Fprintf(w, "MAE spend per customer\t%.2f\t%.2f\t\n", b.MAESpend, b.MAESpendBase)
		fmt.Fprintf(w, "RMSE spend per customer\t%.2f\t%.2f\t\n", b.RMSESpend, b.RMSESpendBase)
		fmt.Fprintf(w, "total spend (observed %.0f)\t%.0f\t%.0f\t\n", b.SpendSeen, b.Spend, b.SpendBase)
	}
	fmt.Fprintf(w, "median abs. error of next order date, days (%d repeat buyers)\t%.1f\t%.1f\t\n", b.NextN, b.NextMedAE, b.NextMedAEBase)
	fmt.Fprintf(w, "  the same, median wait given an order within %dd\t%.1f\t%.1f\t\n", horizon, b.NextMedAEWithin, b.NextMedAEBase)
	if err := w.Flush(); err != nil {
		return err
	}
	if lines != nil {
		t2 := time.Now()
		iv := predict.ReplenishmentIntervals(predict.PurchasesOf(lines, day), 0, 0)
		fmt.Fprintf(out, "\nreplenishment intervals: %d products (≥ 5 repeat purchases from ≥ 3 customers) in %s", len(iv), time.Since(t2).Round(time.Millisecond))
		if len(iv) > 0 {
			meds := make([]float64, len(iv))
			for i, v := range iv {
				meds[i] = v.MedianDays
			}
			fmt.Fprintf(out, "; median of the medians %.0f days", medianOf(meds))
		}
		fmt.Fprintln(out)
	}
	return nil
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
