package server

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/connectors"
)

// shopStatus reports a shop's connection: status, syncs, last sync and
// webhook deliveries.
func (s *Server) shopStatus(c *fiber.Ctx) error {
	st, err := s.opt.Connectors.Status(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// startShopSync starts a backfill/reconciliation pass in the background.
func (s *Server) startShopSync(c *fiber.Ctx) error {
	err := s.opt.Connectors.StartSync(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if errors.Is(err, connectors.ErrSyncRunning) {
		return &apiError{fiber.StatusConflict, "conflict", err.Error(), nil}
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "started"})
}

func (s *Server) listDeliveries(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	var before int64
	if v := c.Query("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			return errBadRequest("before must be a delivery id")
		}
	}
	ds, err := s.opt.Store.Deliveries(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), c.Query("status"), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"deliveries": ds})
}

func (s *Server) createDiscountCode(c *fiber.Ctx) error {
	var in connectors.DiscountRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.upstreamContext(c)
	defer cancel()
	d, err := s.opt.Connectors.CreateDiscountCode(ctx, currentWorkspace(c).ID, c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (s *Server) listPrivacyRequests(c *fiber.Ctx) error {
	prs, err := s.opt.Store.PrivacyRequests(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"privacy_requests": prs})
}

func (s *Server) getPrivacyRequest(c *fiber.Ctx) error {
	pr, err := s.opt.Store.PrivacyRequestByID(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(pr)
}

// privacyExport downloads a data request's export as a JSON file.
func (s *Server) privacyExport(c *fiber.Ctx) error {
	id := c.Params("id")
	b, err := s.opt.Store.PrivacyExport(c.UserContext(), currentWorkspace(c).ID, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="cartwheel-export-`+id+`.json"`)
	c.Type("json", "utf-8")
	return c.Send(b)
}

// registerShopWebhooks subscribes to a hand-connected shop's webhooks.
func (s *Server) registerShopWebhooks(c *fiber.Ctx) error {
	ctx, cancel := s.upstreamContext(c)
	defer cancel()
	n, err := s.opt.Connectors.RegisterWebhooks(ctx, currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"topics": n})
}

// upstreamContext bounds a request that waits on a shop's API
// (CARTWHEEL_UPSTREAM_TIMEOUT): a shop that hangs costs the caller a 504
// after that long, not a 500 after the clients' own retries.
func (s *Server) upstreamContext(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), s.opt.Config.UpstreamTimeout)
}
