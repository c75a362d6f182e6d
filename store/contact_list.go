package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContactFilter selects a page of contacts.
type ContactFilter struct {
	// Query is matched as a prefix of the email, phone, first or last name
	// (case-insensitive for ASCII letters), "first last" as prefixes of
	// both names, or exactly as a contact id. Empty lists every contact.
	Query string
	// Cursor is the NextCursor of the previous page; empty starts at the
	// newest contact.
	Cursor string
	Limit  int
	// From and To, when set, list only contacts created in [From, To), or,
	// with ConsentChannel, those whose consent on that channel was last set
	// to ConsentGranted in it (the dashboard's new subscribers and
	// unsubscribes); Query is then ignored.
	From, To       time.Time
	ConsentChannel string
	ConsentGranted bool
}

// ContactPage is one page of contacts, newest first.
type ContactPage struct {
	Contacts []Contact `json:"contacts"`
	// NextCursor continues the list; empty on the last page.
	NextCursor string `json:"next_cursor"`
}

// ErrBadCursor is returned for a cursor this store did not hand out.
var ErrBadCursor = fmt.Errorf("cursor is malformed: pass back next_cursor unchanged")

// ListContacts returns a page of live (not merged away) contacts, newest
// first, matching f.Query. Paging is by keyset (created time, id), so a page
// costs the same deep in a million contacts as at the start.
func (s *Store) ListContacts(ctx context.Context, workspaceID string, f ContactFilter) (ContactPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	afterMS, afterID := int64(math.MaxInt64), ""
	if f.Cursor != "" {
		ms, id, ok := strings.Cut(f.Cursor, ".")
		v, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil || id == "" {
			return ContactPage{}, ErrBadCursor
		}
		afterMS, afterID = v, id
	}
	if f.hasPeriod() {
		return s.listContactsPeriod(ctx, workspaceID, f, afterMS, afterID)
	}
	q := strings.TrimSpace(f.Query)
	var query string
	args := []any{workspaceID, afterMS, afterID, f.Limit}
	switch first, last, full := strings.Cut(q, " "); {
	case q == "":
		query = s.q.ContactList
	case full && !strings.ContainsAny(q, "@+0123456789"):
		first, last = asciiLower(first), asciiLower(strings.TrimSpace(last))
		query = s.q.ContactSearchName
		args = append(args, first, prefixEnd(first), last, prefixEnd(last))
	default:
		ident := strings.ToLower(strings.ReplaceAll(q, " ", ""))
		name := asciiLower(q)
		query = s.q.ContactSearch
		args = append(args, ident, prefixEnd(ident), name, prefixEnd(name), q)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return ContactPage{}, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	page := ContactPage{Contacts: []Contact{}}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return ContactPage{}, fmt.Errorf("list contacts: %w", err)
		}
		page.Contacts = append(page.Contacts, c)
	}
	if err := rows.Err(); err != nil {
		return ContactPage{}, fmt.Errorf("list contacts: %w", err)
	}
	if n := len(page.Contacts); n == f.Limit {
		last := page.Contacts[n-1]
		page.NextCursor = strconv.FormatInt(last.CreatedAt.UnixMilli(), 10) + "." + last.ID
	}
	return page, nil
}

// asciiLower lower-cases A–Z only, as SQLite's lower() does, so that the
// bounds compare with the indexed lower(first_name) the same way.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// prefixEnd is the smallest string greater than every string starting with
// p, so that "x >= p AND x < prefixEnd(p)" is a prefix match an index can
// serve.
func prefixEnd(p string) string {
	return p + string(utf8.MaxRune)
}
