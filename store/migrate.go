package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one embedded, versioned schema change.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dialect string) ([]migration, error) {
	dir := "migrations/" + dialect
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive version and _", name)
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction, and returns the names of those it applied. Running it again
// applies nothing. A database from a newer Cartwheel (a version this binary
// does not know) is refused rather than silently used.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := loadMigrations("sqlite")
	if err != nil {
		return nil, err
	}
	if s.startedReadOnly {
		// Nothing can be applied: a current schema is served read-only,
		// an outdated one cannot be.
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			return nil, err
		}
		if want := ms[len(ms)-1].version; v != want {
			return nil, fmt.Errorf("%w: schema version %d needs migrating to %d", ErrUnavailable, v, want)
		}
		return nil, nil
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range ms {
		did := false
		err := s.tx(ctx, func(tx *sql.Tx) error {
			// Checked inside the write transaction so that two processes
			// starting at once cannot both apply the same migration.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			did = true
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if did {
			applied = append(applied, m.name)
			s.log.Info("migration applied", "name", m.name)
		}
	}
	var newest int
	if err := s.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return applied, fmt.Errorf("read schema version: %w", err)
	}
	if len(ms) > 0 && newest > ms[len(ms)-1].version {
		return applied, fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade Cartwheel", newest, ms[len(ms)-1].version)
	}
	return applied, nil
}

// SchemaVersion returns the newest applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
