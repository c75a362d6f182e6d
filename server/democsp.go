package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// inlineScript finds the inline scripts of a page: the tracker tag's stub
// is one, the page context block (type application/json) is data, not a
// script, and is skipped.
var inlineScript = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)

// demoSecurity sets the demo storefront's Content-Security-Policy and frame
// protection. The policy allows what a shop using Cartwheel needs and
// nothing else: scripts from this server (t.js, w.js, the push prompt) and
// the exact inline scripts the page carries (by hash, computed from the
// answer itself, so it cannot drift from the templates), fetches and images
// from this server, the service worker, styles from this server and inside
// the widgets' shadow roots. The page may not be framed.
func (s *Server) demoSecurity(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	self := "'self'"
	if u, err := url.Parse(s.opt.Config.PublicURL); err == nil {
		self += " " + u.Scheme + "://" + u.Host
	}
	scripts := self
	if strings.HasPrefix(string(c.Response().Header.ContentType()), "text/html") {
		for _, m := range inlineScript.FindAllSubmatch(c.Response().Body(), -1) {
			attrs := strings.ToLower(string(m[1]))
			if strings.Contains(attrs, "src=") || strings.Contains(attrs, "application/json") {
				continue
			}
			sum := sha256.Sum256(m[2])
			scripts += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
	}
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; script-src "+scripts+"; connect-src "+self+
		"; img-src "+self+" data: https:; style-src "+self+" 'unsafe-inline'; font-src "+self+"; worker-src "+self+
		"; manifest-src "+self+"; form-action "+self+"; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	return nil
}
