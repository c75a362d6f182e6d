package main

import (
	"context"
	"log/slog"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/personalization/segments"
)

// segmentParts keep segment membership current (the follower) and serve
// the API and console (the service).
type segmentParts struct {
	follower *segments.Follower
	service  *segments.Service
	log      *slog.Logger
}

// buildSegments wires the follower behind the profile processor: it
// evaluates the facts flows use (facts), and the events it logs wake the
// profile processor, which wakes automation, so that a segment entered
// reaches a flow trigger at once.
func buildSegments(inst *instance, facts segments.FactsSource, clock automation.Clock, log *slog.Logger) *segmentParts {
	fw := segments.NewFollower(segments.Options{Store: inst.st, Facts: facts, Scores: segments.StoredScores{Store: inst.st}, Now: clock.Now, Log: log,
		OnEvents: inst.processor.Notify})
	inst.processor.OnAdvance(fw.Notify)
	return &segmentParts{follower: fw, service: segments.NewService(inst.st, fw), log: log}
}

// run follows the log until ctx ends.
func (p *segmentParts) run(ctx context.Context) {
	if err := p.follower.Run(ctx); err != nil {
		p.log.Error("segment follower stopped", "err", err)
	}
}
