// Package accounts holds the people who use the admin console: users with
// argon2id passwords, their roles per workspace, server-side sessions with
// a CSRF secret each, one-time links (the instance's set-up, password
// resets, invitations), sign-in throttling and the audit log. API tokens
// stay in package workspace; this is for people in a browser.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// Roles a member can have in a workspace.
const (
	// RoleOwner changes everything, manages the team and reads the audit log.
	RoleOwner = "owner"
	// RoleMarketer builds flows, widgets and messages and edits contacts.
	RoleMarketer = "marketer"
	// RoleViewer reads everything and changes nothing.
	RoleViewer = "viewer"
)

// ValidRole reports whether r is one of the roles.
func ValidRole(r string) bool { return r == RoleOwner || r == RoleMarketer || r == RoleViewer }

// CanEdit reports whether role may change a workspace's marketing (flows,
// widgets, contacts' tags and notes).
func CanEdit(role string) bool { return role == RoleOwner || role == RoleMarketer }

// CanManage reports whether role may manage the team, settings and the
// audit log.
func CanManage(role string) bool { return role == RoleOwner }

// Link purposes.
const (
	PurposeSetup  = "setup"
	PurposeReset  = "reset"
	PurposeInvite = "invite"
	// PurposeWordPressEntry marks a WordPress console link as taken.
	PurposeWordPressEntry = "wp-entry"
)

// Lifetimes.
const (
	SessionLifetime = 14 * 24 * time.Hour
	setupLifetime   = 7 * 24 * time.Hour
	resetLifetime   = time.Hour
	inviteLifetime  = 7 * 24 * time.Hour
)

// Errors a caller shows to people.
var (
	// ErrBadCredentials is a wrong email or password (never which one).
	ErrBadCredentials = errors.New("wrong email or password")
	// ErrLinkInvalid is a one-time link that is unknown, used or expired.
	ErrLinkInvalid = errors.New("this link is not valid any more: it was used already or has expired")
	// ErrNoSession is a request without a live session.
	ErrNoSession = errors.New("not signed in")
)

// LockedError is a sign-in refused because of too many failures.
type LockedError struct{ Until time.Time }

func (e LockedError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again after %s", e.Until.UTC().Format("15:04 MST"))
}

// FieldError is input that cannot be accepted; Field names the form field
// and Code the reason ("too_short", "invalid_email", "taken", …).
type FieldError struct{ Field, Code string }

func (e FieldError) Error() string { return e.Field + ": " + e.Code }

// Service is the accounts API.
type Service struct {
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	byEmail *throttle
	byAddr  *throttle
}

// New returns the service.
func New(st *store.Store, log *slog.Logger) *Service {
	return &Service{st: st, log: log, now: time.Now,
		// Five wrong passwords for one email lock it for 15 minutes; one
		// address gets more, since offices share one.
		byEmail: newThrottle(5, 15*time.Minute), byAddr: newThrottle(30, 15*time.Minute)}
}

// NormalizeEmail lower-cases and trims an address, or reports it invalid.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", FieldError{Field: "email", Code: "invalid_email"}
	}
	return e, nil
}

