package server

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// WorkspaceHeader lets an admin token act on one workspace's resources.
const WorkspaceHeader = "X-Cartwheel-Workspace"

type localKey int

const (
	principalKey localKey = iota
	workspaceKey
)

func (s *Server) authenticate(c *fiber.Ctx) error {
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return errUnauthorized("missing Authorization: Bearer <token> header")
	}
	token = strings.TrimSpace(token)
	if err := s.authCheck(c, token); err != nil {
		return err
	}
	p, err := s.opt.Workspaces.Authenticate(c.UserContext(), token)
	if errors.Is(err, workspace.ErrUnauthenticated) {
		s.authFailed(c, token)
		return errUnauthorized("invalid or revoked token")
	}
	if err != nil {
		return err
	}
	c.Locals(principalKey, p)
	return c.Next()
}

func principal(c *fiber.Ctx) workspace.Principal {
	p, _ := c.Locals(principalKey).(workspace.Principal)
	return p
}

func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if !principal(c).IsAdmin() {
		return errForbidden("this endpoint needs an admin token")
	}
	return c.Next()
}

// resolveWorkspace decides which workspace a workspace-scoped request acts
// on, and is where tenant isolation is enforced for every such route: a
// workspace key can only ever reach its own workspace.
func (s *Server) resolveWorkspace(c *fiber.Ctx) error {
	p := principal(c)
	named := strings.TrimSpace(c.Get(WorkspaceHeader))
	id := p.WorkspaceID
	switch {
	case p.IsAdmin() && named == "":
		return errBadRequest("admin tokens must name a workspace with the " + WorkspaceHeader + " header")
	case p.IsAdmin():
		id = named
	case named != "" && named != p.WorkspaceID:
		return errForbidden("this key belongs to another workspace")
	}
	if !p.CanAccess(id) {
		return errForbidden("no access to this workspace")
	}
	w, err := s.opt.Workspaces.Get(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("workspace not found")
	}
	if err != nil {
		return err
	}
	c.Locals(workspaceKey, w)
	return c.Next()
}

func currentWorkspace(c *fiber.Ctx) store.Workspace {
	w, _ := c.Locals(workspaceKey).(store.Workspace)
	return w
}

func (s *Server) me(c *fiber.Ctx) error {
	p := principal(c)
	return c.JSON(fiber.Map{"key_id": p.KeyID, "scope": p.Scope, "workspace_id": p.WorkspaceID})
}
