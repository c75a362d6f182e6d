package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// segmentQueries serve segments: definitions, membership, re-check times
// and daily sizes (personalization/segments).
type segmentQueries struct {
	SegmentPut                   string `query:"segment-put"`
	SegmentGet                   string `query:"segment-get"`
	SegmentByReadyMade           string `query:"segment-by-ready-made"`
	SegmentList                  string `query:"segment-list"`
	SegmentDelete                string `query:"segment-delete"`
	SegmentMembersDeleteSegment  string `query:"segment-members-delete-segment"`
	SegmentSizesDeleteSegment    string `query:"segment-sizes-delete-segment"`
	SegmentMemberPut             string `query:"segment-member-put"`
	SegmentMemberDelete          string `query:"segment-member-delete"`
	SegmentMemberExists          string `query:"segment-member-exists"`
	SegmentContactSegments       string `query:"segment-contact-segments"`
	SegmentCount                 string `query:"segment-count"`
	SegmentMembersPage           string `query:"segment-members-page"`
	SegmentDuePut                string `query:"segment-due-put"`
	SegmentDueDelete             string `query:"segment-due-delete"`
	SegmentDueList               string `query:"segment-due-list"`
	SegmentDueNext               string `query:"segment-due-next"`
	SegmentSizePut               string `query:"segment-size-put"`
	SegmentSizeHistory           string `query:"segment-size-history"`
	SegmentWorkspaces            string `query:"segment-workspaces"`
	SegmentProfilesPage          string `query:"segment-profiles-page"`
	EraseWorkspaceSegmentMembers string `query:"erase-workspace-segment-members"`
	EraseContactSegmentMembers   string `query:"erase-contact-segment-members"`
	EraseContactSegmentDue       string `query:"erase-contact-segment-due"`
	EraseWorkspaceSegmentDue     string `query:"erase-workspace-segment-due"`
}

// Segment is a stored segment definition.
type Segment struct {
	WorkspaceID string
	ID          string
	Name        string
	Description string
	Definition  []byte
	// ReadyMade names the ready-made segment it was installed from.
	ReadyMade string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func scanSegment(row scanner) (Segment, error) {
	var s Segment
	var def string
	var created, updated int64
	err := row.Scan(&s.WorkspaceID, &s.ID, &s.Name, &s.Description, &def, &s.ReadyMade, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.Definition, s.CreatedAt, s.UpdatedAt = []byte(def), fromMS(created), fromMS(updated)
	return s, err
}

// PutSegment creates a segment or replaces its name, description and
// definition.
func (s *Store) PutSegment(ctx context.Context, sg Segment) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.SegmentPut, sg.WorkspaceID, sg.ID, sg.Name, sg.Description, string(sg.Definition),
			sg.ReadyMade, ms(sg.UpdatedAt))
		if err != nil {
			return fmt.Errorf("put segment %s: %w", sg.ID, err)
		}
		return nil
	})
}

// Segment returns one segment; ErrNotFound when the workspace has none by id.
func (s *Store) Segment(ctx context.Context, workspaceID, id string) (Segment, error) {
	sg, err := scanSegment(s.r.QueryRowContext(ctx, s.q.SegmentGet, workspaceID, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return sg, fmt.Errorf("segment %s: %w", id, err)
	}
	return sg, err
}

// SegmentByReadyMade returns the segment installed from a ready-made one.
func (s *Store) SegmentByReadyMade(ctx context.Context, workspaceID, key string) (Segment, error) {
	sg, err := scanSegment(s.r.QueryRowContext(ctx, s.q.SegmentByReadyMade, workspaceID, key))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return sg, fmt.Errorf("ready-made segment %s: %w", key, err)
	}
	return sg, err
}

// Segments lists a workspace's segments by name.
func (s *Store) Segments(ctx context.Context, workspaceID string) ([]Segment, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentList, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		sg, err := scanSegment(rows)
		if err != nil {
			return nil, fmt.Errorf("segments: %w", err)
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// DeleteSegment removes a segment with its members and size history.
func (s *Store) DeleteSegment(ctx context.Context, workspaceID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{s.q.SegmentMembersDeleteSegment, s.q.SegmentSizesDeleteSegment, s.q.SegmentDelete} {
			if _, err := tx.ExecContext(ctx, q, workspaceID, id); err != nil {
				return fmt.Errorf("delete segment %s: %w", id, err)
			}
		}
		return nil
	})
}

