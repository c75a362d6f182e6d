package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// widgetRoutes registers /decide, the public endpoints w.js calls and the
// widgets admin API (docs/widgets.md).
func (s *Server) widgetRoutes(ws func(method, path string, h fiber.Handler)) {
	if s.opt.Personalization == nil {
		return
	}
	a := s.app
	a.Get("/decide", publicCORS, s.limitIP, s.decide)
	a.Options("/decide", publicCORS)
	a.Post("/widgets/submit", publicCORS, s.limitIP, s.widgetSubmit)
	a.Options("/widgets/submit", publicCORS)
	a.Get("/inbox", publicCORS, s.limitIP, s.inbox)
	a.Options("/inbox", publicCORS)
	a.Post("/inbox/read", publicCORS, s.limitIP, s.inboxRead)
	a.Options("/inbox/read", publicCORS)
	a.Post("/wishlist", publicCORS, s.limitIP, s.wishlist)
	a.Options("/wishlist", publicCORS)
	a.Get("/push/prompt", publicCORS, s.limitIP, s.pushPrompt)
	a.Options("/push/prompt", publicCORS)

	ws("GET", "/widgets", s.listWidgets)
	ws("POST", "/widgets", s.createWidget)
	ws("GET", "/widgets/:id", s.getWidget)
	ws("PUT", "/widgets/:id", s.updateWidget)
	ws("POST", "/widgets/:id/activate", s.setWidgetStatus("active"))
	ws("POST", "/widgets/:id/pause", s.setWidgetStatus("paused"))
	ws("GET", "/widgets/:id/stats", s.widgetStats)
	ws("GET", "/widget-templates", s.listWidgetTemplates)
	ws("POST", "/widget-templates/:name", s.enableWidgetTemplate)
	ws("GET", "/decide/explain", s.explainDecision)
}

// publicSite resolves a public widget request's site key and visitor id,
// enforcing the workspace's origins as /collect does.
func (s *Server) publicSite(c *fiber.Ctx, key, visitorID string) (siteInfo, error) {
	if !tracker.ValidID(visitorID) {
		return siteInfo{}, errBadRequest(`"v" must be the tracker's visitor id`)
	}
	si, err := s.sites.get(c.UserContext(), key, time.Now())
	if err != nil {
		return si, err
	}
	if !si.found {
		return si, errNotFound("unknown site key")
	}
	if origin := c.Get(fiber.HeaderOrigin); !si.allows(origin) {
		s.sites.refused.note(s.opt.Log, si.ws.ID, origin)
		return si, errForbidden("origin not allowed for this site")
	}
	return si, nil
}

// decide answers which widgets the visitor gets on this page.
func (s *Server) decide(c *fiber.Ctx) error {
	si, err := s.publicSite(c, c.Query("k"), c.Query("v"))
	if err != nil {
		return err
	}
	r := personalization.DecideRequest{WorkspaceID: si.ws.ID, Locale: si.ws.Locale, VisitorID: c.Query("v"),
		SessionID: clip(c.Query("s"), 64), URL: clip(c.Query("u"), 2000), Page: clip(c.Query("p"), 32),
		ProductID: clip(c.Query("pid"), 128), Category: clip(c.Query("cat"), 200), Device: clip(c.Query("d"), 16),
		Frames: frameNames(c.Query("f"))}
	dec, err := s.opt.Personalization.Decide(c.UserContext(), r)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(dec)
}

// pushPrompt answers the soft push prompt (push-prompt.js): whether to ask
// at all (an active flow sends pushes) and its words in the workspace's
// language, promising only what those flows send.
func (s *Server) pushPrompt(c *fiber.Ctx) error {
	si, err := s.publicSite(c, c.Query("k"), c.Query("v"))
	if err != nil {
		return err
	}
	pp, err := s.opt.Personalization.PushPrompt(c.UserContext(), si.ws.ID, si.ws.Locale)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(pp)
}

// explainDecision is the admin's "why did this visitor see this?".
func (s *Server) explainDecision(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	v := c.Query("visitor")
	if !tracker.ValidID(v) {
		return errBadRequest("visitor: a visitor id is required")
	}
	r := personalization.DecideRequest{WorkspaceID: w.ID, Locale: w.Locale, VisitorID: v, SessionID: c.Query("session"),
		URL: c.Query("url"), Page: c.Query("page"), ProductID: c.Query("product"), Category: c.Query("category"),
		Device: c.Query("device"), Frames: frameNames(c.Query("frames"))}
	dec, ex, err := s.opt.Personalization.Explain(c.UserContext(), r)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"decision": dec, "explanation": ex})
}

// frameNames splits the comma-separated placeholder names (at most 20).
func frameNames(q string) []string {
	var out []string
	for _, f := range strings.Split(q, ",") {
		if f = strings.TrimSpace(f); f != "" && len(f) <= 64 && len(out) < 20 {
			out = append(out, f)
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
