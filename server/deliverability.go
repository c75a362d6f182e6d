package server

import (
	"bytes"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// routesDeliverability adds the suppression list and the sending domain's
// DNS report.
func (s *Server) routesDeliverability(ws func(method, path string, h fiber.Handler)) {
	ws("GET", "/suppressions", s.listSuppressions)
	ws("POST", "/suppressions", s.addSuppression)
	ws("GET", "/suppressions/export", s.exportSuppressions)
	ws("POST", "/suppressions/import", s.importSuppressions)
	ws("GET", "/suppressions/:email", s.getSuppression)
	ws("DELETE", "/suppressions/:email", s.deleteSuppression)
	ws("GET", "/messaging/domain", s.messagingDomain)
}

func (s *Server) listSuppressions(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	list, err := s.opt.Messaging.Suppressions(c.UserContext(), currentWorkspace(c).ID,
		store.SuppressionFilter{Search: c.Query("search"), Limit: limit})
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.Suppression{}
	}
	return c.JSON(fiber.Map{"suppressions": list})
}

func (s *Server) addSuppression(c *fiber.Ctx) error {
	var in struct {
		Email  string `json:"email"`
		Reason string `json:"reason"`
		Detail string `json:"detail"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sp, err := s.opt.Messaging.Suppress(c.UserContext(), currentWorkspace(c).ID, in.Email, in.Reason, messaging.SourceAPI, in.Detail)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sp)
}

func (s *Server) getSuppression(c *fiber.Ctx) error {
	addr, _ := url.PathUnescape(c.Params("email"))
	sp, ok, err := s.opt.Messaging.Suppressed(c.UserContext(), currentWorkspace(c).ID, addr)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound("address is not suppressed")
	}
	return c.JSON(sp)
}

func (s *Server) deleteSuppression(c *fiber.Ctx) error {
	addr, _ := url.PathUnescape(c.Params("email"))
	ok, err := s.opt.Messaging.Unsuppress(c.UserContext(), currentWorkspace(c).ID, addr)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound("address is not suppressed")
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) exportSuppressions(c *fiber.Ctx) error {
	var b bytes.Buffer
	if err := s.opt.Messaging.ExportSuppressions(c.UserContext(), currentWorkspace(c).ID, &b); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="suppressions.csv"`)
	return c.Send(b.Bytes())
}

// importSuppressions takes the CSV as the request body (text/csv).
func (s *Server) importSuppressions(c *fiber.Ctx) error {
	res, err := s.opt.Messaging.ImportSuppressions(c.UserContext(), currentWorkspace(c).ID, messaging.SourceImport,
		bytes.NewReader(c.Body()))
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *Server) messagingDomain(c *fiber.Ctx) error {
	rep, err := s.opt.Messaging.CheckDomain(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(rep)
}
