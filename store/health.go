package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrUnavailable marks a write the database could not take for a reason
// outside the request: the disk is full, the file or its directory became
// read-only, or the device failed. Retrying later can succeed, so the HTTP
// layer answers 503 with Retry-After rather than 500.
var ErrUnavailable = errors.New("database cannot be written")

// IsUnavailable reports whether err is (or wraps) a write the database
// could not take for lack of space or a read-only or failing device.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrCantOpen:
			return true
		}
	}
	return false
}

// writeHealthLogEvery bounds the "database cannot be written" log to one
// line per interval, however many requests fail meanwhile.
const writeHealthLogEvery = 10 * time.Second

// probePad is the write probe's padding: enough fresh pages that a full
// database refuses it.
const probePad = 64 << 10

// writeHealth is what the store knows of its last writes.
type writeHealth struct {
	mu       sync.Mutex
	failing  bool
	since    time.Time // when writes started failing
	lastErr  error
	failures int       // failures since the last log line
	total    int       // failures since writes started failing
	logged   time.Time // last log line
}

// WriteStatus is the store's view of whether it can take writes.
type WriteStatus struct {
	OK    bool
	Since time.Time // when writes started failing (zero when OK)
	Err   error     // the last failure (nil when OK)
}

// WriteStatus reports whether the last write (or write probe) succeeded.
// /readyz reports not-ready while it did not.
func (s *Store) WriteStatus() WriteStatus {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing {
		return WriteStatus{OK: true}
	}
	return WriteStatus{Since: h.since, Err: h.lastErr}
}

// noteSuccess records a write that shows the database takes writes, and
// logs the recovery once.
func (s *Store) noteSuccess() {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failing {
		s.log.Warn("database writable again", "down_for", time.Since(h.since).Round(time.Millisecond),
			"failed_writes", h.total)
		h.failing, h.lastErr, h.failures, h.total = false, nil, 0, 0
	}
}

// noteFailure returns err, wrapped with ErrUnavailable and recorded when
// the database could not take the write. Failures are logged once per
// writeHealthLogEvery with the count since the last line: a full disk under
// load must not also fill the log.
func (s *Store) noteFailure(err error) error {
	if !IsUnavailable(err) {
		return err
	}
	h := &s.health
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing {
		h.failing, h.since, h.total, h.failures = true, now, 0, 0
		h.logged = time.Time{}
	}
	h.lastErr = err
	h.failures++
	h.total++
	if now.Sub(h.logged) >= writeHealthLogEvery {
		s.log.Error("database cannot be written: answering writes with 503 until it can", "err", err,
			"failed_writes_since_last_log", h.failures, "failing_for", now.Sub(h.since).Round(time.Millisecond))
		h.logged, h.failures = now, 0
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// ProbeWrite commits a small padded write (and removes it in the same
// transaction), recording the outcome like any write: it is how the
// server learns that a full disk has room again when no client writes.
func (s *Store) ProbeWrite(ctx context.Context) error {
	return s.txProving(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.WriteProbeInsert, probePad); err != nil {
			return fmt.Errorf("write probe: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.WriteProbeDelete); err != nil {
			return fmt.Errorf("write probe: %w", err)
		}
		return nil
	}, true)
}

// WatchWrites probes the database every interval while its writes fail,
// until ctx ends, so that readiness comes back by itself once there is
// room again, even on a replica the load balancer has taken out.
func (s *Store) WatchWrites(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !s.WriteStatus().OK {
				_ = s.ProbeWrite(ctx)
			}
		}
	}
}

// LimitPages caps the database file at its current size plus extra pages
// (PRAGMA max_page_count on the writer connection) and returns the cap:
// past it every write fails with SQLITE_FULL exactly as on a full disk. It
// exists to test the full-disk path through the real database; 0 extra
// with a large value lifts the cap again (see UnlimitPages).
func (s *Store) LimitPages(ctx context.Context, extra int64) (int64, error) {
	var n int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&n); err != nil {
		return 0, fmt.Errorf("page count: %w", err)
	}
	var got int64
	if err := s.w.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n+extra)).Scan(&got); err != nil {
		return 0, fmt.Errorf("max page count: %w", err)
	}
	return got, nil
}

// UnlimitPages lifts LimitPages' cap.
func (s *Store) UnlimitPages(ctx context.Context) error {
	var got int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA max_page_count = 4294967294").Scan(&got); err != nil {
		return fmt.Errorf("max page count: %w", err)
	}
	return nil
}

// StartedReadOnly reports whether the database could not be written when it
// was opened (disk full) and was opened for reading only: what cannot run
// without writes at start-up (flows, the demo) is then left off.
func (s *Store) StartedReadOnly() bool { return s.startedReadOnly }

// logOrDiscard is the store's logger, never nil.
func logOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// readWriter is the pool for reads that must see the latest writes (they
// go through the writer connection): the read pool instead while a store
// that started read-only still cannot open its writer.
func (s *Store) readWriter() *sql.DB {
	if s.startedReadOnly && !s.WriteStatus().OK {
		return s.r
	}
	return s.w
}

// cleanFile reports whether the database file exists and its WAL holds
// nothing (a clean stop checkpoints and truncates it): only then does
// reading the file alone, immutable, give the committed data.
func cleanFile(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	fi, err := os.Stat(path + "-wal")
	return errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0
}

// readConnector opens the read pool's connections of a store that started
// read-only: immutable ones while writes fail (a full disk cannot hold the
// WAL's shared memory), ordinary ones once a write has succeeded.
type readConnector struct {
	normal, immutable string
	st                *Store
}

func (c *readConnector) Connect(context.Context) (driver.Conn, error) {
	dsn := c.normal
	if !c.st.WriteStatus().OK {
		dsn = c.immutable
	}
	return c.Driver().Open(dsn)
}

func (c *readConnector) Driver() driver.Driver { return &sqlite3.SQLiteDriver{} }
