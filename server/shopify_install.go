package server

import (
	"errors"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/widgets"
)

const stateCookie = "cw_shopify_oauth"

// signedQuery parses the query string of a request Shopify signed, refusing
// a malformed one (rawQuery's leniency would only fail later, less clearly).
func signedQuery(c *fiber.Ctx) (url.Values, error) {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return nil, errBadRequest("bad query string")
	}
	return q, nil
}

// shopifyInstall is the Shopify app's App URL: it checks the request and
// sends the merchant to Shopify's consent screen.
func (s *Server) shopifyInstall(c *fiber.Ctx) error {
	q, err := signedQuery(c)
	if err != nil {
		return err
	}
	st, err := s.opt.Connectors.StartShopifyInstall(q)
	if err != nil {
		return installError(err)
	}
	c.Cookie(&fiber.Cookie{Name: stateCookie, Value: st.Cookie, Path: "/shopify/", HTTPOnly: true,
		Secure: s.secureCookies(), SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(10 * time.Minute)})
	return c.Redirect(st.RedirectURL, fiber.StatusFound)
}

var installedPage = template.Must(template.New("installed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cartwheel installed</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Cartwheel is connected to {{.Shop.Domain}}</h1>
<p>{{if .New}}A workspace was created for the shop.{{else}}The shop was reconnected.{{end}}
{{.Webhooks}} webhook subscriptions are registered and the catalogue is being imported.</p>
<p>Turn on the <strong>Cartwheel</strong> app embed in your theme editor (Online Store → Themes → Customize →
App embeds) and paste this site key into its settings:</p>
<pre style="background:#f4f4f4;padding:1rem">{{.SiteKey}}</pre>
</body></html>`))

// shopifyCallback finishes the OAuth install.
func (s *Server) shopifyCallback(c *fiber.Ctx) error {
	q, err := signedQuery(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.upstreamContext(c)
	defer cancel()
	in, err := s.opt.Connectors.FinishShopifyInstall(ctx, q, c.Cookies(stateCookie))
	if err != nil {
		return installError(err)
	}
	c.ClearCookie(stateCookie)
	c.Type("html", "utf-8")
	return installedPage.Execute(c.Response().BodyWriter(), in)
}

func installError(err error) error {
	switch {
	case errors.Is(err, connectors.ErrInstallOff):
		return &apiError{fiber.StatusNotFound, "not_configured", err.Error(), nil}
	case errors.Is(err, connectors.ErrInstallRejected):
		return &apiError{fiber.StatusBadRequest, "install_rejected", err.Error(), nil}
	}
	return err
}

// shopifyProxyServiceWorker serves the push service worker through the
// Shopify App Proxy (https://{shop}/apps/cartwheel/sw.js), so it runs on
// the shop's origin. Shopify signs proxied requests; unsigned ones are
// refused.
func (s *Server) shopifyProxyServiceWorker(c *fiber.Ctx) error {
	q, err := signedQuery(c)
	if err != nil {
		return err
	}
	if !s.opt.Connectors.VerifyProxy(q) {
		return errUnauthorized("app proxy signature does not verify")
	}
	return s.serviceWorker(c)
}

// serviceWorker serves the push service worker. Browsers re-check a
// service worker at least daily; no-cache makes them see updates at once.
func (s *Server) serviceWorker(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(widgets.ServiceWorker())
}

// secureCookies reports whether cookies must be Secure: decided by the
// configured public URL, never by a header a client or proxy sends.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.opt.Config.PublicURL, "https://") }