// SegmentWorkspaces lists the workspaces that have segments.
func (s *Store) SegmentWorkspaces(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentWorkspaces)
	if err != nil {
		return nil, fmt.Errorf("segment workspaces: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ws string
		if err := rows.Scan(&ws); err != nil {
			return nil, fmt.Errorf("segment workspaces: %w", err)
		}
		out = append(out, ws)
	}
	return out, rows.Err()
}

// SegmentMembership is one segment a contact is in.
type SegmentMembership struct {
	SegmentID string
	Since     time.Time
}

// ContactSegments lists the segments a contact is in.
func (s *Store) ContactSegments(ctx context.Context, workspaceID, contactID string) ([]SegmentMembership, error) {
	return contactSegments(ctx, s.r, s.q.SegmentContactSegments, workspaceID, contactID)
}

func contactSegments(ctx context.Context, q rowQuerier, query, workspaceID, contactID string) ([]SegmentMembership, error) {
	rows, err := q.QueryContext(ctx, query, workspaceID, contactID)
	if err != nil {
		return nil, fmt.Errorf("segments of %s: %w", contactID, err)
	}
	defer rows.Close()
	var out []SegmentMembership
	for rows.Next() {
		var m SegmentMembership
		var since int64
		if err := rows.Scan(&m.SegmentID, &since); err != nil {
			return nil, fmt.Errorf("segments of %s: %w", contactID, err)
		}
		m.Since = fromMS(since)
		out = append(out, m)
	}
	return out, rows.Err()
}

// SegmentMember reports whether a contact is in a segment now.
func (s *Store) SegmentMember(ctx context.Context, workspaceID, segmentID, contactID string) (bool, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, s.q.SegmentMemberExists, workspaceID, segmentID, contactID).Scan(&n); err != nil {
		return false, fmt.Errorf("segment %s member: %w", segmentID, err)
	}
	return n != 0, nil
}

// SegmentMember reports, inside the transaction, whether a contact is in
// a segment (automation checks exclusions as it enrols).
func (t *Tx) SegmentMember(workspaceID, segmentID, contactID string) (bool, error) {
	var n int64
	if err := t.tx.QueryRowContext(t.ctx, t.q.SegmentMemberExists, workspaceID, segmentID, contactID).Scan(&n); err != nil {
		return false, fmt.Errorf("segment %s member: %w", segmentID, err)
	}
	return n != 0, nil
}

// SegmentCount is how many contacts a segment has now.
func (s *Store) SegmentCount(ctx context.Context, workspaceID, segmentID string) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, s.q.SegmentCount, workspaceID, segmentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("segment %s count: %w", segmentID, err)
	}
	return n, nil
}

// SegmentMemberRow is one member on a members page.
type SegmentMemberRow struct {
	ContactID                  string
	Since                      time.Time
	Email, FirstName, LastName string
}

// SegmentMembers pages through a segment's members by contact id, after
// the id given.
func (s *Store) SegmentMembers(ctx context.Context, workspaceID, segmentID, after string, limit int) ([]SegmentMemberRow, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentMembersPage, workspaceID, segmentID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("segment %s members: %w", segmentID, err)
	}
	defer rows.Close()
	var out []SegmentMemberRow
	for rows.Next() {
		var m SegmentMemberRow
		var since int64
		if err := rows.Scan(&m.ContactID, &since, &m.Email, &m.FirstName, &m.LastName); err != nil {
			return nil, fmt.Errorf("segment %s members: %w", segmentID, err)
		}
		m.Since = fromMS(since)
		out = append(out, m)
	}
	return out, rows.Err()
}

// SegmentDue is a contact whose segments must be evaluated again at At.
type SegmentDue struct {
	WorkspaceID, ContactID string
	At                     time.Time
}

