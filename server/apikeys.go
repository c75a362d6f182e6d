package server

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	keys, err := s.opt.Workspaces.Keys(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"api_keys": keys})
}

func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	k, token, err := s.opt.Workspaces.IssueKey(c.UserContext(), currentWorkspace(c).ID, in.Name)
	if err != nil {
		return err
	}
	// The token is in this response only; Cartwheel keeps just its hash.
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"api_key": k, "token": token})
}

func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	if err := s.opt.Workspaces.RevokeKey(c.UserContext(), currentWorkspace(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
