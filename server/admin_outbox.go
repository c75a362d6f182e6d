package server

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

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
		return w, false, s.messagePage(c, fiber.StatusNotFound, "Workspace not found", "There is no such workspace.")
	}
	return w, err == nil, err
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
