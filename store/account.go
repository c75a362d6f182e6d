package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// User is a person who signs in to the admin console.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name,omitempty"`
	PasswordHash  string    `json:"-"`
	Locale        string    `json:"locale,omitempty"`
	InstanceAdmin bool      `json:"instance_admin,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Membership gives a user a role in a workspace.
type Membership struct {
	WorkspaceID string    `json:"workspace_id"`
	UserID      string    `json:"user_id"`
	Role        string    `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
	// Email and Name are the member's, filled when listing a workspace.
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// ConsoleSession is a signed-in browser; only the hash of its id is stored.
type ConsoleSession struct {
	UserID string
	CSRF   string
	// FrameAncestors are the origins that may frame the console in this
	// session (the shop's Shopify admin); empty: none.
	FrameAncestors string
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// AccountLink is a one-time link: the instance's set-up, a password reset
// or an invitation. Only the hash of its token is stored.
type AccountLink struct {
	Hash        string
	Purpose     string
	UserID      string
	Email       string
	WorkspaceID string
	Role        string
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      time.Time
}

// AuditEntry is one change made in the console.
type AuditEntry struct {
	ID          int64     `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	UserID      string    `json:"user_id"`
	UserEmail   string    `json:"user_email"`
	Action      string    `json:"action"`
	Target      string    `json:"target,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	At          time.Time `json:"at"`
}

func scanUser(row scanner) (User, error) {
	var u User
	var admin int
	var created, updated int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Locale, &admin, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.InstanceAdmin, u.CreatedAt, u.UpdatedAt = admin == 1, fromMS(created), fromMS(updated)
	return u, err
}

// CreateUser stores a new user; an email already taken is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	admin := 0
	if u.InstanceAdmin {
		admin = 1
	}
	_, err := s.w.ExecContext(ctx, s.q.UserCreate, u.ID, u.Email, u.Name, u.PasswordHash, u.Locale, admin, ms(u.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("user %s: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q.UserGet, id))
	if err != nil {
		return u, fmt.Errorf("user %s: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with that (normalised) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q.UserByEmail, email))
	if err != nil {
		return u, fmt.Errorf("user by email: %w", err)
	}
	return u, nil
}

// UserCount counts the users of the instance (none: it is not set up yet).
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.q.UserCount).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetUserPassword replaces a user's password hash.
func (s *Store) SetUserPassword(ctx context.Context, id, hash string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.UserSetPassword, id, hash, ms(at)); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// SetUserLocale stores the console language a user chose.
func (s *Store) SetUserLocale(ctx context.Context, id, locale string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.UserSetLocale, id, locale, ms(at)); err != nil {
		return fmt.Errorf("set locale: %w", err)
	}
	return nil
}

// PutMembership gives userID role in workspaceID (replacing any role).
func (s *Store) PutMembership(ctx context.Context, m Membership) error {
	if _, err := s.w.ExecContext(ctx, s.q.MembershipPut, m.WorkspaceID, m.UserID, m.Role, ms(m.CreatedAt)); err != nil {
		return fmt.Errorf("put membership: %w", err)
	}
	return nil
}

// DeleteMembership removes a user from a workspace.
func (s *Store) DeleteMembership(ctx context.Context, workspaceID, userID string) error {
	if _, err := s.w.ExecContext(ctx, s.q.MembershipDelete, workspaceID, userID); err != nil {
		return fmt.Errorf("delete membership: %w", err)
	}
	return nil
}

// UserMemberships lists the workspaces a user belongs to.
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]Membership, error) {
	rows, err := s.r.QueryContext(ctx, s.q.MembershipListUser, userID)
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		var created int64
		if err := rows.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &created); err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		m.CreatedAt = fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// WorkspaceMembers lists a workspace's team with their emails.
func (s *Store) WorkspaceMembers(ctx context.Context, workspaceID string) ([]Membership, error) {
	rows, err := s.r.QueryContext(ctx, s.q.MembershipListWorkspace, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		var created int64
		if err := rows.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &created, &m.Email, &m.Name); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		m.CreatedAt = fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// CreateConsoleSession stores a session under the hash of its id.
func (s *Store) CreateConsoleSession(ctx context.Context, idHash string, se ConsoleSession) error {
	_, err := s.w.ExecContext(ctx, s.q.ConsoleSessionCreate, idHash, se.UserID, se.CSRF, se.FrameAncestors,
		ms(se.CreatedAt), ms(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// ConsoleSession returns the session stored under idHash.
func (s *Store) ConsoleSession(ctx context.Context, idHash string) (ConsoleSession, error) {
	var se ConsoleSession
	var created, expires int64
	err := s.r.QueryRowContext(ctx, s.q.ConsoleSessionGet, idHash).Scan(&se.UserID, &se.CSRF, &se.FrameAncestors, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return se, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return se, fmt.Errorf("session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return se, nil
}

// DeleteConsoleSession signs a browser out.
func (s *Store) DeleteConsoleSession(ctx context.Context, idHash string) error {
	if _, err := s.w.ExecContext(ctx, s.q.ConsoleSessionDelete, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteOtherConsoleSessions signs a user out everywhere but keepHash.
func (s *Store) DeleteOtherConsoleSessions(ctx context.Context, userID, keepHash string) error {
	if _, err := s.w.ExecContext(ctx, s.q.ConsoleSessionDeleteUser, userID, keepHash); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// PruneConsoleSessions deletes sessions that expired before now.
func (s *Store) PruneConsoleSessions(ctx context.Context, now time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.ConsoleSessionPrune, ms(now)); err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	return nil
}

// CreateAccountLink stores a one-time link under the hash of its token; a
// hash already stored is ErrConflict.
func (s *Store) CreateAccountLink(ctx context.Context, l AccountLink) error {
	_, err := s.w.ExecContext(ctx, s.q.AccountLinkCreate, l.Hash, l.Purpose, l.UserID, l.Email, l.WorkspaceID, l.Role,
		l.CreatedBy, ms(l.CreatedAt), ms(l.ExpiresAt), ms(l.UsedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create link: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create link: %w", err)
	}
	return nil
}

// AccountLink returns the link stored under hash, used or not.
func (s *Store) AccountLink(ctx context.Context, hash string) (AccountLink, error) {
	var l AccountLink
	var created, expires, used int64
	err := s.r.QueryRowContext(ctx, s.q.AccountLinkGet, hash).Scan(&l.Hash, &l.Purpose, &l.UserID, &l.Email,
		&l.WorkspaceID, &l.Role, &l.CreatedBy, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("link: %w", ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("link: %w", err)
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return l, nil
}

// UseAccountLink marks a link used; false when it was used already (a
// second tab, a replay), so that each link acts once.
func (s *Store) UseAccountLink(ctx context.Context, hash string, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.q.AccountLinkUse, hash, ms(at))
	if err != nil {
		return false, fmt.Errorf("use link: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokeAccountLinks marks every unused link of a purpose used (a new
// set-up link replaces the one printed at the previous start).
func (s *Store) RevokeAccountLinks(ctx context.Context, purpose string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.AccountLinkRevokePurpose, purpose, ms(at)); err != nil {
		return fmt.Errorf("revoke links: %w", err)
	}
	return nil
}

// AppendAudit records a console change.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	_, err := s.w.ExecContext(ctx, s.q.AuditInsert, e.WorkspaceID, e.UserID, e.UserEmail, e.Action, e.Target, e.Detail, ms(e.At))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit lists a workspace's audit log newest first, before the id cursor
// (0: from the newest).
func (s *Store) Audit(ctx context.Context, workspaceID string, before int64, limit int) ([]AuditEntry, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.r.QueryContext(ctx, s.q.AuditList, workspaceID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.UserID, &e.UserEmail, &e.Action, &e.Target, &e.Detail, &at); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
