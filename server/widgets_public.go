package server

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/internal/safeurl"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/store"
)

// widgetBody is what w.js posts: the site key and visitor id with the
// endpoint's own fields.
type widgetBody struct {
	SiteKey   string   `json:"k"`
	VisitorID string   `json:"v"`
	Widget    string   `json:"widget"`
	Variant   string   `json:"variant"`
	Email     string   `json:"email"`
	Consent   bool     `json:"consent"`
	Interests []string `json:"interests"`
	ID        string   `json:"id"`
	ProductID string   `json:"product_id"`
	On        bool     `json:"on"`
}

func (s *Server) widgetRequest(c *fiber.Ctx) (widgetBody, siteInfo, error) {
	var b widgetBody
	if len(c.Body()) > 8<<10 {
		return b, siteInfo{}, &apiError{fiber.StatusRequestEntityTooLarge, "too_large", "body too large", nil}
	}
	if err := decodePublicJSON(c, &b); err != nil {
		return b, siteInfo{}, errBadRequest(`body must be JSON with "k" (site key) and "v" (visitor id)`)
	}
	si, err := s.publicSite(c, b.SiteKey, b.VisitorID)
	return b, si, err
}

// widgetSubmit handles a pop-up's lead form.
func (s *Server) widgetSubmit(c *fiber.Ctx) error {
	b, si, err := s.widgetRequest(c)
	if err != nil {
		return err
	}
	if len(b.Interests) > 20 {
		return errBadRequest("interests: at most 20")
	}
	res, err := s.opt.Personalization.Submit(c.UserContext(), personalization.Submission{WorkspaceID: si.ws.ID,
		Locale: si.ws.Locale, VisitorID: b.VisitorID, WidgetID: b.Widget, Variant: b.Variant, Email: b.Email,
		Consent: b.Consent, Interests: b.Interests})
	if err != nil {
		return busy(c, err)
	}
	var code any
	if res.Code != "" {
		code = res.Code
	}
	return c.JSON(fiber.Map{"ok": true, "code": code, "message": res.Message})
}

// busy turns a full event queue into 503 with Retry-After.
func busy(c *fiber.Ctx, err error) error {
	if errors.Is(err, cdp.ErrOverloaded) || errors.Is(err, cdp.ErrClosed) {
		c.Set(fiber.HeaderRetryAfter, "1")
		return &apiError{fiber.StatusServiceUnavailable, "busy", "busy, retry shortly", nil}
	}
	return err
}

// inboxMessage is an inbox item as w.js lists it.
type inboxMessage struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	URL       string    `json:"url"`
	Image     string    `json:"image"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// inbox lists the visitor's messages, recently viewed products and
// wishlist.
func (s *Server) inbox(c *fiber.Ctx) error {
	si, err := s.publicSite(c, c.Query("k"), c.Query("v"))
	if err != nil {
		return err
	}
	view, err := s.opt.Personalization.Inbox(c.UserContext(), si.ws.ID, c.Query("v"))
	if err != nil {
		return err
	}
	msgs := []inboxMessage{}
	if view.ContactID != "" && s.opt.Engagement != nil {
		ms, err := s.opt.Engagement.Inbox(c.UserContext(), si.ws.ID, view.ContactID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			var body struct{ Title, Body, URL, Image string }
			_ = json.Unmarshal(m.Body, &body)
			// Items stored before links were checked may hold a
			// javascript: link: never hand one to the shop's page.
			if safeurl.Check(body.URL) != nil {
				body.URL = ""
			}
			if safeurl.Check(body.Image) != nil {
				body.Image = ""
			}
			msgs = append(msgs, inboxMessage{ID: m.ID, Title: body.Title, Body: body.Body, URL: body.URL, Image: body.Image,
				CreatedAt: m.CreatedAt, Read: !m.ReadAt.IsZero()})
		}
	}
	rv, wl := view.RecentlyViewed, view.Wishlist
	if rv == nil {
		rv = []personalization.Product{}
	}
	if wl == nil {
		wl = []personalization.Product{}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"messages": msgs, "recently_viewed": rv, "wishlist": wl})
}

// inboxRead marks one of the visitor's inbox messages read.
func (s *Server) inboxRead(c *fiber.Ctx) error {
	b, si, err := s.widgetRequest(c)
	if err != nil {
		return err
	}
	if s.opt.Engagement == nil {
		return errNotFound("no inbox")
	}
	contact, err := s.opt.Personalization.Contact(c.UserContext(), si.ws.ID, b.VisitorID)
	if err != nil {
		return err
	}
	if contact == "" {
		return store.ErrNotFound
	}
	if err := s.opt.Engagement.MarkRead(c.UserContext(), si.ws.ID, contact, b.ID); err != nil {
		return err
	}
	s.opt.Personalization.MarkedRead(si.ws.ID, b.VisitorID)
	return c.SendStatus(fiber.StatusNoContent)
}

// wishlist adds a product to the visitor's wishlist or removes it.
func (s *Server) wishlist(c *fiber.Ctx) error {
	b, si, err := s.widgetRequest(c)
	if err != nil {
		return err
	}
	if b.ProductID == "" || len(b.ProductID) > 128 {
		return errBadRequest("product_id: required")
	}
	if err := s.opt.Personalization.SetWishlisted(c.UserContext(), si.ws.ID, b.VisitorID, b.ProductID, b.On); err != nil {
		return busy(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
