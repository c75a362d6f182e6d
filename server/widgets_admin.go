package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/widgets"
)

func (s *Server) listWidgets(c *fiber.Ctx) error {
	ws, err := s.opt.Store.Widgets(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"widgets": ws})
}

// createWidget stores a widget (a draft unless the body says otherwise).
func (s *Server) createWidget(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	def, err := widgets.Decode(body)
	if err != nil {
		return err
	}
	w, err := s.opt.Personalization.CreateWidget(c.UserContext(), currentWorkspace(c).ID, def, "")
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}

func (s *Server) getWidget(c *fiber.Ctx) error {
	w, err := s.opt.Store.Widget(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// updateWidget replaces a widget's definition.
func (s *Server) updateWidget(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	def, err := widgets.Decode(body)
	if err != nil {
		return err
	}
	w, err := s.opt.Personalization.UpdateWidget(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), def)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) setWidgetStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := s.opt.Personalization.SetStatus(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), status)
		if err != nil {
			return err
		}
		return c.JSON(w)
	}
}

// widgetStats totals a widget's statistics per variant (?days=N, default
// all time).
func (s *Server) widgetStats(c *fiber.Ctx) error {
	days := 0
	if q := c.Query("days"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			return errBadRequest("days: a number of days")
		}
		days = n
	}
	st, err := s.opt.Personalization.Stats(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), days)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"widget_id": c.Params("id"), "variants": st})
}

func (s *Server) listWidgetTemplates(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"templates": widgets.Templates()})
}

// enableWidgetTemplate creates a widget from a ready-made one; the body
// may set {"status": "active"} (default draft).
func (s *Server) enableWidgetTemplate(c *fiber.Ctx) error {
	t, ok := widgets.TemplateByName(c.Params("name"))
	if !ok {
		return errNotFound("no widget template " + c.Params("name"))
	}
	if len(c.Body()) > 0 {
		var b struct {
			Status string `json:"status"`
		}
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		t.Definition.Status = b.Status
	}
	w, err := s.opt.Personalization.CreateWidget(c.UserContext(), currentWorkspace(c).ID, t.Definition, t.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}
