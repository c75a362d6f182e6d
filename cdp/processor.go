package cdp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// ProfileCheckpoint names the profile processor's position in the log.
const ProfileCheckpoint = "profiles"

// Processor reads the event log in order and keeps contacts, the identity
// graph, consents and profile counters up to date. Each batch of events and
// the checkpoint after it commit in one transaction, so a crash re-applies
// a whole batch or none of it; rebuilding means resetting the checkpoint.
type Processor struct {
	st    *store.Store
	log   *slog.Logger
	now   func() time.Time
	wake  chan struct{}
	batch int
	idle  time.Duration
	// gather is the least time between two batches while events trickle
	// in: waking for every commit would make many tiny transactions that
	// hold the one writer connection ingest needs.
	gather time.Duration
	// mu serialises batches with Exclusive work (privacy erasure), which
	// must see a log with every event attributed and must not race a batch
	// that would write back a profile it just erased.
	mu sync.Mutex
	// pos is the last applied event id; -1 until read from the checkpoint.
	pos int64
	// idents caches identifier → contact across batches (see batch.identity).
	idents   map[string]string
	advanced []func()
}

// NewProcessor returns a profile processor; call Run to start it.
func NewProcessor(st *store.Store, log *slog.Logger, now func() time.Time) *Processor {
	if now == nil {
		now = time.Now
	}
	return &Processor{st: st, log: log, now: now, wake: make(chan struct{}, 1), batch: 500, idle: time.Second, gather: 100 * time.Millisecond,
		idents: map[string]string{}, pos: -1}
}

// Notify tells the processor new events were committed; it never blocks.
func (p *Processor) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes the log until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	return Loop{Name: "profile processor", Step: p.step, Batch: p.batch, Wake: p.wake, Idle: p.idle, Gather: p.gather,
		Log: p.log}.Run(ctx)
}

// CatchUp processes until the log is exhausted; for tests and the CLI.
func (p *Processor) CatchUp(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.catchUpLocked(ctx)
}

