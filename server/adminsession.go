package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// The admin pages are read by a browser signed in through the form at
// /admin/login (the token goes in a POST body, never in a URL that logs,
// histories and referrers keep), or by a script with a bearer token. A
// sign-in creates a server-side session: the cookie holds a random id
// (256 bits), the database only its hash, and signing out deletes it. The
// cookie is HttpOnly, SameSite=Lax, Secure when the public URL is https,
// and limited to /admin. Sessions name who signed in as kind:id, so user
// accounts can later sign in the same way as API keys do today.
//
// Admin tokens also need a workspace: the workspace query parameter, the
// X-Cartwheel-Workspace header, the cartwheel_workspace cookie or the one
// chosen at sign-in; with a single workspace on the instance, that one.
const (
	sessionCookie   = "cartwheel_session"
	workspaceCookie = "cartwheel_workspace"
	sessionTTL      = 12 * time.Hour
)

// secureCookies reports whether cookies must be Secure: decided by the
// configured public URL, never by a header a client or proxy sends.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.opt.Config.PublicURL, "https://") }

func (s *Server) adminCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/admin", HTTPOnly: true, Secure: s.secureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: expires})
}

// adminPrincipal authenticates an admin page request: a bearer token, or
// the session cookie. Failures spend the client's sign-in budget.
func (s *Server) adminPrincipal(c *fiber.Ctx) (workspace.Principal, store.Session, error) {
	if t, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok && strings.TrimSpace(t) != "" {
		t = strings.TrimSpace(t)
		if err := s.authCheck(c, t); err != nil {
			return workspace.Principal{}, store.Session{}, err
		}
		p, err := s.opt.Workspaces.Authenticate(c.UserContext(), t)
		if errors.Is(err, workspace.ErrUnauthenticated) {
			s.authFailed(c, t)
		}
		return p, store.Session{}, err
	}
	sid := c.Cookies(sessionCookie)
	if sid == "" {
		return workspace.Principal{}, store.Session{}, workspace.ErrUnauthenticated
	}
	// Session ids are never guessed in practice, but a failed one still
	// spends the address's budget (not a prefix's: all ids share theirs).
	if err := s.authCheck(c, ""); err != nil {
		return workspace.Principal{}, store.Session{}, err
	}
	se, err := s.opt.Store.SessionByHash(c.UserContext(), secrets.HashToken(sid), time.Now())
	if errors.Is(err, store.ErrNotFound) {
		s.authFailed(c, "")
		return workspace.Principal{}, se, workspace.ErrUnauthenticated
	}
	if err != nil {
		return workspace.Principal{}, se, err
	}
	p, err := s.sessionPrincipal(c, se)
	return p, se, err
}

// sessionPrincipal is who a session speaks for, checked again at every
// request: revoking the key ends its sessions.
func (s *Server) sessionPrincipal(c *fiber.Ctx, se store.Session) (workspace.Principal, error) {
	keyID, ok := strings.CutPrefix(se.Who, store.SessionAPIKey)
	if !ok {
		return workspace.Principal{}, workspace.ErrUnauthenticated
	}
	k, err := s.opt.Store.APIKeyByID(c.UserContext(), keyID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !k.RevokedAt.IsZero() {
		return workspace.Principal{}, workspace.ErrUnauthenticated
	}
	if err != nil {
		return workspace.Principal{}, err
	}
	return workspace.Principal{KeyID: k.ID, Scope: k.Scope, WorkspaceID: k.WorkspaceID}, nil
}

func (s *Server) adminUnauthorized(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusUnauthorized, "login.html", map[string]any{"Title": "Sign in",
		"Notice": "Sign in to read this page."})
}

// adminPage authenticates an admin page and resolves its workspace.
func (s *Server) adminPage(c *fiber.Ctx) error {
	p, se, err := s.adminPrincipal(c)
	if errors.Is(err, workspace.ErrUnauthenticated) {
		return s.adminUnauthorized(c)
	}
	if err != nil {
		return err
	}
	named := strings.TrimSpace(c.Query("workspace"))
	fromQuery := named != ""
	for _, next := range []func() string{
		func() string { return strings.TrimSpace(c.Get(WorkspaceHeader)) },
		func() string { return c.Cookies(workspaceCookie) },
		func() string { return se.WorkspaceID },
	} {
		if named == "" {
			named = next()
		}
	}
	w, ok, err := s.adminWorkspace(c, p, named)
	if err != nil || !ok {
		return err
	}
	if fromQuery && se.IDHash != "" {
		// The choice sticks for the rest of the session.
		s.adminCookie(c, workspaceCookie, w.ID, se.ExpiresAt)
	}
	c.Locals(principalKey, p)
	c.Locals(workspaceKey, w)
	return c.Next()
}

// adminLoginForm shows the sign-in form. A token in the URL is ignored:
// it has already leaked into logs and history, and accepting it would
// invite the habit.
func (s *Server) adminLoginForm(c *fiber.Ctx) error {
	data := map[string]any{"Title": "Sign in", "Workspace": c.Query("workspace")}
	if c.Query("token") != "" {
		data["Notice"] = "Tokens are not accepted in the address bar. Paste it below instead — and consider it exposed."
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "login.html", data)
}

// adminLogin checks the posted token and starts a session.
func (s *Server) adminLogin(c *fiber.Ctx) error {
	token := strings.TrimSpace(c.FormValue("token"))
	named := strings.TrimSpace(c.FormValue("workspace"))
	if err := s.authCheck(c, token); err != nil {
		return err
	}
	p, err := s.opt.Workspaces.Authenticate(c.UserContext(), token)
	if errors.Is(err, workspace.ErrUnauthenticated) {
		s.authFailed(c, token)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.render(c, fiber.StatusUnauthorized, "login.html", map[string]any{"Title": "Sign in",
			"Workspace": named, "Notice": "That token is not valid, or has been revoked."})
	}
	if err != nil {
		return err
	}
	if named != "" {
		if _, ok, err := s.adminWorkspace(c, p, named); err != nil || !ok {
			return err
		}
	}
	now := time.Now()
	if err := s.opt.Store.DeleteExpiredSessions(c.UserContext(), now); err != nil {
		s.opt.Log.Warn("delete expired sessions", "err", err)
	}
	sid := ids.Token("cws")
	se := store.Session{IDHash: secrets.HashToken(sid), Who: store.SessionAPIKey + p.KeyID, WorkspaceID: named,
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}
	if err := s.opt.Store.CreateSession(c.UserContext(), se); err != nil {
		return err
	}
	s.adminCookie(c, sessionCookie, sid, se.ExpiresAt)
	if named != "" {
		s.adminCookie(c, workspaceCookie, named, se.ExpiresAt)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect("/admin/outbox", fiber.StatusSeeOther)
}

// adminLogout deletes the session and its cookies.
func (s *Server) adminLogout(c *fiber.Ctx) error {
	if sid := c.Cookies(sessionCookie); sid != "" {
		if err := s.opt.Store.DeleteSession(c.UserContext(), secrets.HashToken(sid)); err != nil {
			return err
		}
	}
	gone := time.Unix(0, 0)
	s.adminCookie(c, sessionCookie, "", gone)
	s.adminCookie(c, workspaceCookie, "", gone)
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}
