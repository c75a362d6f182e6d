package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/campaigns"
)

// campaignRoutes registers the campaigns API.
func (s *Server) campaignRoutes(ws func(method, path string, h fiber.Handler)) {
	if s.opt.Campaigns == nil {
		return
	}
	ws("GET", "/campaigns", s.listCampaigns)
	ws("POST", "/campaigns", s.createCampaign)
	ws("GET", "/campaigns/:id", s.getCampaign)
	ws("PUT", "/campaigns/:id", s.updateCampaign)
	ws("POST", "/campaigns/:id/schedule", s.campaignAction((*campaigns.Service).Schedule))
	ws("POST", "/campaigns/:id/pause", s.campaignAction((*campaigns.Service).Pause))
	ws("POST", "/campaigns/:id/resume", s.campaignAction((*campaigns.Service).Resume))
	ws("POST", "/campaigns/:id/cancel", s.campaignAction((*campaigns.Service).Cancel))
	ws("GET", "/campaigns/:id/progress", s.campaignProgress)
	ws("GET", "/campaigns/:id/report", s.campaignReport)
}

// campaignError answers a state conflict (editing a sent campaign,
// resuming a cancelled one) with 409 and what the campaign is.
func campaignError(err error) error {
	var ne *campaigns.ErrNotEditable
	if errors.As(err, &ne) {
		return &apiError{fiber.StatusConflict, "conflict", ne.Error(), fiber.Map{"status": ne.Status}}
	}
	return err
}

func (s *Server) listCampaigns(c *fiber.Ctx) error {
	list, err := s.opt.Campaigns.List(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"campaigns": list})
}

func campaignInput(c *fiber.Ctx) (campaigns.Input, error) {
	body, err := jsonBody(c)
	if err != nil {
		return campaigns.Input{}, err
	}
	var in campaigns.Input
	if err := json.Unmarshal(body, &in); err != nil {
		return in, errBadRequest("campaign: " + err.Error())
	}
	return in, nil
}

func (s *Server) createCampaign(c *fiber.Ctx) error {
	in, err := campaignInput(c)
	if err != nil {
		return err
	}
	out, err := s.opt.Campaigns.Create(c.UserContext(), currentWorkspace(c).ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getCampaign(c *fiber.Ctx) error {
	out, err := s.opt.Campaigns.Get(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) updateCampaign(c *fiber.Ctx) error {
	in, err := campaignInput(c)
	if err != nil {
		return err
	}
	out, err := s.opt.Campaigns.Update(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), in)
	if err != nil {
		return campaignError(err)
	}
	return c.JSON(out)
}

func (s *Server) campaignAction(do func(*campaigns.Service, context.Context, string, string) (campaigns.Campaign, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := do(s.opt.Campaigns, c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
		if err != nil {
			return campaignError(err)
		}
		return c.JSON(out)
	}
}

func (s *Server) campaignProgress(c *fiber.Ctx) error {
	out, err := s.opt.Campaigns.Progress(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) campaignReport(c *fiber.Ctx) error {
	out, err := s.opt.Campaigns.Report(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(out)
}
