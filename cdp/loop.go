package cdp

import (
	"context"
	"log/slog"
	"time"
)

// Loop paces a processor that follows the event log (profiles here;
// automation and the widget decider behind this one): it runs Step until
// the context ends, goes on at once after a full batch, pauses after a
// short one so that events arriving meanwhile share the next transaction,
// sleeps when there is nothing to do until woken or Idle passes, and backs
// off on errors.
type Loop struct {
	Name string
	// Step processes one batch and says how many events it read.
	Step func(ctx context.Context) (int, error)
	// Batch is a full batch: another may be waiting, so there is no pause.
	Batch int
	// Wake ends an idle sleep early (a Notify).
	Wake <-chan struct{}
	// Idle is the longest sleep with nothing to do.
	Idle time.Duration
	// Gather is the pause after a short batch and after waking; zero
	// goes on at once.
	Gather time.Duration
	Log    *slog.Logger
}

// Run steps until ctx ends; it returns nil then.
func (l Loop) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		n, err := l.Step(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			l.Log.Error(l.Name, "err", err)
			backoff = min(backoff*2, 10*time.Second)
			if !sleep(ctx, backoff) {
				return nil
			}
			continue
		}
		backoff = 100 * time.Millisecond
		switch {
		case n >= l.Batch:
			continue
		case n == 0:
			select {
			case <-ctx.Done():
				return nil
			case <-l.Wake:
			case <-time.After(l.Idle):
			}
		}
		if l.Gather > 0 && !sleep(ctx, l.Gather) {
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