// SetupLink returns a fresh one-time set-up token while the instance has
// no user yet ("" once it has one). Each call revokes the previous one,
// so only the link printed at the latest start works.
func (s *Service) SetupLink(ctx context.Context) (string, error) {
	n, err := s.st.UserCount(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	now := s.now()
	if err := s.st.RevokeAccountLinks(ctx, PurposeSetup, now); err != nil {
		return "", err
	}
	token := ids.Token("setup")
	return token, s.st.CreateAccountLink(ctx, store.AccountLink{Hash: secrets.HashToken(token), Purpose: PurposeSetup,
		CreatedAt: now, ExpiresAt: now.Add(setupLifetime)})
}

// Link returns the live link for token with the given purpose.
func (s *Service) Link(ctx context.Context, token, purpose string) (store.AccountLink, error) {
	l, err := s.st.AccountLink(ctx, secrets.HashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (l.Purpose != purpose || !l.UsedAt.IsZero() || s.now().After(l.ExpiresAt))) {
		return l, ErrLinkInvalid
	}
	return l, err
}

// CompleteSetup creates the instance's first user, an instance owner, from
// the set-up link, and signs them in.
func (s *Service) CompleteSetup(ctx context.Context, token, email, name, password string) (string, store.User, error) {
	l, err := s.Link(ctx, token, PurposeSetup)
	if err != nil {
		return "", store.User{}, err
	}
	u, err := s.newUser(email, name, password, true)
	if err != nil {
		return "", u, err
	}
	if ok, err := s.st.UseAccountLink(ctx, l.Hash, s.now()); err != nil || !ok {
		return "", u, errors.Join(ErrLinkInvalid, err)
	}
	if err := s.st.CreateUser(ctx, u); err != nil {
		return "", u, err
	}
	s.log.Info("console set up: first user created", "user", u.ID)
	return s.startSession(ctx, u)
}

func (s *Service) newUser(email, name, password string, admin bool) (store.User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return store.User{}, err
	}
	if code := checkPassword(password, e); code != "" {
		return store.User{}, FieldError{Field: "password", Code: code}
	}
	h, err := HashPassword(password)
	if err != nil {
		return store.User{}, err
	}
	now := s.now()
	return store.User{ID: ids.New("usr"), Email: e, Name: strings.TrimSpace(name), PasswordHash: h,
		InstanceAdmin: admin, CreatedAt: now, UpdatedAt: now}, nil
}

// SignIn checks an email and password, throttled per email and per client
// address, and returns a new session token.
func (s *Service) SignIn(ctx context.Context, email, password, addr string) (string, store.User, error) {
	now := s.now()
	e := strings.ToLower(strings.TrimSpace(email))
	for _, k := range []struct {
		t   *throttle
		key string
	}{{s.byEmail, e}, {s.byAddr, addr}} {
		if until := k.t.lockedUntil(k.key, now); !until.IsZero() {
			return "", store.User{}, LockedError{Until: until}
		}
	}
	u, err := s.st.UserByEmail(ctx, e)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The same work as for a real user, so that timing does not tell
		// which emails have accounts.
		_, _ = VerifyPassword(dummyHash, password)
	case err != nil:
		return "", u, err
	case len(password) <= maxPasswordLength:
		ok, _ = VerifyPassword(u.PasswordHash, password)
	}
	if !ok {
		until := s.byEmail.fail(e, now)
		if u2 := s.byAddr.fail(addr, now); u2.After(until) {
			until = u2
		}
		if !until.IsZero() {
			s.log.Warn("console sign-in locked after repeated failures", "addr", addr)
			return "", store.User{}, LockedError{Until: until}
		}
		return "", store.User{}, ErrBadCredentials
	}
	s.byEmail.succeed(e)
	return s.startSession(ctx, u)
}

// dummyHash is verified when the email is unknown.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" +
	"0000000000000000000000000000000000000000000"

func (s *Service) startSession(ctx context.Context, u store.User) (string, store.User, error) {
	return s.startFramedSession(ctx, u, "", SessionLifetime)
}

func (s *Service) startFramedSession(ctx context.Context, u store.User, frameAncestors string, life time.Duration) (string, store.User, error) {
	now := s.now()
	token := ids.Token("ses")
	err := s.st.CreateConsoleSession(ctx, secrets.HashToken(token), store.ConsoleSession{UserID: u.ID,
		CSRF: ids.Token("csrf"), FrameAncestors: frameAncestors, CreatedAt: now, ExpiresAt: now.Add(life)})
	if err != nil {
		return "", u, err
	}
	return token, u, nil
}

// Session returns the user and session behind a session token.
func (s *Service) Session(ctx context.Context, token string) (store.User, store.ConsoleSession, error) {
	if token == "" {
		return store.User{}, store.ConsoleSession{}, ErrNoSession
	}
	se, err := s.st.ConsoleSession(ctx, secrets.HashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && s.now().After(se.ExpiresAt)) {
		return store.User{}, se, ErrNoSession
	}
	if err != nil {
		return store.User{}, se, err
	}
	u, err := s.st.User(ctx, se.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return u, se, ErrNoSession
	}
	return u, se, err
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.st.DeleteConsoleSession(ctx, secrets.HashToken(token))
}

