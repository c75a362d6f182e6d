package automation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// Checkpoint names the automation processor's position in the event log.
const Checkpoint = "automation"

// checkpointEvery bounds how often the processor saves its position.
const checkpointEvery = time.Second

// Processor reads the event log in order after its checkpoint and hands
// the events flows react to to Engine.HandleEvent.
//
// It never reads past the profile processor's checkpoint: that processor
// creates the contacts and identities events are resolved to, and an
// event read before it would find no contact and be lost to automation.
// The checkpoint is saved at most once a second; a crash replays what
// followed it, which HandleEvents and the hooks absorb (see there).
type Processor struct {
	st    *store.Store
	e     *Engine
	log   *slog.Logger
	wake  chan struct{}
	batch int
	idle  time.Duration
	pos   int64 // last handled event id; -1 until read from the checkpoint
	// savedAt is when the checkpoint was last written.
	savedAt time.Time
	hooks   map[string][]Hook
}

// Hook is work that follows events in log order alongside flows: crediting
// an order to the message clicked before it, sending a double opt-in
// confirmation. It gets the event and its contact, and must be safe to run
// twice for one event (the processor replays a batch after a crash).
type Hook func(ctx context.Context, ev store.Event, contactID string) error

// On runs h for every event of type typ, after the event's goals and
// triggers. Call before Run.
func (p *Processor) On(typ string, h Hook) {
	if p.hooks == nil {
		p.hooks = map[string][]Hook{}
	}
	p.hooks[typ] = append(p.hooks[typ], h)
}

// NewProcessor returns the automation processor; call Run to start it.
func NewProcessor(st *store.Store, e *Engine, log *slog.Logger) *Processor {
	return &Processor{st: st, e: e, log: log, wake: make(chan struct{}, 1), batch: 500, idle: time.Second, pos: -1}
}

// Notify tells the processor new events may be ready; it never blocks.
func (p *Processor) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes the log until ctx ends. There is no pause after a short
// batch: the profile processor already gathered it, and an immediate
// send waits on this.
func (p *Processor) Run(ctx context.Context) error {
	return cdp.Loop{Name: "automation processor", Step: p.step, Batch: p.batch, Wake: p.wake, Idle: p.idle,
		Log: p.log}.Run(ctx)
}

// CatchUp processes until no event is ready; for tests and the CLI.
func (p *Processor) CatchUp(ctx context.Context) error {
	for {
		n, err := p.step(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// step handles one batch and returns how many events it read.
func (p *Processor) step(ctx context.Context) (int, error) {
	if p.pos < 0 {
		pos, err := p.st.Checkpoint(ctx, Checkpoint)
		if err != nil {
			return 0, err
		}
		p.pos = pos
	}
	limit, err := p.st.Checkpoint(ctx, cdp.ProfileCheckpoint)
	if err != nil || limit <= p.pos {
		return 0, err
	}
	evs, err := p.st.LogAfter(ctx, p.pos, p.batch)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	types := map[string]map[string]bool{} // per workspace, read once a batch
	last, n := p.pos, 0
	var items []EventFor
	for i := range evs {
		ev := &evs[i]
		if ev.ID > limit {
			break
		}
		wanted, ok := types[ev.WorkspaceID]
		if !ok {
			list, err := p.st.FlowEventTypes(ctx, ev.WorkspaceID)
			if err != nil {
				return 0, err
			}
			wanted = map[string]bool{}
			for _, t := range list {
				wanted[t] = true
			}
			types[ev.WorkspaceID] = wanted
		}
		if (wanted[ev.Type] || p.hooks[ev.Type] != nil) && !isBot(ev) {
			contact, err := p.contactOf(ctx, ev)
			if err != nil {
				return 0, fmt.Errorf("automation: event %d: %w", ev.ID, err)
			}
			if contact != "" {
				items = append(items, EventFor{*ev, contact})
			}
		}
		last, n = ev.ID, n+1
	}
	if n == 0 {
		return 0, nil
	}
	if err := p.e.HandleEvents(ctx, items); err != nil {
		return 0, fmt.Errorf("automation: events %d to %d: %w", p.pos+1, last, err)
	}
	for _, it := range items {
		for _, h := range p.hooks[it.Event.Type] {
			if err := h(ctx, it.Event, it.ContactID); err != nil {
				return 0, fmt.Errorf("automation: event %d: %w", it.Event.ID, err)
			}
		}
	}
	// Replaying a batch is harmless (enrollments are unique per trigger
	// event, hooks de-duplicate), so the checkpoint is saved at most once a
	// second rather than in a transaction per batch on the writer that
	// ingest needs.
	if time.Since(p.savedAt) >= checkpointEvery {
		if err := p.st.InTx(ctx, func(tx *store.Tx) error { return tx.SetCheckpoint(Checkpoint, last) }); err != nil {
			return 0, err
		}
		p.savedAt = time.Now()
	}
	p.pos = last
	return n, nil
}

// contactOf resolves the event's contact: "" for an event that names
// nobody, or whose contact is unknown (erased since).
func (p *Processor) contactOf(ctx context.Context, ev *store.Event) (string, error) {
	var c store.Contact
	var err error
	switch {
	case ev.ContactID != "":
		c, err = p.st.Contact(ctx, ev.WorkspaceID, ev.ContactID) // follows merges
	case ev.VisitorID != "":
		c, err = p.st.ContactByIdentity(ctx, ev.WorkspaceID, cdp.KindVisitor, ev.VisitorID)
	default:
		return "", nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return c.ID, err
}

// isBot reports whether ingest classed the event as a bot's, which the
// profile processor ignores too.
func isBot(ev *store.Event) bool { return cdp.IsBot(ev.Context) }
