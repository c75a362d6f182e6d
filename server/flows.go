package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/automation"
)

// flowRoutes registers the automation admin API.
func (s *Server) flowRoutes(ws func(method, path string, h fiber.Handler)) {
	if s.opt.Automation == nil {
		return
	}
	ws("GET", "/flows", s.listFlows)
	ws("POST", "/flows", s.createFlow)
	ws("GET", "/flows/:id", s.getFlow)
	ws("PUT", "/flows/:id", s.updateFlow)
	ws("POST", "/flows/:id/activate", s.setFlowStatus(automation.FlowActive))
	ws("POST", "/flows/:id/pause", s.setFlowStatus(automation.FlowPaused))
	ws("POST", "/flows/:id/archive", s.setFlowStatus(automation.FlowArchived))
	// Restoring an archived flow makes it paused: it is activated from
	// there, on purpose.
	ws("POST", "/flows/:id/restore", s.restoreFlow)
	ws("GET", "/flows/:id/enrollments", s.listEnrollments)
	ws("GET", "/enrollments/:id", s.getEnrollment)
	ws("DELETE", "/enrollments/:id", s.cancelEnrollment)
	ws("GET", "/flow-templates", s.listFlowTemplates)
	ws("POST", "/flow-templates", s.enableAllFlowTemplates)
	ws("POST", "/flow-templates/:name", s.enableFlowTemplate)
}

// listFlows lists the workspace's flows; archived ones only with
// ?archived=include (all) or ?archived=only.
func (s *Server) listFlows(c *fiber.Ctx) error {
	mode := c.Query("archived")
	if mode != "" && mode != "include" && mode != "only" {
		return errBadRequest("archived must be include or only")
	}
	flows, err := s.opt.Automation.Flows(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	out := flows[:0]
	for _, f := range flows {
		if archived := f.Status == automation.FlowArchived; mode == "include" || archived == (mode == "only") {
			out = append(out, f)
		}
	}
	return c.JSON(fiber.Map{"flows": out})
}

// restoreFlow takes a flow out of the archive, paused; a flow that is not
// archived is left as it is (409).
func (s *Server) restoreFlow(c *fiber.Ctx) error {
	f, err := s.opt.Automation.Flow(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	if f.Status != automation.FlowArchived {
		return &apiError{fiber.StatusConflict, "conflict", "the flow is not archived", nil}
	}
	return s.setFlowStatus(automation.FlowPaused)(c)
}

// createFlow stores a flow as version 1; it starts as a draft unless the
// body says "status": "active".
func (s *Server) createFlow(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	f, err := automation.DecodeFlow(body)
	if err != nil {
		return err
	}
	out, err := s.opt.Automation.CreateFlow(c.UserContext(), currentWorkspace(c).ID, f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getFlow(c *fiber.Ctx) error {
	f, err := s.opt.Automation.Flow(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(f)
}

// updateFlow stores the body as the flow's next version; running
// enrollments finish on theirs.
func (s *Server) updateFlow(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	f, err := automation.DecodeFlow(body)
	if err != nil {
		return err
	}
	out, err := s.opt.Automation.UpdateFlow(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) setFlowStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.opt.Automation.SetStatus(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), status)
		if err != nil {
			return err
		}
		return c.JSON(f)
	}
}

// listEnrollments pages through a flow's enrollments newest first; the
// cursor is the last item's created_at (RFC 3339) and id.
func (s *Server) listEnrollments(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	var before time.Time
	if v := c.Query("before"); v != "" {
		if before, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return errBadRequest("before must be an RFC 3339 time (the last item's created_at)")
		}
	}
	ens, err := s.opt.Automation.ListEnrollments(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), before,
		c.Query("before_id"), limit)
	if err != nil {
		return err
	}
	body := fiber.Map{"enrollments": ens}
	if len(ens) == limit {
		last := ens[len(ens)-1]
		body["next"] = "?limit=" + strconv.Itoa(limit) + "&before=" + last.CreatedAt.UTC().Format(time.RFC3339Nano) +
			"&before_id=" + last.ID
	}
	return c.JSON(body)
}

// getEnrollment shows an enrollment with what each of its steps did.
func (s *Server) getEnrollment(c *fiber.Ctx) error {
	ws := currentWorkspace(c).ID
	en, err := s.opt.Automation.Enrollment(c.UserContext(), ws, c.Params("id"))
	if err != nil {
		return err
	}
	runs, err := s.opt.Automation.StepRuns(c.UserContext(), ws, en.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"enrollment": en, "steps": runs})
}

func (s *Server) cancelEnrollment(c *fiber.Ctx) error {
	if err := s.opt.Automation.CancelEnrollment(c.UserContext(), currentWorkspace(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listFlowTemplates(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"templates": automation.Templates()})
}

// enableFlowTemplate creates (or re-activates) a ready-made flow in one call.
func (s *Server) enableFlowTemplate(c *fiber.Ctx) error {
	f, err := s.opt.Automation.EnableTemplate(c.UserContext(), currentWorkspace(c).ID, c.Params("name"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

// enableAllFlowTemplates enables every ready-made flow in one call, as the
// demo does on its first start; flows the workspace already has are
// activated, never doubled (EnableTemplate's rule).
func (s *Server) enableAllFlowTemplates(c *fiber.Ctx) error {
	ws := currentWorkspace(c).ID
	var flows []automation.Flow
	for _, t := range automation.Templates() {
		f, err := s.opt.Automation.EnableTemplate(c.UserContext(), ws, t.Name)
		if err != nil {
			return err
		}
		flows = append(flows, f)
	}
	return c.JSON(fiber.Map{"flows": flows})
}
