package cdp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// ErrOverloaded means the write queue is full: the caller should answer 503
// with Retry-After instead of letting memory grow.
var ErrOverloaded = errors.New("event queue is full")

// ErrClosed means the writer has stopped accepting events (shutdown).
var ErrClosed = errors.New("event writer is closed")

// WriterOptions sizes the group-commit writer.
type WriterOptions struct {
	// QueueEvents bounds the events waiting to be written; past it Append
	// fails fast with ErrOverloaded.
	QueueEvents int
	// MaxBatch bounds the events written in one transaction.
	MaxBatch int
}

// DefaultWriterOptions suit SQLite on a small machine: a full queue is about
// half a second of writing at the target rate.
func DefaultWriterOptions() WriterOptions { return WriterOptions{QueueEvents: 20000, MaxBatch: 2000} }

type writeReq struct {
	evs  []store.Event
	done chan error
}

// Writer appends events to the log with group commit: concurrent callers'
// events share one transaction (one fsync), and each caller returns only
// once its events are durably committed. That is what lets /collect
// acknowledge an event only after it is safe, at tens of thousands of events
// a second.
type Writer struct {
	st      *store.Store
	log     *slog.Logger
	opt     WriterOptions
	reqs    chan writeReq
	mu      sync.Mutex
	queued  int // events accepted but not yet written
	closed  bool
	stopped chan struct{}
	// onCommit, if set, is called after each successful commit; processors
	// use it to wake up instead of polling.
	onCommit func()
}

// NewWriter starts a writer; Close stops it after writing what was queued.
func NewWriter(st *store.Store, log *slog.Logger, opt WriterOptions, onCommit func()) *Writer {
	if opt.QueueEvents <= 0 || opt.MaxBatch <= 0 {
		opt = DefaultWriterOptions()
	}
	w := &Writer{st: st, log: log, opt: opt, reqs: make(chan writeReq, opt.QueueEvents),
		stopped: make(chan struct{}), onCommit: onCommit}
	go w.loop()
	return w
}

// Append queues evs and waits until they are committed (or ctx ends: the
// events may then still be written, so callers retry idempotently).
func (w *Writer) Append(ctx context.Context, evs []store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		return ErrClosed
	case w.queued+len(evs) > w.opt.QueueEvents:
		w.mu.Unlock()
		return ErrOverloaded
	}
	w.queued += len(evs)
	req := writeReq{evs: evs, done: make(chan error, 1)}
	// Cannot block: the channel holds QueueEvents requests and every
	// queued request has at least one event.
	w.reqs <- req
	w.mu.Unlock()
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// admitShare is how full the queue may be before Admit turns new requests
// away: the rest absorbs requests already being decoded, which would
// otherwise be decoded for nothing.
const admitShare = 0.75

// Admit reports whether a new request should be read and decoded at all:
// false once the queue is three quarters full. Handlers ask it before
// touching the body, so overload costs a status line per request, not a
// JSON decode; Append still enforces the hard limit.
func (w *Writer) Admit() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.closed && float64(w.queued) < admitShare*float64(w.opt.QueueEvents)
}

// Queued reports how many events wait to be written (the
// cartwheel_ingest_queued_events gauge).
func (w *Writer) Queued() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued
}

func (w *Writer) loop() {
	defer close(w.stopped)
	for first := range w.reqs {
		batch := []writeReq{first}
		n := len(first.evs)
		// Take whatever else is already waiting: under load batches grow by
		// themselves, and an idle writer commits a lone event at once.
	drain:
		for n < w.opt.MaxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
				n += len(r.evs)
			default:
				break drain
			}
		}
		w.commit(batch, n)
	}
}

func (w *Writer) commit(batch []writeReq, n int) {
	all := make([]store.Event, 0, n)
	for _, r := range batch {
		all = append(all, r.evs...)
	}
	err := w.st.AppendEvents(context.Background(), all)
	if err != nil {
		err = fmt.Errorf("append %d events: %w", n, err)
		// A full disk is logged by the store, once per interval: here it
		// would be a line per batch for as long as the disk stays full.
		if !store.IsUnavailable(err) {
			w.log.Error("event log write failed", "events", n, "err", err)
		}
	} else if w.onCommit != nil {
		w.onCommit()
	}
	for _, r := range batch {
		r.done <- err
	}
	w.mu.Lock()
	w.queued -= n
	w.mu.Unlock()
}

// Close stops accepting events and returns once every queued event is
// written, or when ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	select {
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("event writer: %w", ctx.Err())
	}
}

// retryAfter is what a 503 tells clients; a full queue drains in well under it.
const retryAfter = time.Second

// RetryAfter is the back-off to advertise with ErrOverloaded.
func RetryAfter() time.Duration { return retryAfter }

// unavailableRetryAfter is what a 503 says when the database cannot be
// written (disk full): freeing space takes an operator, not a second.
const unavailableRetryAfter = 10 * time.Second

// UnavailableRetryAfter is the back-off to advertise with
// store.ErrUnavailable.
func UnavailableRetryAfter() time.Duration { return unavailableRetryAfter }

// RecordFor appends one event about a known contact (what Ingest.RecordFor
// does) through the group commit: flows log an event per send, and many
// sends at once then share a transaction instead of each taking the writer.
func (w *Writer) RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, occurred time.Time, p any) error {
	ev, err := contactEvent(workspaceID, contactID, typ, source, occurred, time.Now(), p)
	if err != nil {
		return err
	}
	if err := w.Append(ctx, []store.Event{ev}); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	return nil
}
