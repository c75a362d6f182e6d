package connectors

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// DiscountRequest asks for a unique discount code for one contact.
type DiscountRequest struct {
	// Percent off (1–100), or AmountMinor off the order in the shop's
	// currency; exactly one is set.
	Percent     int   `json:"percent,omitempty"`
	AmountMinor int64 `json:"amount_minor,omitempty"`
	// ValidFor is how long the code works; 0 means 14 days.
	ValidFor time.Duration `json:"-"`
	// ValidDays is ValidFor for JSON callers.
	ValidDays int `json:"valid_days,omitempty"`
	// Prefix starts the code ("WELCOME" → "WELCOME-7KQ2M9XA").
	Prefix string `json:"prefix,omitempty"`
	// Email and CustomerID restrict the code to one person where the
	// platform allows it.
	Email      string `json:"email,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Title      string `json:"title,omitempty"`
	// Code, when set, is the code to create instead of a random one: a
	// flow derives it from its step so that a step run again after a crash
	// asks for the same code, and finding it taken means the first run
	// made it.
	Code string `json:"-"`
}

// Discount is a code created in the shop.
type Discount struct {
	Code      string    `json:"code"`
	ShopID    string    `json:"shop_id"`
	Platform  string    `json:"platform"`
	RemoteID  string    `json:"remote_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

var prefixRe = regexp.MustCompile(`^[A-Z0-9]{0,20}$`)

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) so a code read off a
// phone screen can be typed.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func randomCode(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	if prefix == "" {
		return string(b)
	}
	return prefix + "-" + string(b)
}

// CreateDiscountCode creates a unique, once-per-customer code in the shop
// through its platform's API.
func (h *Hub) CreateDiscountCode(ctx context.Context, workspaceID, shopID string, r DiscountRequest) (Discount, error) {
	if (r.Percent == 0) == (r.AmountMinor == 0) || r.Percent < 0 || r.Percent > 100 || r.AmountMinor < 0 {
		return Discount{}, &workspace.InvalidError{Field: "percent", Reason: "set either percent (1-100) or amount_minor (> 0)"}
	}
	r.Prefix = strings.ToUpper(strings.TrimSpace(r.Prefix))
	if !prefixRe.MatchString(r.Prefix) {
		return Discount{}, &workspace.InvalidError{Field: "prefix", Reason: "up to 20 letters and digits"}
	}
	if r.ValidFor == 0 {
		r.ValidFor = time.Duration(r.ValidDays) * 24 * time.Hour
	}
	if r.ValidFor <= 0 {
		r.ValidFor = 14 * 24 * time.Hour
	}
	sh, err := h.opt.Store.Shop(ctx, workspaceID, shopID)
	if err != nil {
		return Discount{}, err
	}
	if sh.Status != workspace.ShopActive {
		return Discount{}, &workspace.InvalidError{Field: "shop", Reason: "the shop is not active"}
	}
	token, _, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return Discount{}, err
	}
	start := h.now()
	d := Discount{ShopID: sh.ID, Platform: sh.Platform, ExpiresAt: start.Add(r.ValidFor)}
	title := r.Title
	if title == "" {
		title = "Cartwheel " + r.Prefix
	}
	// A random 8-character code collides with an existing one about never;
	// a retry covers the case anyway.
	for attempt := 0; ; attempt++ {
		d.Code = randomCode(r.Prefix)
		if r.Code != "" {
			d.Code = r.Code
		}
		switch sh.Platform {
		case Shopify:
			var created shopify.CreatedDiscount
			created, err = h.shopifyClient(sh, token).CreateDiscountCode(ctx, shopify.DiscountCode{
				Code: d.Code, Title: title + " " + d.Code, Percent: r.Percent, AmountMinor: r.AmountMinor, Currency: sh.Currency,
				StartsAt: start, EndsAt: d.ExpiresAt, CustomerID: r.CustomerID, OncePerCustomer: true, UsageLimit: 1})
			d.RemoteID = created.ID
		case WooCommerce:
			var c *woocommerce.Client
			if c, err = h.wooClient(sh, token); err != nil {
				return Discount{}, err
			}
			var created woocommerce.CreatedCoupon
			cp := woocommerce.Coupon{Code: d.Code, Type: woocommerce.CouponFixedCart, AmountMinor: r.AmountMinor,
				Currency: sh.Currency, ExpiresAt: d.ExpiresAt, Email: r.Email, UsageLimit: 1, Description: title}
			if r.Percent > 0 {
				cp.Type, cp.AmountMinor = woocommerce.CouponPercent, int64(r.Percent)*100
			}
			created, err = c.CreateCoupon(ctx, cp)
			d.RemoteID = created.ID
		case Custom:
			if !h.keepsCodes(sh.ID) {
				return Discount{}, &workspace.InvalidError{Field: "shop", Reason: "a custom shop cannot create discount codes"}
			}
			err = h.opt.Store.CreateDiscountCode(ctx, store.DiscountCode{WorkspaceID: workspaceID, Code: d.Code, ShopID: sh.ID,
				Percent: r.Percent, AmountMinor: r.AmountMinor, ExpiresAt: d.ExpiresAt, CreatedAt: start})
		default:
			return Discount{}, &workspace.InvalidError{Field: "shop", Reason: "a " + sh.Platform + " shop cannot create discount codes"}
		}
		if err == nil {
			h.log.Info("discount code created", "shop", sh.ID, "code", d.Code, "expires", d.ExpiresAt)
			return d, h.recordCall(ctx, sh, OpDiscountCodes, "discount code creation", nil)
		}
		if r.Code != "" && isDuplicateCode(err) {
			h.log.Info("discount code already created", "shop", sh.ID, "code", d.Code)
			return d, h.recordCall(ctx, sh, OpDiscountCodes, "discount code creation", nil)
		}
		if attempt >= 2 || !isDuplicateCode(err) {
			return Discount{}, h.recordCall(ctx, sh, OpDiscountCodes, "discount code creation",
				fmt.Errorf("shop %s: %w", sh.ID, err))
		}
	}
}