// Role returns the user's role in a workspace ("" when they have none).
// The instance owner is an owner everywhere.
func (s *Service) Role(ctx context.Context, u store.User, workspaceID string) (string, error) {
	if u.InstanceAdmin {
		return RoleOwner, nil
	}
	ms, err := s.st.UserMemberships(ctx, u.ID)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.WorkspaceID == workspaceID {
			return m.Role, nil
		}
	}
	return "", nil
}

// Memberships lists the workspaces a (non-instance-owner) user belongs to.
func (s *Service) Memberships(ctx context.Context, u store.User) ([]store.Membership, error) {
	return s.st.UserMemberships(ctx, u.ID)
}

// Invite makes a one-time invitation link for email to join workspaceID
// with role; the caller shows or emails it.
func (s *Service) Invite(ctx context.Context, by store.User, workspaceID, email, role string) (string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if !ValidRole(role) {
		return "", FieldError{Field: "role", Code: "invalid_role"}
	}
	now := s.now()
	token := ids.Token("inv")
	err = s.st.CreateAccountLink(ctx, store.AccountLink{Hash: secrets.HashToken(token), Purpose: PurposeInvite,
		Email: e, WorkspaceID: workspaceID, Role: role, CreatedBy: by.ID, CreatedAt: now, ExpiresAt: now.Add(inviteLifetime)})
	return token, err
}

// AcceptInvite adds the invited person to the workspace: a new user with
// the password given, or an existing one (who then signs in as usual).
func (s *Service) AcceptInvite(ctx context.Context, token, name, password string) (string, store.User, error) {
	l, err := s.Link(ctx, token, PurposeInvite)
	if err != nil {
		return "", store.User{}, err
	}
	u, err := s.st.UserByEmail(ctx, l.Email)
	existing := err == nil
	if !existing {
		if !errors.Is(err, store.ErrNotFound) {
			return "", u, err
		}
		if u, err = s.newUser(l.Email, name, password, false); err != nil {
			return "", u, err
		}
	} else if ok, _ := VerifyPassword(u.PasswordHash, password); !ok {
		return "", store.User{}, FieldError{Field: "password", Code: "wrong_password"}
	}
	if ok, err := s.st.UseAccountLink(ctx, l.Hash, s.now()); err != nil || !ok {
		return "", u, errors.Join(ErrLinkInvalid, err)
	}
	if !existing {
		if err := s.st.CreateUser(ctx, u); err != nil {
			return "", u, err
		}
	}
	if err := s.st.PutMembership(ctx, store.Membership{WorkspaceID: l.WorkspaceID, UserID: u.ID, Role: l.Role,
		CreatedAt: s.now()}); err != nil {
		return "", u, err
	}
	return s.startSession(ctx, u)
}

// ResetLink makes a one-hour password-reset token for email; ok is false
// (and no token made) when no user has that email — the caller answers the
// same either way, so the form does not reveal who has an account.
func (s *Service) ResetLink(ctx context.Context, email string) (token string, u store.User, ok bool, err error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return "", u, false, err
	}
	u, err = s.st.UserByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		return "", u, false, nil
	}
	if err != nil {
		return "", u, false, err
	}
	now := s.now()
	token = ids.Token("rst")
	err = s.st.CreateAccountLink(ctx, store.AccountLink{Hash: secrets.HashToken(token), Purpose: PurposeReset,
		UserID: u.ID, Email: e, CreatedAt: now, ExpiresAt: now.Add(resetLifetime)})
	return token, u, err == nil, err
}

// ResetPassword sets a new password from a reset link, signs the user out
// everywhere else and signs this browser in.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (string, store.User, error) {
	l, err := s.Link(ctx, token, PurposeReset)
	if err != nil {
		return "", store.User{}, err
	}
	u, err := s.st.User(ctx, l.UserID)
	if err != nil {
		return "", u, err
	}
	if code := checkPassword(password, u.Email); code != "" {
		return "", u, FieldError{Field: "password", Code: code}
	}
	h, err := HashPassword(password)
	if err != nil {
		return "", u, err
	}
	if ok, err := s.st.UseAccountLink(ctx, l.Hash, s.now()); err != nil || !ok {
		return "", u, errors.Join(ErrLinkInvalid, err)
	}
	if err := s.st.SetUserPassword(ctx, u.ID, h, s.now()); err != nil {
		return "", u, err
	}
	if err := s.st.DeleteOtherConsoleSessions(ctx, u.ID, ""); err != nil {
		return "", u, err
	}
	s.byEmail.succeed(u.Email)
	return s.startSession(ctx, u)
}

