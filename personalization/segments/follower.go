package segments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// Checkpoint names the segment follower's position in the event log.
const Checkpoint = "segments"

// Events segments write to the log (props segment_id, segment_name). They
// are part of the public API: flows trigger on them.
const (
	EventEntered = "segment_entered"
	EventLeft    = "segment_left"
	// Source is the source of the events above.
	Source = "segments"
)

// Options configures a Follower.
type Options struct {
	Store *store.Store
	// Facts gives the facts document (required).
	Facts  FactsSource
	Scores ScoresSource
	// Now defaults to time.Now; tests pass a fake clock's.
	Now func() time.Time
	Log *slog.Logger
	// OnEvents is called after a batch logged segment events, so the
	// processors reading the log wake at once; it must not block.
	OnEvents func()
}

// Follower keeps segment membership current: it reads the event log after
// its checkpoint (never past the profile processor's, whose counters it
// reads), re-evaluates the segments of every contact a batch touched and
// of every contact whose re-check time has come, and commits membership,
// segment events, re-check times and the checkpoint in one transaction.
// A crash replays the batch: evaluation is a function of the stored state,
// so the replay finds nothing left to change and logs nothing twice.
type Follower struct {
	o     Options
	load  loader
	wake  chan struct{}
	batch int
	pos   int64
	// mu serialises steps, rebuilds and snapshots: membership has one writer.
	mu sync.Mutex
	// rebuild holds segments whose every contact must be evaluated (new
	// or changed definitions), by workspace; worked off a page per step.
	rebuild  map[string]string // workspace → contact id the next page starts after
	snapped  map[string]time.Time
	dirty    map[string]bool
	snapshot time.Duration
}

// NewFollower returns a follower; call Run to start it.
func NewFollower(o Options) *Follower {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Follower{o: o, load: loader{st: o.Store, facts: o.Facts, scores: o.Scores}, wake: make(chan struct{}, 1),
		batch: 500, pos: -1, rebuild: map[string]string{}, snapped: map[string]time.Time{}, dirty: map[string]bool{}, snapshot: time.Minute}
}

// Notify wakes the follower; it never blocks.
func (fw *Follower) Notify() {
	select {
	case fw.wake <- struct{}{}:
	default:
	}
}

// Run follows the log until ctx ends. The idle sleep is short because
// re-check times come due without any event.
func (fw *Follower) Run(ctx context.Context) error {
	return cdp.Loop{Name: "segment follower", Step: fw.step, Batch: fw.batch, Wake: fw.wake, Idle: 250 * time.Millisecond,
		Log: fw.o.Log}.Run(ctx)
}

