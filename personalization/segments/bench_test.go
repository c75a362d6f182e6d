package segments

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// BenchmarkCountMembers counts a segment of 1,000,000 members: what the
// API and console read for a segment's size, an index-only scan of the
// membership table's primary key.
func BenchmarkCountMembers(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const n = 1_000_000
	at := time.Now()
	// Two segments of the same workspace, so that the count must pick its
	// segment's range out of 1.5 million rows.
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			c := fmt.Sprintf("ctc_%08d", i)
			if err := tx.JoinSegment(ws, "seg_big", c, at); err != nil {
				return err
			}
			if i%2 == 0 {
				if err := tx.JoinSegment(ws, "seg_other", c, at); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := st.SegmentCount(ctx, ws, "seg_big")
		if err != nil || got != n {
			b.Fatalf("count %d, %v", got, err)
		}
	}
}

// BenchmarkEvalReadyMade evaluates every ready-made segment's definition
// over 1,000,000 profiles in memory (1,000 distinct facts documents
// cycled): the cost of evaluating a whole workspace from scratch, without
// the reads.
func BenchmarkEvalReadyMade(b *testing.B) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	facts := make([]*Facts, 1000)
	for i := range facts {
		doc := map[string]any{
			"profile": map[string]any{"visits": float64(i % 9), "orders": float64(i % 4),
				"last_order_at": now.Add(-time.Duration(i%300) * day).Format(time.RFC3339Nano),
				"first_seen":    now.Add(-time.Duration(i%400) * day).Format(time.RFC3339Nano),
				"last_cart":     []any{map[string]any{"quantity": 1.0, "price_minor": 1000.0}}},
			"consents":            map[string]any{"email": i%3 == 0},
			"revenue_minor_total": float64(i * 100),
		}
		evs := map[string][]Occurrence{}
		for j := range i % 5 {
			evs["add_to_cart"] = append(evs["add_to_cart"], Occurrence{At: now.Add(-time.Duration(j) * day)})
			evs["email_opened"] = append(evs["email_opened"], Occurrence{At: now.Add(-time.Duration(j*30) * day)})
		}
		facts[i] = &Facts{Doc: doc, Events: evs}
	}
	var defs []Node
	for _, rm := range ReadyMades() {
		d, err := Parse(rm.Definition)
		if err != nil {
			b.Fatal(err)
		}
		defs = append(defs, d)
	}
	for k, rm := range ReadyMades() {
		b.Run(rm.Key, func(b *testing.B) {
			for b.Loop() {
				in := 0
				for i := range 1_000_000 {
					if defs[k].Eval(facts[i%len(facts)], now).In {
						in++
					}
				}
				if in == 0 {
					b.Fatal("nobody in")
				}
			}
		})
	}
}
