package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/workspace"
)

func (s *Server) listShops(c *fiber.Ctx) error {
	shops, err := s.opt.Workspaces.Shops(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"shops": shops})
}

// createShop connects a shop by hand (self-hosting: a Shopify custom app's
// access token and webhook secret, or a WooCommerce key pair). The secrets
// are sealed before storage and never returned.
func (s *Server) createShop(c *fiber.Ctx) error {
	var in workspace.ShopInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sh, err := s.opt.Workspaces.ConnectShop(c.UserContext(), currentWorkspace(c).ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sh)
}

func (s *Server) getShop(c *fiber.Ctx) error {
	sh, err := s.opt.Workspaces.Shop(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(sh)
}

func (s *Server) updateShop(c *fiber.Ctx) error {
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sh, err := s.opt.Workspaces.SetShopStatus(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), in.Status)
	if err != nil {
		return err
	}
	return c.JSON(sh)
}

// shopInWorkspace lets a request about shop :id through only when the shop
// is the current workspace's; otherwise 404, as for the shop itself.
func (s *Server) shopInWorkspace(c *fiber.Ctx) error {
	if _, err := s.opt.Workspaces.Shop(c.UserContext(), currentWorkspace(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.Next()
}