func isDuplicateCode(err error) bool {
	return errors.Is(err, shopify.ErrDuplicateCode) || errors.Is(err, woocommerce.ErrCouponExists) || errors.Is(err, store.ErrConflict)
}

// Custom is the platform of a shop Cartwheel has no API for: its data
// comes through the REST API (or, for the demo, from the demo itself).
const Custom = "custom"

// KeepCodesFor makes the custom shop shopID one whose checkout redeems the
// discount codes Cartwheel keeps (the demo's: demo.Storefront reads them):
// CreateDiscountCode then stores its codes instead of calling a platform,
// so pop-ups and flows can promise codes there too. Other custom shops
// still cannot make codes, since nothing would honour them.
func (h *Hub) KeepCodesFor(shopID string) { h.localCodes.Store(shopID, true) }

func (h *Hub) keepsCodes(shopID string) bool {
	_, ok := h.localCodes.Load(shopID)
	return ok
}

// makesCodes reports whether a shop can make discount codes.
func (h *Hub) makesCodes(sh store.Shop) bool {
	return sh.Status == workspace.ShopActive &&
		(sh.Platform == Shopify || sh.Platform == WooCommerce || sh.Platform == Custom && h.keepsCodes(sh.ID))
}

// CanCreateWorkspaceDiscountCode reports whether the workspace has a shop
// able to make discount codes, i.e. whether CreateWorkspaceDiscountCode
// can succeed: what a pop-up promising a code needs before it goes live.
func (h *Hub) CanCreateWorkspaceDiscountCode(ctx context.Context, workspaceID string) (bool, error) {
	shops, err := h.opt.Store.Shops(ctx, workspaceID)
	if err != nil {
		return false, err
	}
	for _, sh := range shops {
		if h.makesCodes(sh) {
			return true, nil
		}
	}
	return false, nil
}

// ErrNoDiscountShop is returned by CreateWorkspaceDiscountCode when the
// workspace has no active shop that can make codes: a Shopify or
// WooCommerce shop, or a custom shop that keeps Cartwheel's codes
// (KeepCodesFor: the demo's).
var ErrNoDiscountShop = errors.New("no connected shop can create discount codes")

// CreateWorkspaceDiscountCode creates a code in the workspace's first
// active shop that can make codes: what flows and pop-ups offer, when they
// name the workspace rather than a shop.
func (h *Hub) CreateWorkspaceDiscountCode(ctx context.Context, workspaceID string, r DiscountRequest) (Discount, error) {
	shops, err := h.opt.Store.Shops(ctx, workspaceID)
	if err != nil {
		return Discount{}, err
	}
	// A platform's shop first: its checkout is where the buyer pays.
	for _, sh := range shops {
		if h.makesCodes(sh) && sh.Platform != Custom {
			return h.CreateDiscountCode(ctx, workspaceID, sh.ID, r)
		}
	}
	for _, sh := range shops {
		if h.makesCodes(sh) {
			return h.CreateDiscountCode(ctx, workspaceID, sh.ID, r)
		}
	}
	return Discount{}, ErrNoDiscountShop
}
