// Package tracker holds the browser tracker: its JavaScript source (minified
// and served at /t.js) and the contract between a storefront and it.
//
// The contract, which the demo shop, the Shopify theme extension and the
// WordPress plugin all follow:
//
//   - the page includes Tag(...) once, in <head>;
//   - the page may describe itself in a non-executable JSON block
//     <script type="application/json" data-cartwheel-context>{...}</script>
//     (see PageContext), which works under a strict CSP;
//   - the tracker keeps the anonymous visitor id in the first-party cookie
//     VisitorCookie (and localStorage), so the shop's server can attach
//     checkouts and orders to the visitor who browsed.
package tracker

import (
	"encoding/json"
	"html"
	"html/template"
	"strings"
)

// VisitorCookie holds the anonymous visitor id; SessionCookie the session id.
const (
	VisitorCookie = "cw_vid"
	SessionCookie = "cw_sid"
)

// Tag returns the script tags a storefront puts in <head>: a tiny stub that
// queues calls made before t.js arrives, and t.js itself, loaded async so it
// never blocks rendering. The stub is the only inline script; shops with a
// strict CSP can omit it and call the API after load.
func Tag(publicURL, siteKey string) template.HTML {
	return TagWithOptions(publicURL, siteKey, TagOptions{})
}

// TagOptions are the per-shop settings the tracker reads from its tag.
type TagOptions struct {
	// RequireConsent makes the tracker hold everything in memory, write no
	// cookie and send nothing until cartwheel.consent({tracking: true})
	// (or Shopify's Customer Privacy API) allows tracking.
	RequireConsent bool
}

// TagWithOptions is Tag with per-shop settings.
func TagWithOptions(publicURL, siteKey string, opts TagOptions) template.HTML {
	base := strings.TrimRight(publicURL, "/")
	extra := ""
	if opts.RequireConsent {
		extra = ` data-require-consent="1"`
	}
	return template.HTML(`<script>window.cartwheel=window.cartwheel||{q:[],track:function(){this.q.push(["track",arguments])},identify:function(){this.q.push(["identify",arguments])},consent:function(){this.q.push(["consent",arguments])}};</script>` +
		`<script async src="` + html.EscapeString(base) + `/t.js" data-site-key="` + html.EscapeString(siteKey) + `" data-endpoint="` + html.EscapeString(base) + `"` + extra + `></script>`)
}

// PageContext describes the page to the tracker. Page is one of home,
// category, product, search, cart, checkout, thank_you, other.
type PageContext struct {
	Page          string          `json:"page"`
	Product       *ContextProduct `json:"product,omitempty"`
	Category      string          `json:"category,omitempty"`
	Query         string          `json:"query,omitempty"`
	CheckoutToken string          `json:"checkout_token,omitempty"`
	OrderID       string          `json:"order_id,omitempty"`
	Customer      *ContextPerson  `json:"customer,omitempty"`
}

// ContextProduct is the product a product page shows.
type ContextProduct struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Category   string `json:"category,omitempty"`
	PriceMinor int64  `json:"price_minor"`
	Currency   string `json:"currency"`
	URL        string `json:"url,omitempty"`
	ImageURL   string `json:"image_url,omitempty"`
}

// ContextPerson is the logged-in customer, when the shop knows one. What
// the page says identifies the browser but proves nothing (docs/tracker.md,
// "What identification reveals"): a shop proves its login with Proof (the
// WordPress plugin's signed statement, woocommerce.Login) or Proxy (the
// Shopify App Proxy path that vouches for logged_in_customer_id). Email is
// for custom storefronts; the platforms' integrations leave it out, because
// a page cache can serve the page to somebody else.
type ContextPerson struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Proof string `json:"proof,omitempty"`
	Proxy string `json:"proxy,omitempty"`
}

// ContextBlock renders pc as the JSON block the tracker reads.
func ContextBlock(pc PageContext) template.HTML {
	b, err := json.Marshal(pc)
	if err != nil {
		return ""
	}
	// json.Marshal escapes <, > and & so the block cannot close the tag early.
	return template.HTML(`<script type="application/json" data-cartwheel-context>` + string(b) + `</script>`)
}
