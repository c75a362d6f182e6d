package connectors

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// Install errors.
var (
	// ErrInstallOff: the Shopify app credentials are not configured.
	ErrInstallOff = errors.New("the Shopify app is not configured (CARTWHEEL_SHOPIFY_API_KEY and CARTWHEEL_SHOPIFY_API_SECRET)")
	// ErrInstallRejected: the request is not a genuine, fresh install
	// request of this browser (bad HMAC, bad shop, state mismatch).
	ErrInstallRejected = errors.New("install request rejected")
)

// stateTTL bounds how long a merchant may take on Shopify's consent screen.
const stateTTL = 10 * time.Minute

// InstallStart is where to send the merchant and the state the browser must
// bring back (kept in a cookie by the HTTP layer).
type InstallStart struct {
	RedirectURL string
	State       string
	Cookie      string
}

// StartShopifyInstall checks an install request and returns Shopify's
// authorisation URL for an offline token.
func (h *Hub) StartShopifyInstall(q url.Values) (InstallStart, error) {
	if h.opt.ShopifyAPIKey == "" || h.opt.ShopifyAPISecret == "" {
		return InstallStart{}, ErrInstallOff
	}
	shop := strings.ToLower(q.Get("shop"))
	if !shopify.ValidShopDomain(shop) {
		return InstallStart{}, fmt.Errorf("%w: %q is not a myshopify.com domain", ErrInstallRejected, q.Get("shop"))
	}
	// Shopify signs the App URL request; a merchant typing the install URL
	// by hand sends no hmac, which is fine: the callback is what is trusted.
	if q.Get("hmac") != "" {
		if err := shopify.VerifyQuery(h.opt.ShopifyAPISecret, q, h.now()); err != nil {
			return InstallStart{}, fmt.Errorf("%w: %w", ErrInstallRejected, err)
		}
	}
	state := ids.Token("st")
	exp := strconv.FormatInt(h.now().Add(stateTTL).Unix(), 10)
	msg := state + "|" + shop + "|" + exp
	cookie := msg + "|" + h.opt.Secrets.Sign("shopify-oauth-state", []byte(msg))
	redirect := strings.TrimRight(h.opt.PublicURL, "/") + "/shopify/callback"
	return InstallStart{RedirectURL: shopify.AuthorizeURL(shop, h.opt.ShopifyAPIKey, shopify.DefaultScopes(), redirect, state),
		State: state, Cookie: cookie}, nil
}

// Installed is the outcome of an install.
type Installed struct {
	Shop     store.Shop
	New      bool
	SiteKey  string
	Webhooks int
}

// FinishShopifyInstall checks Shopify's callback (HMAC, shop, the state
// this browser was given), exchanges the code for an offline token, stores
// it sealed, creates the workspace and shop on a first install, registers
// the webhooks and starts the catalogue backfill.
func (h *Hub) FinishShopifyInstall(ctx context.Context, q url.Values, cookie string) (Installed, error) {
	if h.opt.ShopifyAPIKey == "" || h.opt.ShopifyAPISecret == "" {
		return Installed{}, ErrInstallOff
	}
	if err := shopify.VerifyQuery(h.opt.ShopifyAPISecret, q, h.now()); err != nil {
		return Installed{}, fmt.Errorf("%w: %w", ErrInstallRejected, err)
	}
	shop := strings.ToLower(q.Get("shop"))
	if !shopify.ValidShopDomain(shop) {
		return Installed{}, fmt.Errorf("%w: bad shop domain", ErrInstallRejected)
	}
	if err := h.checkState(cookie, q.Get("state"), shop); err != nil {
		return Installed{}, err
	}
	if q.Get("code") == "" {
		return Installed{}, fmt.Errorf("%w: no code", ErrInstallRejected)
	}
	apiURL := h.opt.ShopifyBaseURL
	client := h.shopifyClient(store.Shop{Domain: shop, APIURL: apiURL}, "")
	tok, err := client.ExchangeToken(ctx, h.opt.ShopifyAPIKey, h.opt.ShopifyAPISecret, q.Get("code"))
	if err != nil {
		return Installed{}, &UpstreamError{Op: "install code exchange", Err: err}
	}
	client = h.shopifyClient(store.Shop{Domain: shop, APIURL: apiURL}, tok.AccessToken)
	info, err := client.ShopInfo(ctx)
	if err != nil {
		return Installed{}, &UpstreamError{Op: "reading the shop's settings", Err: err}
	}
	sh, isNew, err := h.opt.Workspaces.InstallShopify(ctx, shop, tok.AccessToken, info.Currency)
	if err != nil {
		return Installed{}, err
	}
	if sh.APIURL != apiURL {
		sh.APIURL = apiURL
		if err := h.opt.Workspaces.SaveShop(ctx, sh); err != nil {
			return Installed{}, err
		}
	}
	topics := shopify.DefaultTopics()
	err = client.RegisterWebhooks(ctx, strings.TrimRight(h.opt.PublicURL, "/")+"/webhooks/shopify", topics)
	if err := h.recordCall(ctx, sh, OpWebhooks, "webhook registration", err); err != nil {
		return Installed{}, err
	}
	w, err := h.opt.Workspaces.Get(ctx, sh.WorkspaceID)
	if err != nil {
		return Installed{}, err
	}
	h.log.Info("shopify app installed", "workspace", sh.WorkspaceID, "shop", sh.ID, "domain", shop, "new", isNew, "scope", tok.Scope)
	if err := h.StartSync(ctx, sh.WorkspaceID, sh.ID); err != nil && !errors.Is(err, ErrSyncRunning) {
		return Installed{}, err
	}
	return Installed{Shop: sh, New: isNew, SiteKey: w.SiteKey, Webhooks: len(topics)}, nil
}

// checkState verifies that the callback's state is the one this browser
// was given for this shop, and that it has not expired.
func (h *Hub) checkState(cookie, state, shop string) error {
	parts := strings.Split(cookie, "|")
	if len(parts) != 4 {
		return fmt.Errorf("%w: no install state for this browser", ErrInstallRejected)
	}
	msg := strings.Join(parts[:3], "|")
	if !h.opt.Secrets.Verify("shopify-oauth-state", []byte(msg), parts[3]) {
		return fmt.Errorf("%w: install state was tampered with", ErrInstallRejected)
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || h.now().Unix() > exp {
		return fmt.Errorf("%w: install state expired", ErrInstallRejected)
	}
	if subtle.ConstantTimeCompare([]byte(parts[0]), []byte(state)) != 1 || parts[1] != shop {
		return fmt.Errorf("%w: state does not match", ErrInstallRejected)
	}
	return nil
}

// VerifyProxy checks the signature Shopify puts on App Proxy requests.
func (h *Hub) VerifyProxy(q url.Values) bool {
	return h.opt.ShopifyAPISecret != "" && shopify.VerifyProxy(h.opt.ShopifyAPISecret, q)
}
