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

// listWidgetTemplates lists the ready-made widgets as this workspace would
// get them: in its language, and without a promise of a discount code
// where no shop of it can make one.
func (s *Server) listWidgetTemplates(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	codes, err := s.opt.Personalization.CanMakeCodes(c.UserContext(), w.ID)
	if err != nil {
		return err
	}
	var out []widgets.Template
	for _, t := range widgets.Templates() {
		t, _ = widgets.TemplateFor(t.Name, w.Locale, codes)
		out = append(out, t)
	}
	return c.JSON(fiber.Map{"templates": out})
}

// enableWidgetTemplate creates a widget from a ready-made one, or returns
// the workspace's widget made from it before; the body may set
// {"status": "active"} (default draft for a new one).
func (s *Server) enableWidgetTemplate(c *fiber.Ctx) error {
	codes, err := s.opt.Personalization.CanMakeCodes(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	t, ok := widgets.TemplateFor(c.Params("name"), currentWorkspace(c).Locale, codes)
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
	ws := currentWorkspace(c).ID
	// Enabling a ready-made widget the workspace already has (the demo
	// starts with all of them) sets that one's status instead of making a
	// second pop-up that competes with the first, as flow templates do.
	have, err := s.opt.Store.Widgets(c.UserContext(), ws)
	if err != nil {
		return err
	}
	for _, w := range have {
		if w.Template != t.Name {
			continue
		}
		if t.Definition.Status != "" && t.Definition.Status != w.Status {
			if w, err = s.opt.Personalization.SetStatus(c.UserContext(), ws, w.ID, t.Definition.Status); err != nil {
				return err
			}
		}
		return c.JSON(w)
	}
	w, err := s.opt.Personalization.CreateWidget(c.UserContext(), ws, t.Definition, t.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}
