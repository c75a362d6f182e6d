package server

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
)

// pushRequest is what the browser posts to /push/subscribe and
// /push/unsubscribe: the site key, the tracker's visitor id and the
// PushSubscription's toJSON().
type pushRequest struct {
	SiteKey      string          `json:"k"`
	VisitorID    string          `json:"v"`
	Subscription json.RawMessage `json:"subscription"`
}

// publicCORS answers the browser's preflight for the public push endpoints
// and allows the response to be read; the origin is checked per workspace
// in the handler, as for /collect.
func publicCORS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST, OPTIONS")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type")
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}

// pushSite reads a push request and resolves its site, enforcing the
// workspace's origins.
func (s *Server) pushSite(c *fiber.Ctx) (pushRequest, siteInfo, error) {
	var r pushRequest
	if len(c.Body()) > 8<<10 {
		return r, siteInfo{}, &apiError{fiber.StatusRequestEntityTooLarge, "too_large", "body too large", nil}
	}
	if err := decodePublicJSON(c, &r); err != nil {
		return r, siteInfo{}, errBadRequest("body must be JSON: {\"k\": site key, \"v\": visitor id, \"subscription\": {...}}")
	}
	si, err := s.publicSite(c, r.SiteKey, r.VisitorID)
	return r, si, err
}

// pushSubscribe stores a browser's push subscription for its visitor.
func (s *Server) pushSubscribe(c *fiber.Ctx) error {
	r, si, err := s.pushSite(c)
	if err != nil {
		return err
	}
	p, err := s.opt.Messaging.Subscribe(c.UserContext(), si.ws.ID, r.VisitorID, r.Subscription, c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": p.ID})
}

// pushUnsubscribe forgets a browser's subscription.
func (s *Server) pushUnsubscribe(c *fiber.Ctx) error {
	r, si, err := s.pushSite(c)
	if err != nil {
		return err
	}
	if err := s.opt.Messaging.Unsubscribe(c.UserContext(), si.ws.ID, r.Subscription); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// pushKey gives the browser the VAPID public key to subscribe with
// (applicationServerKey).
func (s *Server) pushKey(c *fiber.Ctx) error {
	k, err := s.opt.Messaging.VAPIDKeys(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(fiber.Map{"public_key": k.Public})
}
