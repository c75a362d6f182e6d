package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
)

// contactNoteRoutes registers the notes on a contact: what the console's
// contact card shows, for scripts.
func (s *Server) contactNoteRoutes(ws func(method, path string, h fiber.Handler)) {
	ws("GET", "/contacts/:id/notes", s.listContactNotes)
	ws("POST", "/contacts/:id/notes", s.addContactNote)
	ws("DELETE", "/contacts/:id/notes/:note", s.deleteContactNote)
}

func (s *Server) listContactNotes(c *fiber.Ctx) error {
	ns, err := s.opt.Contacts.Notes(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notes": ns})
}

// addContactNote keeps {"body": "…"} on the contact, written by the key
// that asks, and records it in the workspace's audit log.
func (s *Server) addContactNote(c *fiber.Ctx) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, w := principal(c), currentWorkspace(c)
	n, err := s.opt.Contacts.AddNote(c.UserContext(), w.ID, c.Params("id"), p.KeyID, "API key "+p.KeyID, in.Body, time.Now())
	if err != nil {
		return err
	}
	s.auditAPI(c, "contact.note_add", n.ContactID, n.ID)
	return c.Status(fiber.StatusCreated).JSON(n)
}

func (s *Server) deleteContactNote(c *fiber.Ctx) error {
	n, err := s.opt.Contacts.DeleteNote(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), c.Params("note"))
	if err != nil {
		return err
	}
	s.auditAPI(c, "contact.note_delete", n.ContactID, n.ID)
	return c.SendStatus(fiber.StatusNoContent)
}

// auditAPI records a change made through the API in the workspace's audit
// log, by the key that made it; a failure to record is logged, not
// answered, as the change is done.
func (s *Server) auditAPI(c *fiber.Ctx, action, target, detail string) {
	p := principal(c)
	if err := s.opt.Store.AppendAudit(c.UserContext(), store.AuditEntry{WorkspaceID: currentWorkspace(c).ID,
		UserID: p.KeyID, UserEmail: "API key " + p.KeyID, Action: action, Target: target, Detail: detail,
		At: time.Now()}); err != nil {
		s.opt.Log.Error("audit log", "err", err, "action", action)
	}
}
