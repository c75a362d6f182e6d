package server

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
)

// findContacts lists and searches contacts, newest first, a page at a
// time (?q=, ?cursor=, ?limit=); ?email= keeps its exact lookup.
func (s *Server) findContacts(c *fiber.Ctx) error {
	if email := c.Query("email"); email != "" {
		ct, err := s.opt.Contacts.ByEmail(c.UserContext(), currentWorkspace(c).ID, email)
		if errors.Is(err, store.ErrNotFound) {
			return c.JSON(fiber.Map{"contacts": []store.Contact{}, "next_cursor": ""})
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"contacts": []store.Contact{ct}, "next_cursor": ""})
	}
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	q := c.Query("q")
	if len(q) > 200 {
		return errBadRequest("q is longer than 200 characters")
	}
	page, err := s.opt.Store.ListContacts(c.UserContext(), currentWorkspace(c).ID,
		store.ContactFilter{Query: q, Cursor: c.Query("cursor"), Limit: limit})
	if errors.Is(err, store.ErrBadCursor) {
		return errBadRequest(err.Error())
	}
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) getContact(c *fiber.Ctx) error {
	v, err := s.opt.Contacts.View(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// timelinePage reads the cursor (a log offset) and limit of a timeline.
func timelinePage(c *fiber.Ctx) (before int64, limit int, err error) {
	limit, err = queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return 0, 0, err
	}
	if v := c.Query("cursor"); v != "" {
		before, err = strconv.ParseInt(v, 10, 64)
		if err != nil || before <= 0 {
			return 0, 0, errBadRequest("cursor is malformed: pass back next_cursor unchanged")
		}
	}
	return before, limit, nil
}

func timelineJSON(c *fiber.Ctx, evs []store.Event, limit int) error {
	next := ""
	if len(evs) == limit {
		next = strconv.FormatInt(evs[len(evs)-1].ID, 10)
	}
	return c.JSON(fiber.Map{"events": evs, "next_cursor": next})
}

func (s *Server) contactTimeline(c *fiber.Ctx) error {
	before, limit, err := timelinePage(c)
	if err != nil {
		return err
	}
	evs, err := s.opt.Contacts.Timeline(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), before, limit)
	if err != nil {
		return err
	}
	return timelineJSON(c, evs, limit)
}

// getVisitor answers for an anonymous browser: the contact it resolves to
// (once the profile processor has seen it) and its own recent events.
func (s *Server) getVisitor(c *fiber.Ctx) error {
	ws, id := currentWorkspace(c).ID, c.Params("id")
	evs, err := s.opt.Contacts.VisitorTimeline(c.UserContext(), ws, id, 0, 20)
	if err != nil {
		return err
	}
	out := fiber.Map{"visitor_id": id, "recent_events": evs}
	ct, err := s.opt.Contacts.ByVisitor(c.UserContext(), ws, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if len(evs) == 0 {
			return errNotFound("no such visitor")
		}
		out["contact"] = nil
	case err != nil:
		return err
	default:
		v, err := s.opt.Contacts.View(c.UserContext(), ws, ct.ID)
		if err != nil {
			return err
		}
		out["contact"] = v
	}
	return c.JSON(out)
}
