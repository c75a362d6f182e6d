package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
)

// smsRoutes are the SMS channel's: the providers' webhooks (verified by
// the channel before anything is read), the segment counter and the
// workspace's SMS settings.
func (s *Server) smsRoutes(ws func(method, path string, h fiber.Handler)) {
	if s.opt.SMS == nil {
		return
	}
	// Twilio posts; SMSAPI reports deliveries with GET and replies with POST.
	h := s.netHTTP(s.opt.SMS)
	s.app.Post("/webhooks/sms/*", h)
	s.app.Get("/webhooks/sms/*", h)
	ws("POST", "/sms/count", s.smsCount)
	ws("GET", "/sms/settings", s.getSMSSettings)
	ws("PATCH", "/sms/settings", s.updateSMSSettings)
}

// smsCountRequest is a text to count; Transliterate overrides the
// workspace's setting when given.
type smsCountRequest struct {
	Text          string `json:"text"`
	Transliterate *bool  `json:"transliterate"`
}

// smsCount answers how a text would go out: encoding, characters,
// segments, as sent (transliterated when asked) and as typed.
func (s *Server) smsCount(c *fiber.Ctx) error {
	var req smsCountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Text) > 10000 {
		return errBadRequest("text: at most 10000 bytes")
	}
	translit := false
	if req.Transliterate != nil {
		translit = *req.Transliterate
	} else {
		set, err := s.opt.SMS.Settings(c.UserContext(), currentWorkspace(c).ID)
		if err != nil {
			return err
		}
		translit = set.Transliterate
	}
	text := req.Text
	if translit {
		text = sms.Transliterate(text)
	}
	return c.JSON(fiber.Map{"text": text, "transliterated": translit, "count": sms.CountText(text),
		"as_typed": sms.CountText(req.Text)})
}

func (s *Server) getSMSSettings(c *fiber.Ctx) error {
	ctx, ws := c.UserContext(), currentWorkspace(c).ID
	set, err := s.opt.SMS.Settings(ctx, ws)
	if err != nil {
		return err
	}
	urls, err := s.opt.SMS.Webhooks(ctx, ws)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"settings": set, "webhooks": urls})
}

func (s *Server) updateSMSSettings(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, ws := c.UserContext(), currentWorkspace(c).ID
	set, err := s.opt.SMS.UpdateSettings(ctx, ws, body)
	if err != nil {
		return err
	}
	urls, err := s.opt.SMS.Webhooks(ctx, ws)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"settings": set, "webhooks": urls})
}
