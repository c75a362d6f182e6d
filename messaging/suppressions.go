package messaging

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// suppressionCSVHeader is the export's first row, and what import reads.
var suppressionCSVHeader = []string{"email", "reason", "source", "detail", "created_at"}

// MaxImportRows bounds one import.
const MaxImportRows = 100_000

// InvalidImport is a CSV that cannot be imported; the HTTP layer answers
// 400 with the line.
type InvalidImport struct {
	Line   int
	Reason string
}

func (e *InvalidImport) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("suppression import: line %d: %s", e.Line, e.Reason)
	}
	return "suppression import: " + e.Reason
}

// InvalidInput marks the error as the caller's fault.
func (e *InvalidImport) InvalidInput() {}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"` // rows without a valid address
}

var importReasons = map[string]bool{store.SuppressHardBounce: true, store.SuppressSoftBounce: true,
	store.SuppressComplaint: true, store.SuppressUnsubscribe: true, store.SuppressManual: true}

// ImportSuppressions reads a CSV: a header row naming an "email" column
// (and optionally "reason" and "detail"), or no header with the address
// in the first column. A reason missing or unknown is "manual". Rows
// without a valid address are skipped and counted; the rest is stored in
// one transaction, so an import either lands whole or not at all.
func (s *Service) ImportSuppressions(ctx context.Context, workspaceID, source string, r io.Reader) (ImportResult, error) {
	cr := csv.NewReader(io.LimitReader(r, 64<<20))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	emailCol, reasonCol, detailCol := 0, -1, -1
	var res ImportResult
	var sps []store.Suppression
	now := s.now().UTC()
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, &InvalidImport{Line: line, Reason: err.Error()}
		}
		if line == 1 {
			if col := indexOf(rec, "email"); col >= 0 {
				emailCol, reasonCol, detailCol = col, indexOf(rec, "reason"), indexOf(rec, "detail")
				continue
			}
		}
		if len(sps)+res.Skipped >= MaxImportRows {
			return res, &InvalidImport{Line: line, Reason: fmt.Sprintf("more than %d rows", MaxImportRows)}
		}
		addr, ok := "", false
		if emailCol < len(rec) {
			addr, ok = NormalizeEmail(rec[emailCol])
		}
		if !ok {
			res.Skipped++
			continue
		}
		sp := store.Suppression{WorkspaceID: workspaceID, Email: addr, Reason: store.SuppressManual, Source: source, CreatedAt: now}
		if reasonCol >= 0 && reasonCol < len(rec) && importReasons[strings.ToLower(strings.TrimSpace(rec[reasonCol]))] {
			sp.Reason = strings.ToLower(strings.TrimSpace(rec[reasonCol]))
		}
		if detailCol >= 0 && detailCol < len(rec) {
			sp.Detail = trimDetail(strings.TrimSpace(rec[detailCol]))
		}
		sps = append(sps, sp)
	}
	if err := s.st.Suppress(ctx, sps); err != nil {
		return res, err
	}
	res.Imported = len(sps)
	s.log.Info("suppressions imported", "workspace", workspaceID, "imported", res.Imported, "skipped", res.Skipped)
	return res, nil
}

func indexOf(rec []string, name string) int {
	for i, v := range rec {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(v, "\ufeff")), name) {
			return i
		}
	}
	return -1
}

// ExportSuppressions writes the whole list as CSV (the header row first),
// page by page, so a long list is never held in memory.
func (s *Service) ExportSuppressions(ctx context.Context, workspaceID string, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(suppressionCSVHeader); err != nil {
		return err
	}
	f := store.SuppressionFilter{Limit: 1000}
	for {
		page, err := s.st.Suppressions(ctx, workspaceID, f)
		if err != nil {
			return err
		}
		for _, sp := range page {
			if err := cw.Write([]string{sp.Email, sp.Reason, sp.Source, csvSafe(sp.Detail),
				sp.CreatedAt.UTC().Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		if len(page) < f.Limit {
			break
		}
		last := page[len(page)-1]
		f.Before, f.BeforeEmail = last.CreatedAt, last.Email
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula: detail
// comes from bounce reports, which anyone on the internet can write.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Suppress adds one address by hand (console or API).
func (s *Service) Suppress(ctx context.Context, workspaceID, addr, reason, source, detail string) (store.Suppression, error) {
	e, ok := NormalizeEmail(addr)
	if !ok {
		return store.Suppression{}, &InvalidImport{Reason: fmt.Sprintf("%q is not an email address", addr)}
	}
	if reason == "" {
		reason = store.SuppressManual
	}
	if !importReasons[reason] {
		return store.Suppression{}, &InvalidImport{Reason: fmt.Sprintf("unknown reason %q", reason)}
	}
	sp := store.Suppression{WorkspaceID: workspaceID, Email: e, Reason: reason, Source: source, Detail: trimDetail(detail), CreatedAt: s.now().UTC()}
	if err := s.st.Suppress(ctx, []store.Suppression{sp}); err != nil {
		return sp, err
	}
	got, err := s.st.Suppression(ctx, workspaceID, e)
	return got, err
}

// Unsuppress takes an address off the list; false when it was not on it.
func (s *Service) Unsuppress(ctx context.Context, workspaceID, addr string) (bool, error) {
	e, ok := NormalizeEmail(addr)
	if !ok {
		return false, nil
	}
	return s.st.Unsuppress(ctx, workspaceID, e)
}

// Suppressions lists the workspace's list, newest first.
func (s *Service) Suppressions(ctx context.Context, workspaceID string, f store.SuppressionFilter) ([]store.Suppression, error) {
	return s.st.Suppressions(ctx, workspaceID, f)
}
