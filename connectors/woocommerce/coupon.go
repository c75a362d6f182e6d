package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// CouponType is WooCommerce's discount_type.
type CouponType string

// The coupon types flows create.
const (
	CouponPercent   CouponType = "percent"    // a percentage off the cart
	CouponFixedCart CouponType = "fixed_cart" // an amount off the cart
)

// Coupon is a single-use discount code on the whole cart, as flows hand
// them out ("10% off for 7 days", "$5 off, once").
type Coupon struct {
	Code string
	Type CouponType
	// AmountMinor is, for CouponPercent, hundredths of a percent (1250 is
	// 12.5 %, 1000 is 10 %) and, for CouponFixedCart, minor units of
	// Currency: integers either way, so the amount sent is exact.
	AmountMinor int64
	// Currency is the store's, for a fixed amount's decimals; empty means
	// the client's WithCurrency, else two decimals.
	Currency string
	// Email restricts the code to that billing email; empty allows anyone.
	Email string
	// UsageLimit is how often the code can be used in all; 0 means once.
	UsageLimit int
	// MinimumMinor is the smallest cart subtotal the code applies to, in
	// minor units of Currency; 0 means none.
	MinimumMinor int64
	ExpiresAt    time.Time // zero: never
	Description  string    // shown in the shop admin
}

// CreatedCoupon is the coupon as the store saved it.
type CreatedCoupon struct {
	ID        string
	Code      string // as saved
	Amount    string // as saved, e.g. "10.00"
	ExpiresAt time.Time
}

// CreateCoupon creates cp as an individual-use coupon, usable once per
// shopper. A code already taken fails with an error matching
// ErrCouponExists (and *APIError), so the caller can retry with another.
// It is not retried on a 500: the coupon may have been saved.
func (c *Client) CreateCoupon(ctx context.Context, cp Coupon) (CreatedCoupon, error) {
	cp.Code = strings.TrimSpace(cp.Code)
	cur := strings.ToUpper(strings.TrimSpace(cp.Currency))
	if cur == "" {
		cur = c.currency
	}
	digits := commerce.MinorDigits(cur)
	var kind, amountText string
	switch {
	case cp.Code == "":
		return CreatedCoupon{}, errors.New("woocommerce: coupon: empty code")
	case cp.AmountMinor <= 0:
		return CreatedCoupon{}, errors.New("woocommerce: coupon: amount must be positive")
	case cp.Type == CouponPercent && cp.AmountMinor > 100_00:
		return CreatedCoupon{}, errors.New("woocommerce: coupon: a percentage cannot exceed 100")
	case cp.Type == CouponPercent:
		kind, amountText = string(cp.Type), commerce.FormatDecimal(cp.AmountMinor, 2)
	case cp.Type == CouponFixedCart:
		kind, amountText = string(cp.Type), commerce.FormatDecimal(cp.AmountMinor, digits)
	default:
		return CreatedCoupon{}, fmt.Errorf("woocommerce: coupon: unknown type %q", cp.Type)
	}
	limit := cp.UsageLimit
	if limit <= 0 {
		limit = 1
	}
	body := map[string]any{
		"code":                 cp.Code,
		"discount_type":        kind,
		"amount":               amountText,
		"individual_use":       true,
		"usage_limit":          limit,
		"usage_limit_per_user": 1,
		"description":          cp.Description,
	}
	if cp.Email != "" {
		body["email_restrictions"] = []string{cp.Email}
	}
	if cp.MinimumMinor > 0 {
		body["minimum_amount"] = commerce.FormatDecimal(cp.MinimumMinor, digits)
	}
	if !cp.ExpiresAt.IsZero() {
		body["date_expires_gmt"] = cp.ExpiresAt.UTC().Format("2006-01-02T15:04:05")
	}
	var out struct {
		ID             wooID   `json:"id"`
		Code           string  `json:"code"`
		Amount         decimal `json:"amount"`
		DateExpiresGMT gmtTime `json:"date_expires_gmt"`
	}
	if _, err := c.do(ctx, "POST", "/coupons", nil, body, &out); err != nil {
		return CreatedCoupon{}, err
	}
	return CreatedCoupon{ID: string(out.ID), Code: out.Code, Amount: string(out.Amount), ExpiresAt: out.DateExpiresGMT.Time}, nil
}
