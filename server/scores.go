package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
)

// scoreRoutes serve the scores and predictions personalization/scores
// keeps (docs/scores.md).
func (s *Server) scoreRoutes(ws func(method, path string, h fiber.Handler)) {
	ws("GET", "/contacts/:id/scores", s.getContactScores)
	ws("GET", "/scores/rfm", s.getRFM)
	if s.opt.ScoreRefit != nil {
		ws("POST", "/scores/refit", s.refitScores)
	}
}

// refitScores queues a refit of the workspace's scores (202): it runs in
// the score processor, never beside it.
func (s *Server) refitScores(c *fiber.Ctx) error {
	s.opt.ScoreRefit(currentWorkspace(c).ID)
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "queued"})
}

// getContactScores answers a contact's scores; a contact not scored yet
// (no activity, no orders) gets its id and nulls, a contact that does not
// exist 404.
func (s *Server) getContactScores(c *fiber.Ctx) error {
	ctx, wsID := c.UserContext(), currentWorkspace(c).ID
	ct, err := s.opt.Store.Contact(ctx, wsID, c.Params("id")) // follows merges
	if err != nil {
		return err
	}
	sc, err := s.opt.Store.ContactScores(ctx, wsID, ct.ID)
	if errors.Is(err, store.ErrNotFound) {
		sc = store.ContactScores{ContactID: ct.ID}
	} else if err != nil {
		return err
	}
	if sc.TopCats == nil {
		sc.TopCats, sc.TopBrands = []byte("[]"), []byte("[]")
	}
	return c.JSON(sc)
}

// getRFM answers the workspace's RFM distribution: contacts per cell and
// per recency × frequency quintile.
func (s *Server) getRFM(c *fiber.Ctx) error {
	ctx, wsID := c.UserContext(), currentWorkspace(c).ID
	cells, err := s.opt.Store.RFMCells(ctx, wsID)
	if err != nil {
		return err
	}
	grid, err := s.opt.Store.RFMGrid(ctx, wsID)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range cells {
		total += n
	}
	_, fitted, err := s.opt.Store.ScoreModel(ctx, wsID)
	var at any
	if err == nil {
		at = fitted
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return c.JSON(fiber.Map{"cells": cells, "grid_r_f": grid, "contacts": total, "fitted_at": at})
}