// SegmentsDue lists re-checks due by now, earliest first.
func (s *Store) SegmentsDue(ctx context.Context, now time.Time, limit int) ([]SegmentDue, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentDueList, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("segment re-checks: %w", err)
	}
	defer rows.Close()
	var out []SegmentDue
	for rows.Next() {
		var d SegmentDue
		var at int64
		if err := rows.Scan(&d.WorkspaceID, &d.ContactID, &at); err != nil {
			return nil, fmt.Errorf("segment re-checks: %w", err)
		}
		d.At = fromMS(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextSegmentDue is the earliest re-check time, zero when none is set.
func (s *Store) NextSegmentDue(ctx context.Context) (time.Time, error) {
	var at int64
	if err := s.r.QueryRowContext(ctx, s.q.SegmentDueNext).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("next segment re-check: %w", err)
	}
	if at == 0 {
		return time.Time{}, nil
	}
	return fromMS(at), nil
}

// SegmentSize is a segment's size on one day (YYYY-MM-DD, UTC).
type SegmentSize struct {
	Day  string
	Size int64
}

// SegmentSizes lists a segment's daily sizes from day since on.
func (s *Store) SegmentSizes(ctx context.Context, workspaceID, segmentID, since string) ([]SegmentSize, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentSizeHistory, workspaceID, segmentID, since)
	if err != nil {
		return nil, fmt.Errorf("segment %s sizes: %w", segmentID, err)
	}
	defer rows.Close()
	var out []SegmentSize
	for rows.Next() {
		var z SegmentSize
		if err := rows.Scan(&z.Day, &z.Size); err != nil {
			return nil, fmt.Errorf("segment %s sizes: %w", segmentID, err)
		}
		out = append(out, z)
	}
	return out, rows.Err()
}

// SnapshotSegmentSizes records every segment's size of a workspace as the
// size of day.
func (s *Store) SnapshotSegmentSizes(ctx context.Context, workspaceID, day string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.SegmentSizePut, workspaceID, day, ms(at)); err != nil {
			return fmt.Errorf("segment sizes: %w", err)
		}
		return nil
	})
}

// ProfileContacts pages through the contacts with a profile by id.
func (s *Store) ProfileContacts(ctx context.Context, workspaceID, after string, limit int) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.q.SegmentProfilesPage, workspaceID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("profile contacts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("profile contacts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ContactSegments lists, inside the transaction, the segments a contact is in.
func (t *Tx) ContactSegments(workspaceID, contactID string) ([]SegmentMembership, error) {
	return contactSegments(t.ctx, t.tx, t.q.SegmentContactSegments, workspaceID, contactID)
}

// JoinSegment records a contact entering a segment at since.
func (t *Tx) JoinSegment(workspaceID, segmentID, contactID string, since time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.SegmentMemberPut, workspaceID, segmentID, contactID, ms(since)); err != nil {
		return fmt.Errorf("join segment %s: %w", segmentID, err)
	}
	return nil
}

// LeaveSegment records a contact leaving a segment.
func (t *Tx) LeaveSegment(workspaceID, segmentID, contactID string) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.SegmentMemberDelete, workspaceID, segmentID, contactID); err != nil {
		return fmt.Errorf("leave segment %s: %w", segmentID, err)
	}
	return nil
}

// SetSegmentDue sets when a contact's segments are evaluated again; a
// zero time clears it.
func (t *Tx) SetSegmentDue(workspaceID, contactID string, at time.Time) error {
	var err error
	if at.IsZero() {
		_, err = t.tx.ExecContext(t.ctx, t.q.SegmentDueDelete, workspaceID, contactID)
	} else {
		_, err = t.tx.ExecContext(t.ctx, t.q.SegmentDuePut, workspaceID, contactID, ms(at))
	}
	if err != nil {
		return fmt.Errorf("segment re-check of %s: %w", contactID, err)
	}
	return nil
}

// AppendEvents appends events to the log inside the transaction (a
// processor's own events, committed with the state they describe).
func (t *Tx) AppendEvents(evs []Event) error {
	return appendEvents(t.ctx, t.tx, t.q, evs)
}
