package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/scores"
)

// startScores runs the score processor (engagement, preferences, rescoring
// on orders, the scheduled refit) behind the profile processor.
// It returns the processor's RequestRefit for the API.
func startScores(ctx context.Context, inst *instance, now func() time.Time, log *slog.Logger) func(string) {
	p := scores.NewProcessor(inst.st, scores.NewScorer(inst.st, log, scores.Options{}, now), log)
	inst.processor.OnAdvance(p.Notify)
	inst.workers.Go(func() {
		if err := p.Run(ctx); err != nil {
			log.Error("score processor stopped", "err", err)
		}
	})
	return p.RequestRefit
}
