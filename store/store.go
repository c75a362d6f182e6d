// Package store holds all of Cartwheel's SQL: the embedded migrations, the
// named queries and one file per entity. It imports no domain logic.
//
// SQLite (the default) is opened twice: one writer connection, because SQLite
// has one writer at a time and queuing in Go is cheaper than busy-waiting in
// SQLite, and a small pool of read-only connections that WAL mode lets run
// beside the writer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrNotFound is returned when a looked-up row does not exist (or belongs to
// another workspace, which callers must not be able to tell apart).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique constraint rejects a write.
var ErrConflict = errors.New("conflict")

// Store is the database handle every domain package goes through.
type Store struct {
	w    *sql.DB
	r    *sql.DB
	q    *queries
	path string
	log  *slog.Logger
	// health is what the last writes say about the disk (health.go).
	health writeHealth
	// startedReadOnly: the writer could not be opened at Open (disk full),
	// and the readers read the file without the WAL's shared memory.
	startedReadOnly bool
}

// Open opens (creating if needed) the SQLite database at path. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: path %q must not contain ? or #", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	// synchronous=FULL: an event is acknowledged only once committed, and a
	// commit must survive not just kill -9 but power loss. Group commit keeps
	// the fsync count low.
	// _stmt_cache_size keeps prepared statements per connection: the
	// processor and the event writer run the same few statements thousands
	// of times a second, and preparing each time was a tenth of their CPU.
	common := "_busy_timeout=5000&_foreign_keys=1&_synchronous=FULL&_stmt_cache_size=64"
	w, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_txlock=immediate&"+common)
	if err != nil {
		return nil, fmt.Errorf("open database writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	readerDSN := path + "?_query_only=1&" + common
	readOnly := false
	if err := w.PingContext(ctx); err != nil {
		// A full disk cannot even hold the WAL's shared-memory file. An
		// existing database whose WAL is empty (a clean stop) is then read
		// as an immutable file, so reads are served while every write fails
		// as unavailable; the writer pool opens its connection lazily, so
		// writes come back by themselves once there is room.
		if !IsUnavailable(err) || !cleanFile(path) {
			w.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		readOnly = true
	}
	s := &Store{w: w, path: path, log: logOrDiscard(log), startedReadOnly: readOnly}
	var r *sql.DB
	if readOnly {
		immutable := "file:" + strings.NewReplacer("%", "%25", " ", "%20").Replace(path) + "?immutable=1&_query_only=1&" + common
		r = sql.OpenDB(&readConnector{normal: readerDSN, immutable: immutable, st: s})
	} else if r, err = sql.Open("sqlite3", readerDSN); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database readers: %w", err)
	}
	s.r = r
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	if readOnly {
		// An immutable connection never sees a writer that comes back:
		// reconnecting every second switches to ordinary ones once writes
		// succeed (readConnector).
		r.SetConnMaxLifetime(time.Second)
	}
	if s.q, err = loadQueries(rewriteForSQLite); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	if readOnly {
		_ = s.noteFailure(fmt.Errorf("open database writer: %w", ErrUnavailable))
		if err := r.PingContext(ctx); err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("open database %s read-only: %w", path, err)
		}
	}
	return s, nil
}

// Close closes both pools, checkpointing the WAL into the main file.
func (s *Store) Close() error {
	rerr := s.r.Close()
	// A TRUNCATE checkpoint leaves a single self-contained file behind,
	// which is what an admin copying the data dir expects.
	if _, err := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.log.Warn("wal checkpoint at close", "err", err)
	}
	return errors.Join(s.w.Close(), rerr)
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping reader: %w", err)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// tx runs fn in one write transaction, committing if it returns nil. A
// failure for lack of space (or a read-only or failing device) wraps
// ErrUnavailable and marks the store's writes as failing (health.go).
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.txProving(ctx, fn, false)
}

// txProving is tx; proves says that the write's success shows the
// database takes writes again. Only writes that need fresh pages (event
// appends, the write probe) may say so: a small update that fits in pages
// the file already has succeeds on a full disk too.
func (s *Store) txProving(ctx context.Context, fn func(*sql.Tx) error, proves bool) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.noteFailure(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.noteFailure(err)
	}
	if err := tx.Commit(); err != nil {
		return s.noteFailure(fmt.Errorf("commit: %w", err))
	}
	if proves {
		s.noteSuccess()
	}
	return nil
}

// ms converts a time to the Unix milliseconds every table stores; the zero
// time is stored as 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// list runs a query and scans every row with scan: the loop every listing
// shares. It never returns nil, so an empty listing encodes as [].
func list[T any](ctx context.Context, db *sql.DB, what, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// keyset turns a page cursor (the sort time and id of the previous page's
// last row; zero for the first page) and a requested size into query
// arguments: newest-first keyset paging stays fast however deep a client
// pages, unlike OFFSET.
func keyset(before time.Time, beforeID string, limit int) (int64, string, int) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if before.IsZero() {
		return math.MaxInt64, "\uffff", limit
	}
	return ms(before), beforeID, limit
}
