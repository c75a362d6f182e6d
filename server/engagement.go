package server

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// The pages people reach from a message (unsubscribe, preferences,
// confirmation): server-rendered, no JavaScript.
// The unsubscribe and preference pages are written in the workspace's
// language (data "L", an l10n.Lang: {{.L.T "key"}}); the rest in English.
//
//go:embed pages/*.html
var pagesFS embed.FS

var pages = template.Must(template.ParseFS(pagesFS, "pages/*.html"))

// pageCSP allows the pages' own inline style and forms posting back to
// this origin, nothing else.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// engagementRoutes registers what messages link to (tracking, unsubscribe,
// preferences, confirmation), the push prompt script and the messages and
// messaging settings API. The outbox is the console's Messages page.
func (s *Server) engagementRoutes(ws func(method, path string, h fiber.Handler)) {
	a := s.app
	a.Get("/push-prompt.js", s.netHTTP(widgets.PushPromptHandler())) // Get answers HEAD too
	a.Get("/w.js", s.netHTTP(widgets.BundleHandler()))               // the widget bundle (widgets/bundle.go); Get answers HEAD too
	if e := s.opt.Engagement; e != nil {
		a.Get("/e/c/*", s.emailClick)
		a.Get("/e/o/*", s.emailOpen)
		a.Get("/p/c/*", s.pushClick)
		a.Get("/e/u/:token", s.unsubscribePage)
		a.Post("/e/u/:token", s.unsubscribePost)
		a.Get("/e/p/:token", s.preferencesPage)
		a.Post("/e/p/:token", s.preferencesPost)
		a.Get("/e/confirm/:token", s.confirmPage)
	}

	ws("GET", "/messages", s.listMessages)
	ws("GET", "/messages/:id", s.getMessage)
	if s.opt.Messaging != nil {
		ws("GET", "/messaging/settings", s.getMessagingSettings)
		ws("PATCH", "/messaging/settings", s.updateMessagingSettings)
		s.routesDeliverability(ws)
	}
}

// render writes one of the pages.
func (s *Server) render(c *fiber.Ctx, status int, name string, data map[string]any) error {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// The token in the URL stays here: never sent on as a referrer.
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	if c.GetRespHeader(fiber.HeaderContentSecurityPolicy) == "" {
		c.Set(fiber.HeaderContentSecurityPolicy, pageCSP)
	}
	return c.Status(status).Send(b.Bytes())
}

// messagePage renders a page with a heading and one sentence.
func (s *Server) messagePage(c *fiber.Ctx, status int, heading, text string) error {
	return s.render(c, status, "message.html", map[string]any{"Title": heading, "Heading": heading, "Text": text})
}

// linkError answers an engagement failure: an invalid link is a 404 page,
// anything else is logged and a 500 page.
func (s *Server) linkError(c *fiber.Ctx, err error) error {
	if errors.Is(err, messaging.ErrBadLink) {
		return s.messagePage(c, fiber.StatusNotFound, "This link is not valid",
			"It may have been copied incompletely. Try the link in the email again.")
	}
	s.opt.Log.Error("engagement request failed", "path", c.Path(), "request_id", c.Locals("requestid"), "err", err)
	return s.messagePage(c, fiber.StatusInternalServerError, "Something went wrong",
		"Please try again in a moment.")
}

func rawQuery(c *fiber.Ctx) url.Values {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return q
}

// emailClick counts a click and redirects to the signed target; an
// unsigned or altered link is a 404, never a redirect.
func (s *Server) emailClick(c *fiber.Ctx) error {
	to, err := s.opt.Engagement.EmailClick(c.UserContext(), c.Path(), rawQuery(c))
	if err != nil {
		return s.linkError(c, err)
	}
	return clickRedirect(c, to)
}

func (s *Server) pushClick(c *fiber.Ctx) error {
	to, err := s.opt.Engagement.PushClick(c.UserContext(), c.Path(), rawQuery(c))
	if err != nil {
		return s.linkError(c, err)
	}
	return clickRedirect(c, to)
}

func clickRedirect(c *fiber.Ctx, to string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return c.Redirect(to, fiber.StatusFound)
}

// emailOpen always answers the pixel, so a mail client never shows a
// broken image; only a verified request is counted.
func (s *Server) emailOpen(c *fiber.Ctx) error {
	if err := s.opt.Engagement.EmailOpen(c.UserContext(), c.Path(), rawQuery(c), c.Get(fiber.HeaderUserAgent), s.clientIP(c)); err != nil &&
		!errors.Is(err, messaging.ErrBadLink) {
		s.opt.Log.Warn("open not recorded", "path", c.Path(), "err", err)
	}
	c.Set(fiber.HeaderContentType, "image/gif")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(email.Pixel())
}

