package server

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// The admin pages take the same tokens as the API: a bearer token, or for
// a browser the cartwheel_admin cookie that /admin/login sets (HttpOnly,
// SameSite=Strict, limited to /admin). Admin tokens also need a workspace:
// the workspace query parameter, the cartwheel_workspace cookie or the
// X-Cartwheel-Workspace header; with a single workspace on the instance,
// that one.
const (
	adminCookie     = "cartwheel_admin"
	workspaceCookie = "cartwheel_workspace"
)

// adminToken is the request's token: the bearer header first, then the
// cookie.
func adminToken(c *fiber.Ctx) string {
	if t, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok && strings.TrimSpace(t) != "" {
		return strings.TrimSpace(t)
	}
	return c.Cookies(adminCookie)
}

func (s *Server) adminAuth(c *fiber.Ctx, token string) (workspace.Principal, error) {
	if token == "" {
		return workspace.Principal{}, workspace.ErrUnauthenticated
	}
	return s.opt.Workspaces.Authenticate(c.UserContext(), token)
}

func (s *Server) adminUnauthorized(c *fiber.Ctx) error {
	return s.messagePage(c, fiber.StatusUnauthorized, "Sign in",
		"Open /admin/login?token=<your API token> (add &workspace=<id> for an admin token) to read this page.")
}

// adminWorkspace picks the workspace an admin page shows, or answers
// with a page asking for one.
func (s *Server) adminWorkspace(c *fiber.Ctx, p workspace.Principal, named string) (store.Workspace, bool, error) {
	id := p.WorkspaceID
	if p.IsAdmin() {
		id = named
		if id == "" {
			all, err := s.opt.Workspaces.List(c.UserContext())
			if err != nil {
				return store.Workspace{}, false, err
			}
			if len(all) != 1 {
				return store.Workspace{}, false, s.render(c, fiber.StatusOK, "workspaces.html",
					map[string]any{"Title": "Choose a workspace", "Workspaces": all})
			}
			id = all[0].ID
		}
	} else if named != "" && named != id {
		return store.Workspace{}, false, s.messagePage(c, fiber.StatusForbidden, "No access", "This key belongs to another workspace.")
	}
	if !p.CanAccess(id) {
		return store.Workspace{}, false, s.messagePage(c, fiber.StatusForbidden, "No access", "This token cannot read that workspace.")
	}
	w, err := s.opt.Workspaces.Get(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return w, false, s.messagePage(c, fiber.StatusNotFound, "Workspace not found", "There is no workspace "+id+".")
	}
	return w, err == nil, err
}

// adminPage authenticates an admin page and resolves its workspace.
func (s *Server) adminPage(c *fiber.Ctx) error {
	p, err := s.adminAuth(c, adminToken(c))
	if errors.Is(err, workspace.ErrUnauthenticated) {
		return s.adminUnauthorized(c)
	}
	if err != nil {
		return err
	}
	named := c.Query("workspace")
	if named == "" {
		named = strings.TrimSpace(c.Get(WorkspaceHeader))
	}
	if named == "" {
		named = c.Cookies(workspaceCookie)
	}
	w, ok, err := s.adminWorkspace(c, p, named)
	if err != nil || !ok {
		return err
	}
	c.Locals(principalKey, p)
	c.Locals(workspaceKey, w)
	return c.Next()
}

// adminLogin checks a token (from ?token=, or the cookie already set) and
// keeps it in an HttpOnly, SameSite=Strict cookie, with the workspace when
// one is named, then goes to the outbox.
func (s *Server) adminLogin(c *fiber.Ctx) error {
	token := strings.TrimSpace(c.Query("token"))
	if token == "" {
		token = adminToken(c)
	}
	p, err := s.adminAuth(c, token)
	if errors.Is(err, workspace.ErrUnauthenticated) {
		return s.adminUnauthorized(c)
	}
	if err != nil {
		return err
	}
	secure := strings.HasPrefix(s.opt.Config.PublicURL, "https://")
	cookie := func(name, value string) {
		c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/admin", HTTPOnly: true, Secure: secure,
			SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Now().Add(12 * time.Hour)})
	}
	cookie(adminCookie, token)
	if named := strings.TrimSpace(c.Query("workspace")); named != "" {
		if _, ok, err := s.adminWorkspace(c, p, named); err != nil || !ok {
			return err
		}
		cookie(workspaceCookie, named)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return c.Redirect("/admin/outbox", fiber.StatusSeeOther)
}

// outboxPage lists the workspace's email that went out or to the outbox,
// newest first.
func (s *Server) outboxPage(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	var ms []store.Message
	for _, status := range []string{store.MessageOutbox, store.MessageSent} {
		l, err := s.opt.Store.Messages(c.UserContext(), w.ID, store.MessageFilter{Channel: store.ChannelEmail, Status: status, Limit: 200})
		if err != nil {
			return err
		}
		ms = append(ms, l...)
	}
	slices.SortFunc(ms, func(a, b store.Message) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if len(ms) > 200 {
		ms = ms[:200]
	}
	return s.render(c, fiber.StatusOK, "outbox.html", map[string]any{"Title": "Outbox", "Wide": true,
		"Workspace": w, "Messages": ms})
}

// openPixel matches the open-tracking image Rewrite adds, so that reading
// a mail in the outbox does not count as an open.
var openPixel = regexp.MustCompile(`<img[^>]*/e/o/[^>]*>`)

// outboxMessagePage shows one email: its HTML in a sandboxed frame (no
// scripts, no forms, no access to this page) and its text part.
func (s *Server) outboxMessagePage(c *fiber.Ctx) error {
	m, err := s.opt.Store.Message(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && m.Channel != store.ChannelEmail {
		return s.messagePage(c, fiber.StatusNotFound, "Not found", "There is no such email in this workspace.")
	}
	if err != nil {
		return err
	}
	var body struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(m.Body, &body)
	// The frame inherits this policy: the mail's images may load, nothing
	// else; its styles are inline.
	c.Set(fiber.HeaderContentSecurityPolicy,
		"default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; font-src https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	return s.render(c, fiber.StatusOK, "outbox_message.html", map[string]any{"Title": m.Subject, "Wide": true,
		"Message": m, "HTML": openPixel.ReplaceAllString(body.HTML, ""), "Text": body.Text})
}