func (p *Processor) catchUpLocked(ctx context.Context) error {
	for {
		n, err := p.stepLocked(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// Exclusive catches up with the log and runs fn while no batch runs, then
// forgets cached identities: fn may erase contacts (privacy requests) and
// must find every event attributed and leave no stale cache behind.
func (p *Processor) Exclusive(ctx context.Context, fn func(ctx context.Context) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.catchUpLocked(ctx); err != nil {
		return err
	}
	defer clear(p.idents)
	return fn(ctx)
}

func (p *Processor) step(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stepLocked(ctx)
}

func (p *Processor) stepLocked(ctx context.Context) (int, error) {
	if p.pos < 0 {
		pos, err := p.st.Checkpoint(ctx, ProfileCheckpoint)
		if err != nil {
			return 0, err
		}
		p.pos = pos
	}
	n, next, err := p.apply(ctx, p.pos)
	if err == nil {
		p.pos = next
		if n > 0 {
			for _, f := range p.advanced {
				f()
			}
		}
	}
	return n, err
}

// OnAdvance adds f to what is called after every batch that moved the
// checkpoint, so that processors reading behind this one (automation, the
// widget decider) wake at once instead of polling. f must not block. Call
// before Run.
func (p *Processor) OnAdvance(f func()) { p.advanced = append(p.advanced, f) }

func (p *Processor) apply(ctx context.Context, pos int64) (int, int64, error) {
	evs, err := p.st.LogAfter(ctx, pos, p.batch)
	if err != nil || len(evs) == 0 {
		return 0, pos, err
	}
	last := evs[len(evs)-1].ID
	// Parsing is done before the transaction: the writer connection is
	// shared with ingest, so it is held only for the database work.
	parsed := make([]parsedEvent, len(evs))
	for i := range evs {
		parsed[i] = parse(&evs[i])
	}
	profiles := p.prefetch(ctx, evs)
	if p.inMemory(parsed, profiles) {
		err = p.applyInMemory(ctx, parsed, profiles, last)
	} else {
		err = p.st.InReplayableTx(ctx, func(tx *store.Tx) error {
			b := &batch{tx: tx, now: p.now(), profiles: profiles, dirty: map[string]bool{}, idents: p.idents}
			if err := p.applyAll(b, parsed); err != nil {
				return err
			}
			docs, err := b.encode()
			if err != nil {
				return err
			}
			return writeProfiles(tx, docs, b.now, last)
		})
	}
	if err != nil {
		// The cache may hold identities of the rolled-back batch.
		clear(p.idents)
		return 0, pos, fmt.Errorf("apply events %d..%d: %w", evs[0].ID, last, err)
	}
	return len(evs), last, nil
}

// prefetch loads and decodes, before the transaction and from the read
// pool, the profiles of the known visitors in evs: the write transaction
// holds the connection ingest commits through, and reading and decoding
// profiles was a third of its time. It is only a head start: the processor
// is the only writer of profiles and runs one batch at a time, so what the
// read pool sees is what the transaction would read, and any profile not
// prefetched is read inside the transaction as before.
func (p *Processor) prefetch(ctx context.Context, evs []store.Event) map[string]*Profile {
	out := map[string]*Profile{}
	for i := range evs {
		e := &evs[i]
		if e.VisitorID == "" {
			continue
		}
		contact, ok := p.idents[identityKey(e.WorkspaceID, KindVisitor, e.VisitorID)]
		if !ok {
			continue
		}
		k := pkey(e.WorkspaceID, contact)
		if _, done := out[k]; done {
			continue
		}
		raw, err := p.st.Profile(ctx, e.WorkspaceID, contact)
		if errors.Is(err, store.ErrNotFound) {
			raw, err = nil, nil
		}
		if err != nil {
			continue
		}
		if prof, err := decodeProfile(raw); err == nil {
			out[k] = prof
		}
	}
	return out
}

// applyAll applies parsed events in order. A malformed event must not wedge
// the processor: it is logged and skipped, the rest of the batch goes on.
func (p *Processor) applyAll(b *batch, parsed []parsedEvent) error {
	for i := range parsed {
		err := parsed[i].err
		if err == nil {
			err = b.apply(&parsed[i])
		}
		if err != nil {
			var bad *badEvent
			if !errors.As(err, &bad) {
				return err
			}
			p.log.Warn("event skipped by profile processor", "event", parsed[i].e.ID, "type", parsed[i].e.Type, "err", err)
		}
	}
	return nil
}

// inMemory reports whether a batch can be applied without the database:
// every event is browsing behaviour (views, cart changes, searches, custom
// events) of a visitor whose contact is in the identity cache and whose
// profile was prefetched, and names no person (no email, phone or customer
// id to link). That is nearly every batch of a busy shop, and for it the
// write transaction only has to store the finished profiles.
func (p *Processor) inMemory(parsed []parsedEvent, profiles map[string]*Profile) bool {
	for i := range parsed {
		pe := &parsed[i]
		if pe.err != nil || pe.ectx.Bot {
			continue // skipped on either path
		}
		e := pe.e
		switch e.Type {
		case EventPageView, EventProductView, EventAddToCart, EventRemoveFromCart, EventSearch, "custom":
		default:
			return false
		}
		if e.VisitorID == "" || len(identifiers(e, pe.props)) > 0 {
			return false
		}
		c, ok := p.idents[identityKey(e.WorkspaceID, KindVisitor, e.VisitorID)]
		if !ok || profiles[pkey(e.WorkspaceID, c)] == nil {
			return false
		}
	}
	return true
}

// applyInMemory counts a batch that inMemory accepted, encodes the changed
// profiles, and only then takes the writer to store them with the
// checkpoint: the counting and encoding no longer hold up ingest.
func (p *Processor) applyInMemory(ctx context.Context, parsed []parsedEvent, profiles map[string]*Profile, last int64) error {
	b := &batch{now: p.now(), profiles: profiles, dirty: map[string]bool{}, idents: p.idents}
	if err := p.applyAll(b, parsed); err != nil {
		return err
	}
	docs, err := b.encode()
	if err != nil {
		return err
	}
	return p.st.InReplayableTx(ctx, func(tx *store.Tx) error { return writeProfiles(tx, docs, b.now, last) })
}

// writeProfiles stores encoded profiles (keyed by pkey) and the checkpoint.
func writeProfiles(tx *store.Tx, docs map[string][]byte, at time.Time, last int64) error {
	for k, data := range docs {
		ws, contact, _ := strings.Cut(k, "/")
		if err := tx.PutProfile(ws, contact, data, at); err != nil {
			return err
		}
	}
	return tx.SetCheckpoint(ProfileCheckpoint, last)
}

type badEvent struct{ msg string }

func (e *badEvent) Error() string { return e.msg }

// batch is the state of one transaction: profiles are loaded once, changed
// in memory by every event of the batch, and written once at the end.
type batch struct {
	tx       *store.Tx
	now      time.Time
	profiles map[string]*Profile // by workspace + "/" + contact
	dirty    map[string]bool
	idents   map[string]string
	doi      map[string]bool // double opt-in setting per workspace, read once a batch
}

func pkey(ws, contact string) string { return ws + "/" + contact }

func (b *batch) profile(ws, contact string) (*Profile, error) {
	k := pkey(ws, contact)
	if p := b.profiles[k]; p != nil {
		return p, nil
	}
	raw, err := b.tx.Profile(ws, contact)
	if err != nil {
		return nil, err
	}
	p, err := decodeProfile(raw)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", contact, err)
	}
	b.profiles[k] = p
	return p, nil
}

// encode marshals the batch's changed profiles, keyed by pkey.
func (b *batch) encode() (map[string][]byte, error) {
	docs := make(map[string][]byte, len(b.dirty))
	for k := range b.dirty {
		p := b.profiles[k]
		if p == nil {
			continue
		}
		data, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		docs[k] = data
	}
	return docs, nil
}

// EventContext is what ingest records about where an event came from, in
// the log's context column; the processors read it back.
type EventContext struct {
	URL string `json:"url,omitempty"`
	// PV is the page-view id: reports of one page view share it.
	PV string `json:"pv,omitempty"`
	// Name is a custom event's name when it had to be logged as "custom"
	// (see ServerOnlyType).
	Name    string `json:"name,omitempty"`
	Bot     bool   `json:"bot,omitempty"`
	Device  string `json:"device,omitempty"`
	Browser string `json:"browser,omitempty"`
	OS      string `json:"os,omitempty"`
	// TimeAdjusted: the client's clock was implausible and the server's
	// time was used.
	TimeAdjusted bool `json:"time_adjusted,omitempty"`
}

// parsedEvent is an event with its JSON decoded.
type parsedEvent struct {
	e     *store.Event
	ectx  EventContext
	props map[string]json.RawMessage
	err   error
}

func parse(e *store.Event) parsedEvent {
	pe := parsedEvent{e: e}
	if len(e.Context) > 0 {
		if err := json.Unmarshal(e.Context, &pe.ectx); err != nil {
			pe.err = &badEvent{"context: " + err.Error()}
			return pe
		}
	}
	if len(e.Props) > 0 {
		if err := json.Unmarshal(e.Props, &pe.props); err != nil {
			pe.err = &badEvent{"props: " + err.Error()}
		}
	}
	return pe
}

func (b *batch) apply(pe *parsedEvent) error {
	e, ectx, props := pe.e, pe.ectx, pe.props
	if ectx.Bot {
		return nil
	}
	contact, err := b.resolve(e, props)
	if err != nil || contact == "" {
		return err
	}
	if e.VisitorID == "" && e.ContactID == "" {
		if err := b.tx.SetEventContact(e.ID, contact); err != nil {
			return err
		}
	}
	p, err := b.profile(e.WorkspaceID, contact)
	if err != nil {
		return err
	}
	b.dirty[pkey(e.WorkspaceID, contact)] = true
	p.seen(e.OccurredAt)
	if e.SessionID != "" && e.SessionID != p.LastSession {
		p.Visits++
		p.LastSession = e.SessionID
	}
	if ectx.Browser != "" || ectx.OS != "" {
		p.Device = &Device{Kind: ectx.Device, Browser: ectx.Browser, OS: ectx.OS}
	}
	return b.count(e, ectx, props, p, contact)
}

// IsBot reports whether an event's context says ingest classed it as a
// bot's. Processors that follow this one skip those events too; most
// contexts carry no "bot" key at all (it is omitted when false), which is
// checked before paying for a decode.
func IsBot(context json.RawMessage) bool {
	if !bytes.Contains(context, []byte(`"bot"`)) {
		return false
	}
	var ectx EventContext
	return json.Unmarshal(context, &ectx) == nil && ectx.Bot
}