// contactPages are the links of the unsubscribe and preference pages; one
// signed token serves both.
func contactPages(token string) (unsubscribe, preferences string) {
	t := url.PathEscape(token)
	return "/e/u/" + t, "/e/p/" + t
}

// unsubscribePage asks for a confirmation: link scanners and previewers
// fetch every GET in a message, so a GET must not unsubscribe. The button
// POSTs back; mail clients' one-click POST (RFC 8058) needs no page.
func (s *Server) unsubscribePage(c *fiber.Ctx) error {
	tok := c.Params("token")
	v, err := s.opt.Engagement.Preferences(c.UserContext(), tok)
	if err != nil {
		return s.linkError(c, err)
	}
	action, prefs := contactPages(tok)
	return s.render(c, fiber.StatusOK, "unsubscribe_confirm.html", map[string]any{"Title": v.Lang.T("unsubscribe.title"),
		"L": v.Lang, "Shop": v.Shop, "Email": v.Email, "Action": action, "Preferences": prefs})
}

// unsubscribePost unsubscribes at once. A body of
// "List-Unsubscribe=One-Click" is a mail client's RFC 8058 one-click
// request: it gets a bare 200 (no cookies, no redirect, no page to read);
// the page's own form gets the "you are unsubscribed" page.
func (s *Server) unsubscribePost(c *fiber.Ctx) error {
	tok := c.Params("token")
	oneClick := c.FormValue("List-Unsubscribe") == "One-Click"
	r, err := s.opt.Engagement.Unsubscribe(c.UserContext(), tok, oneClick)
	if err != nil {
		if oneClick && errors.Is(err, messaging.ErrBadLink) {
			return c.Status(fiber.StatusNotFound).SendString("not found")
		}
		return s.linkError(c, err)
	}
	if oneClick {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusOK).SendString("unsubscribed")
	}
	_, prefs := contactPages(tok)
	return s.render(c, fiber.StatusOK, "unsubscribed.html", map[string]any{"Title": r.Lang.T("unsubscribed.title"),
		"L": r.Lang, "Shop": r.Shop, "Email": r.Email, "Preferences": prefs})
}

// preferencesPage shows the contact's email consent with a form to change
// it. The form needs no CSRF token: the signed token in the URL is the
// only credential, it is never in a cookie, and the action only changes
// the consent of the contact the token names.
func (s *Server) preferencesPage(c *fiber.Ctx) error {
	tok := c.Params("token")
	v, err := s.opt.Engagement.Preferences(c.UserContext(), tok)
	if err != nil {
		return s.linkError(c, err)
	}
	return s.preferences(c, tok, v, false)
}

func (s *Server) preferences(c *fiber.Ctx, tok string, v messaging.PreferenceView, saved bool) error {
	_, action := contactPages(tok)
	return s.render(c, fiber.StatusOK, "preferences.html", map[string]any{"Title": v.Lang.T("preferences.title"),
		"L": v.Lang, "Shop": v.Shop, "Email": v.Email, "EmailOn": v.EmailOn, "Pending": v.Pending && !saved, "Action": action, "Saved": saved})
}

func (s *Server) preferencesPost(c *fiber.Ctx) error {
	tok := c.Params("token")
	v, err := s.opt.Engagement.Preferences(c.UserContext(), tok)
	if err != nil {
		return s.linkError(c, err)
	}
	var on bool
	switch c.FormValue("email") {
	case "yes":
		on = true
	case "no":
	default:
		return s.render(c, fiber.StatusBadRequest, "message.html", map[string]any{"Title": v.Lang.T("preferences.choose"),
			"L": v.Lang, "Heading": v.Lang.T("preferences.choose"), "Text": v.Lang.T("preferences.go_back")})
	}
	if err := s.opt.Engagement.SavePreferences(c.UserContext(), tok, on); err != nil {
		return s.linkError(c, err)
	}
	// The consent event is applied by the profile processor a moment
	// later: show the choice just made.
	v.EmailOn = on
	return s.preferences(c, tok, v, true)
}

// confirmPage confirms a double opt-in sign-up and thanks the person.
func (s *Server) confirmPage(c *fiber.Ctx) error {
	if err := s.opt.Engagement.Confirm(c.UserContext(), c.Params("token")); err != nil {
		return s.linkError(c, err)
	}
	lang := s.opt.Engagement.ConfirmLang(c.UserContext(), c.Params("token"))
	// The way on to the shop carries a proof that this browser is the
	// person who confirmed (docs/tracker.md, "What identification reveals").
	next, err := s.opt.Engagement.ShopLanding(c.UserContext(), c.Params("token"))
	if err != nil {
		s.opt.Log.Warn("confirmation: shop link", "err", err)
	}
	return s.render(c, fiber.StatusOK, "confirmed.html", map[string]any{"Title": lang.T("confirmed.title"), "L": lang,
		"Continue": next})
}