// CatchUp steps until nothing is left to do now; for tests and the CLI.
func (fw *Follower) CatchUp(ctx context.Context) error {
	for {
		n, err := fw.step(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// Rebuild asks for every contact of the workspace to be evaluated again
// (a segment was created or changed); the follower works through them a
// page per step.
func (fw *Follower) Rebuild(workspaceID string) {
	fw.mu.Lock()
	fw.rebuild[workspaceID] = ""
	// A new segment gets its first size at once, not at the next interval.
	delete(fw.snapped, workspaceID)
	fw.mu.Unlock()
	fw.Notify()
}

type compiled struct {
	seg store.Segment
	def Node
}

// target is a contact to evaluate.
type target struct{ ws, contact string }

func (fw *Follower) step(ctx context.Context) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	now := fw.o.Now()
	if fw.pos < 0 {
		pos, err := fw.o.Store.Checkpoint(ctx, Checkpoint)
		if err != nil {
			return 0, err
		}
		fw.pos = pos
	}
	var targets []target
	seen := map[target]bool{}
	add := func(t target) {
		if !seen[t] {
			seen[t] = true
			targets = append(targets, t)
		}
	}
	limit, err := fw.o.Store.Checkpoint(ctx, cdp.ProfileCheckpoint)
	if err != nil {
		return 0, err
	}
	last, read := fw.pos, 0
	if limit > fw.pos {
		evs, err := fw.o.Store.LogAfter(ctx, fw.pos, fw.batch)
		if err != nil {
			return 0, err
		}
		for i := range evs {
			ev := &evs[i]
			if ev.ID > limit {
				break
			}
			last, read = ev.ID, read+1
			if ev.Source == Source || cdp.IsBot(ev.Context) {
				continue
			}
			contact, err := fw.contactOf(ctx, ev)
			if err != nil {
				return 0, fmt.Errorf("segments: event %d: %w", ev.ID, err)
			}
			if contact != "" {
				add(target{ev.WorkspaceID, contact})
			}
		}
	}
	due, err := fw.o.Store.SegmentsDue(ctx, now, fw.batch)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		add(target{d.WorkspaceID, d.ContactID})
	}
	rebuilt, err := fw.rebuildPage(ctx, add)
	if err != nil {
		return 0, err
	}
	if err := fw.closeDays(ctx, now); err != nil {
		return 0, err
	}
	w := writes{}
	if err := fw.evaluate(ctx, targets, now, &w); err != nil {
		return 0, err
	}
	if read > 0 || !w.empty() {
		err := fw.o.Store.InTx(ctx, func(tx *store.Tx) error {
			if err := w.apply(tx); err != nil {
				return err
			}
			if read > 0 {
				return tx.SetCheckpoint(Checkpoint, last)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	fw.pos = last
	if len(w.events) > 0 && fw.o.OnEvents != nil {
		fw.o.OnEvents()
	}
	if err := fw.snapshotSizes(ctx, now, w.workspaces()); err != nil {
		return 0, err
	}
	return read + len(due) + rebuilt, nil
}

// rebuildPage adds the next page of contacts of a workspace being rebuilt.
func (fw *Follower) rebuildPage(ctx context.Context, add func(target)) (int, error) {
	for ws, after := range fw.rebuild {
		ids, err := fw.o.Store.ProfileContacts(ctx, ws, after, fw.batch)
		if err != nil {
			return 0, err
		}
		for _, id := range ids {
			add(target{ws, id})
		}
		if len(ids) < fw.batch {
			delete(fw.rebuild, ws)
			delete(fw.snapped, ws) // the rebuilt sizes are recorded at once
		} else {
			fw.rebuild[ws] = ids[len(ids)-1]
		}
		return max(len(ids), 1), nil
	}
	return 0, nil
}

// contactOf resolves the contact an event is about ("" when none).
func (fw *Follower) contactOf(ctx context.Context, ev *store.Event) (string, error) {
	var c store.Contact
	var err error
	switch {
	case ev.ContactID != "":
		c, err = fw.o.Store.Contact(ctx, ev.WorkspaceID, ev.ContactID)
	case ev.VisitorID != "":
		c, err = fw.o.Store.ContactByIdentity(ctx, ev.WorkspaceID, cdp.KindVisitor, ev.VisitorID)
	default:
		return "", nil
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return c.ID, err
}

// writes are one step's changes.
type writes struct {
	joins, leaves []member
	events        []store.Event
	due           []store.SegmentDue
}

type member struct {
	ws, segment, contact string
	at                   time.Time
}

// workspaces lists the workspaces whose membership changed.
func (w *writes) workspaces() []string {
	var out []string
	for _, l := range [][]member{w.joins, w.leaves} {
		for _, m := range l {
			if !slices.Contains(out, m.ws) {
				out = append(out, m.ws)
			}
		}
	}
	return out
}

func (w *writes) empty() bool {
	return len(w.joins)+len(w.leaves)+len(w.events)+len(w.due) == 0
}

func (w *writes) apply(tx *store.Tx) error {
	for _, m := range w.joins {
		if err := tx.JoinSegment(m.ws, m.segment, m.contact, m.at); err != nil {
			return err
		}
	}
	for _, m := range w.leaves {
		if err := tx.LeaveSegment(m.ws, m.segment, m.contact); err != nil {
			return err
		}
	}
	for _, d := range w.due {
		if err := tx.SetSegmentDue(d.WorkspaceID, d.ContactID, d.At); err != nil {
			return err
		}
	}
	if len(w.events) > 0 {
		return tx.AppendEvents(w.events)
	}
	return nil
}

// evaluate re-evaluates every segment of each target and records what
// changed.
func (fw *Follower) evaluate(ctx context.Context, targets []target, now time.Time, w *writes) error {
	segs := map[string][]compiled{}
	needs := map[string]need{}
	for _, t := range targets {
		list, ok := segs[t.ws]
		if !ok {
			var err error
			if list, err = fw.compiled(ctx, t.ws); err != nil {
				return err
			}
			segs[t.ws], needs[t.ws] = list, needOf(list)
		}
		if err := fw.evaluateOne(ctx, t, list, needs[t.ws], now, w); err != nil {
			return err
		}
	}
	return nil
}

// compiled reads and parses a workspace's segments. One that no longer
// parses (stored before a rule changed) is logged and skipped.
func (fw *Follower) compiled(ctx context.Context, ws string) ([]compiled, error) {
	stored, err := fw.o.Store.Segments(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := make([]compiled, 0, len(stored))
	for _, s := range stored {
		def, err := Parse(s.Definition)
		if err != nil {
			fw.o.Log.Error("segments: segment skipped", "segment", s.ID, "err", err)
			continue
		}
		out = append(out, compiled{seg: s, def: def})
	}
	return out, nil
}

func (fw *Follower) evaluateOne(ctx context.Context, t target, segs []compiled, nd need, now time.Time, w *writes) error {
	cur, err := fw.o.Store.ContactSegments(ctx, t.ws, t.contact)
	if err != nil {
		return err
	}
	if len(segs) == 0 && len(cur) == 0 {
		return nil
	}
	in := map[string]bool{}
	for _, m := range cur {
		in[m.SegmentID] = true
	}
	var f *Facts
	found := false
	if f, found, err = fw.load.load(ctx, t.ws, t.contact, nd, now); err != nil {
		return err
	}
	var next time.Time
	known := map[string]bool{}
	for _, s := range segs {
		known[s.seg.ID] = true
		r := Result{}
		if found {
			r = s.def.Eval(f, now)
		}
		next = earlier(next, r.Next)
		switch {
		case r.In && !in[s.seg.ID]:
			w.joins = append(w.joins, member{t.ws, s.seg.ID, t.contact, now})
			w.events = append(w.events, segmentEvent(t, s.seg, EventEntered, now))
		case !r.In && in[s.seg.ID]:
			w.leaves = append(w.leaves, member{t.ws, s.seg.ID, t.contact, now})
			w.events = append(w.events, segmentEvent(t, s.seg, EventLeft, now))
		}
	}
	for id := range in {
		if !known[id] { // the segment was deleted, or no longer parses
			w.leaves = append(w.leaves, member{t.ws, id, t.contact, now})
		}
	}
	w.due = append(w.due, store.SegmentDue{WorkspaceID: t.ws, ContactID: t.contact, At: next})
	return nil
}

func segmentEvent(t target, s store.Segment, typ string, now time.Time) store.Event {
	props, _ := json.Marshal(map[string]string{"segment_id": s.ID, "segment_name": s.Name})
	return store.Event{WorkspaceID: t.ws, Type: typ, Source: Source, ContactID: t.contact, OccurredAt: now, ReceivedAt: now,
		Props: props, Context: json.RawMessage(`{}`)}
}

// closeDays records, before a step on a new day changes anything, the
// sizes of workspaces changed since their last snapshot as the figure of
// the day that snapshot was on: each day's figure is its last.
func (fw *Follower) closeDays(ctx context.Context, now time.Time) error {
	today := now.UTC().Format(time.DateOnly)
	for ws, dirty := range fw.dirty {
		last := fw.snapped[ws]
		if !dirty || last.IsZero() || last.UTC().Format(time.DateOnly) == today {
			continue
		}
		if err := fw.o.Store.SnapshotSegmentSizes(ctx, ws, last.UTC().Format(time.DateOnly), now); err != nil {
			return err
		}
		fw.dirty[ws] = false
	}
	return nil
}

// snapshotSizes records each workspace's segment sizes as today's: on
// the first step of a day, and after membership changed once the last
// snapshot is older than fw.snapshot.
func (fw *Follower) snapshotSizes(ctx context.Context, now time.Time, changed []string) error {
	for _, ws := range changed {
		fw.dirty[ws] = true
	}
	wss, err := fw.o.Store.SegmentWorkspaces(ctx)
	if err != nil {
		return err
	}
	today := now.UTC().Format(time.DateOnly)
	for _, ws := range wss {
		last := fw.snapped[ws]
		newDay := last.IsZero() || last.UTC().Format(time.DateOnly) != today
		if !newDay && (!fw.dirty[ws] || now.Sub(last) < fw.snapshot) {
			continue
		}
		if err := fw.o.Store.SnapshotSegmentSizes(ctx, ws, today, now); err != nil {
			return err
		}
		fw.snapped[ws], fw.dirty[ws] = now, false
	}
	return nil
}

// SnapshotNow records today's sizes of a workspace's segments at once
// (after an install, and for tests).
func (fw *Follower) SnapshotNow(ctx context.Context, workspaceID string) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	now := fw.o.Now()
	if err := fw.o.Store.SnapshotSegmentSizes(ctx, workspaceID, now.UTC().Format(time.DateOnly), now); err != nil {
		return err
	}
	fw.snapped[workspaceID] = now
	return nil
}
