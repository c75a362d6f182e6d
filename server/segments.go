package server

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/personalization/segments"
)

// segmentRoutes registers the segments API (docs/api.md).
func (s *Server) segmentRoutes(ws func(method, path string, h fiber.Handler)) {
	if s.opt.Segments == nil {
		return
	}
	ws("GET", "/segments", s.listSegments)
	ws("POST", "/segments", s.createSegment)
	ws("GET", "/segments/ready-made", s.listReadyMadeSegments)
	ws("POST", "/segments/ready-made/:key", s.installReadyMadeSegment)
	ws("GET", "/segments/:id", s.getSegment)
	ws("PUT", "/segments/:id", s.updateSegment)
	ws("DELETE", "/segments/:id", s.deleteSegment)
	ws("GET", "/segments/:id/members", s.segmentMembers)
	ws("GET", "/segments/:id/sizes", s.segmentSizes)
	ws("GET", "/contacts/:id/segments", s.contactSegments)
}

// segmentErr maps the service's not-found to the API's 404.
func segmentErr(err error) error {
	if errors.Is(err, segments.ErrNotFound) {
		return errNotFound("no such segment")
	}
	return err
}

func (s *Server) listSegments(c *fiber.Ctx) error {
	list, err := s.opt.Segments.List(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"segments": list})
}

func segmentInput(c *fiber.Ctx) (segments.Input, error) {
	var in segments.Input
	body, err := jsonBody(c)
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return in, errBadRequest("body: " + err.Error())
	}
	return in, nil
}

func (s *Server) createSegment(c *fiber.Ctx) error {
	in, err := segmentInput(c)
	if err != nil {
		return err
	}
	out, err := s.opt.Segments.Create(c.UserContext(), currentWorkspace(c).ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) getSegment(c *fiber.Ctx) error {
	out, err := s.opt.Segments.Get(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return segmentErr(err)
	}
	return c.JSON(out)
}

func (s *Server) updateSegment(c *fiber.Ctx) error {
	in, err := segmentInput(c)
	if err != nil {
		return err
	}
	out, err := s.opt.Segments.Update(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), in)
	if err != nil {
		return segmentErr(err)
	}
	return c.JSON(out)
}

func (s *Server) deleteSegment(c *fiber.Ctx) error {
	if err := s.opt.Segments.Delete(c.UserContext(), currentWorkspace(c).ID, c.Params("id")); err != nil {
		return segmentErr(err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listReadyMadeSegments(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"ready_made": segments.ReadyMades()})
}

func (s *Server) installReadyMadeSegment(c *fiber.Ctx) error {
	out, err := s.opt.Segments.Install(c.UserContext(), currentWorkspace(c).ID, c.Params("key"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// segmentMembers pages through members: ?after=<contact id>&limit=N
// (at most 500); next_after is the cursor of the next page.
func (s *Server) segmentMembers(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit", "50"))
	rows, err := s.opt.Segments.Members(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), c.Query("after"), limit)
	if err != nil {
		return segmentErr(err)
	}
	type member struct {
		ContactID string `json:"contact_id"`
		Email     string `json:"email,omitempty"`
		FirstName string `json:"first_name,omitempty"`
		LastName  string `json:"last_name,omitempty"`
		Since     string `json:"since"`
	}
	out := make([]member, 0, len(rows))
	for _, r := range rows {
		out = append(out, member{r.ContactID, r.Email, r.FirstName, r.LastName, r.Since.UTC().Format("2006-01-02T15:04:05.000Z07:00")})
	}
	body := fiber.Map{"members": out}
	if len(rows) > 0 {
		body["next_after"] = rows[len(rows)-1].ContactID
	}
	return c.JSON(body)
}

// segmentSizes returns daily sizes: ?days=N (default 30, at most 730).
func (s *Server) segmentSizes(c *fiber.Ctx) error {
	days, err := strconv.Atoi(c.Query("days", "30"))
	if err != nil || days < 1 || days > 730 {
		return errBadRequest("days must be from 1 to 730")
	}
	sizes, err := s.opt.Segments.Sizes(c.UserContext(), currentWorkspace(c).ID, c.Params("id"), days)
	if err != nil {
		return segmentErr(err)
	}
	type size struct {
		Day  string `json:"day"`
		Size int64  `json:"size"`
	}
	out := make([]size, 0, len(sizes))
	for _, z := range sizes {
		out = append(out, size{z.Day, z.Size})
	}
	return c.JSON(fiber.Map{"sizes": out})
}

func (s *Server) contactSegments(c *fiber.Ctx) error {
	list, err := s.opt.Segments.ContactSegments(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"segments": list})
}
