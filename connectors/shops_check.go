package connectors

import (
	"context"
	"strings"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// CheckShop calls a shop with the credentials of a hand connection before
// they are stored (a Shopify custom app's token reads the shop's settings,
// a WooCommerce key pair its general settings), so that wrong keys, an API
// that is off or an unreachable store are said at once instead of in a
// failed sync later. It returns in with the shop's own currency filled in
// and, for Shopify, the API address calls go to (ShopifyBaseURL in tests).
// A refusal or failure of the shop is an *UpstreamError.
func (h *Hub) CheckShop(ctx context.Context, in workspace.ShopInput) (workspace.ShopInput, error) {
	sh := store.Shop{Platform: in.Platform, Domain: strings.ToLower(strings.TrimSpace(in.Domain)),
		APIURL: strings.TrimRight(in.APIURL, "/")}
	switch in.Platform {
	case Shopify:
		if sh.APIURL == "" {
			sh.APIURL = h.opt.ShopifyBaseURL
		}
		info, err := h.shopifyClient(sh, in.AccessToken).ShopInfo(ctx)
		if err != nil {
			return in, &UpstreamError{Op: "reading the shop's settings", Err: err}
		}
		in.APIURL = sh.APIURL
		if info.Currency != "" {
			in.Currency = info.Currency
		}
		if in.Name == "" {
			in.Name = info.Name
		}
		return in, nil
	case WooCommerce:
		c, err := h.wooClient(sh, in.ConsumerKey+":"+in.ConsumerSecret)
		if err != nil {
			return in, err
		}
		info, err := c.Settings(ctx)
		if err != nil {
			return in, &UpstreamError{Op: "reading the store's settings", Err: err}
		}
		if info.Currency != "" {
			in.Currency = info.Currency
		}
		return in, nil
	}
	return in, &workspace.InvalidError{Field: "platform", Reason: "only Shopify and WooCommerce shops can be checked"}
}

// ShopifyApp reports whether the Shopify app's credentials are configured,
// i.e. whether the OAuth install flow (/shopify/install) is on.
func (h *Hub) ShopifyApp() bool { return h.opt.ShopifyAPIKey != "" && h.opt.ShopifyAPISecret != "" }