// Record appends a change to the workspace's audit log. A failure is
// logged, not returned: the change itself has been made.
func (s *Service) Record(ctx context.Context, u store.User, workspaceID, action, target, detail string) {
	if len(detail) > 500 {
		detail = detail[:500]
	}
	if err := s.st.AppendAudit(ctx, store.AuditEntry{WorkspaceID: workspaceID, UserID: u.ID, UserEmail: u.Email,
		Action: action, Target: target, Detail: detail, At: s.now()}); err != nil {
		s.log.Error("audit log", "err", err, "action", action)
	}
}

// EmbeddedSessionLifetime bounds a session opened inside the Shopify admin:
// the shop admin reopens the app often, each time with a fresh session
// token from Shopify.
const EmbeddedSessionLifetime = 12 * time.Hour

// ShopifySession signs in a Shopify staff member whose App Bridge session
// token was verified, as an owner of the shop's workspace (whoever may open
// the app in the shop's admin runs its marketing). The staff member is a
// console user of their own (a synthetic address under the shop, no
// password: they come in only through Shopify). The session may be framed
// only by the shop's admin.
//
// A later opening keeps the role an owner has given them since.
func (s *Service) ShopifySession(ctx context.Context, workspaceID, shop, staffID string) (string, store.User, error) {
	u, err := s.shopStaff(ctx, workspaceID, "shopify-staff-"+staffID+"@"+shop, "Shopify staff "+staffID)
	if err != nil {
		return "", u, err
	}
	return s.startFramedSession(ctx, u, "https://"+shop+" https://admin.shopify.com", EmbeddedSessionLifetime)
}

// WordPressSession signs in a WordPress user whom the shop's plugin vouched
// for with a signed console link (verified by the caller), as the shop's
// staff: like ShopifySession, a console user of their own under the shop,
// an owner the first time. nonce makes each link work once.
func (s *Service) WordPressSession(ctx context.Context, workspaceID, shopID, wpUserID, name, nonce string) (string, store.User, error) {
	now := s.now()
	err := s.st.CreateAccountLink(ctx, store.AccountLink{Hash: secrets.HashToken("wp-entry:" + shopID + ":" + nonce),
		Purpose: PurposeWordPressEntry, CreatedAt: now, ExpiresAt: now, UsedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return "", store.User{}, ErrLinkInvalid
	}
	if err != nil {
		return "", store.User{}, err
	}
	if name == "" {
		name = "WordPress user " + wpUserID
	}
	u, err := s.shopStaff(ctx, workspaceID, "wordpress-user-"+wpUserID+"@"+strings.ToLower(shopID)+".shop.invalid", name)
	if err != nil {
		return "", u, err
	}
	return s.startSession(ctx, u)
}

// shopStaff finds or makes the console user a shop vouches for, and makes
// them an owner of the shop's workspace the first time; a role an owner
// gives them later stays.
func (s *Service) shopStaff(ctx context.Context, workspaceID, email, name string) (store.User, error) {
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		now := s.now()
		u = store.User{ID: ids.New("usr"), Email: email, Name: name, CreatedAt: now, UpdatedAt: now}
		if err = s.st.CreateUser(ctx, u); errors.Is(err, store.ErrConflict) {
			// Two first openings at once: the other one made the user.
			u, err = s.st.UserByEmail(ctx, email)
		}
	}
	if err != nil {
		return u, err
	}
	role, err := s.Role(ctx, u, workspaceID)
	if err != nil {
		return u, err
	}
	if role == "" {
		if err := s.st.PutMembership(ctx, store.Membership{WorkspaceID: workspaceID, UserID: u.ID, Role: RoleOwner,
			CreatedAt: s.now()}); err != nil {
			return u, err
		}
	}
	return u, nil
}
