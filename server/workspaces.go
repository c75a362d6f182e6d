package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/workspace"
)

func (s *Server) listWorkspaces(c *fiber.Ctx) error {
	ws, err := s.opt.Workspaces.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"workspaces": ws})
}

func (s *Server) createWorkspace(c *fiber.Ctx) error {
	var in workspace.Settings
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.opt.Workspaces.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}

func (s *Server) getWorkspaceByID(c *fiber.Ctx) error {
	w, err := s.opt.Workspaces.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) updateWorkspaceByID(c *fiber.Ctx) error {
	var in workspace.Settings
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.opt.Workspaces.Update(c.UserContext(), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) getWorkspace(c *fiber.Ctx) error { return c.JSON(currentWorkspace(c)) }

func (s *Server) updateWorkspace(c *fiber.Ctx) error {
	var in workspace.Settings
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w, err := s.opt.Workspaces.Update(c.UserContext(), currentWorkspace(c).ID, in)
	if err != nil {
		return err
	}
	return c.JSON(w)
}
