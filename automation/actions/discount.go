package actions

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
)

// Discounter creates a discount code in the contact's shop (the
// connectors' hub, through a small adapter).
//
// It must create exactly req.Code and treat "that code already exists" as
// success, returning it: the code is derived from the step, so a step
// repeated after a crash asks for the same code again, and that is what
// makes the repeat harmless.
type Discounter interface {
	CreateDiscount(ctx context.Context, workspaceID string, req DiscountRequest) (Discount, error)
}

// DiscountRequest asks for one single-use code for one contact.
type DiscountRequest struct {
	// Code is the code to create (see Discounter).
	Code string
	// Percent off (1–100), or AmountMinor off in the shop's currency;
	// exactly one is set.
	Percent     int
	AmountMinor int64
	// ValidDays is how long the code works.
	ValidDays int
	// Prefix is the code's start, as given in the step (upper case).
	Prefix string
	// Email and CustomerID restrict the code to the contact where the
	// platform allows it; either may be empty.
	Email      string
	CustomerID string
}

// Discount is a created code.
type Discount struct {
	Code      string
	ExpiresAt time.Time
}

// codeAlphabet leaves out look-alikes (0/O, 1/I/L), as the connectors do.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

var prefixPattern = regexp.MustCompile(`^[A-Z0-9]{0,20}$`)

// DiscountCode is the code a discount step creates: prefix, "-" and 8
// characters derived from the step key by SHA-256, so every delivery of
// the step asks for the same code. No secret goes into it: it is hard to
// guess only because the step key holds the enrollment id, 80 random bits
// (ids.New), which a customer never sees.
func DiscountCode(prefix, stepKey string) string {
	sum := sha256.Sum256([]byte("cartwheel-discount\x00" + stepKey))
	// 8 characters of a 31-letter alphabet take about 40 bits; reading them
	// off a 64-bit number keeps the modulo bias negligible.
	n := binary.BigEndian.Uint64(sum[:8])
	b := make([]byte, 8)
	for i := range b {
		b[i] = codeAlphabet[n%uint64(len(codeAlphabet))]
		n /= uint64(len(codeAlphabet))
	}
	if prefix == "" {
		return string(b)
	}
	return prefix + "-" + string(b)
}

// ErrNoDiscounts is what a Discounter returns when the workspace has no
// shop that can create codes (none connected, or a custom shop).
var ErrNoDiscounts = errors.New("no connected shop can create discount codes")

// SkipNoDiscounts is the skip reason of a discount step without a shop
// that can create codes.
const SkipNoDiscounts = "no shop can create discount codes"

// discountStep is what a discount step's params ask for.
type discountStep struct {
	percent, amount, days int64
	prefix                string
}

// discountParams reads and checks a discount step's params.
func discountParams(p params) (discountStep, error) {
	var d discountStep
	var err error
	if d.percent, err = p.integer("percent", 0, 0, 100); err != nil {
		return d, err
	}
	if d.amount, err = p.integer("amount_minor", 0, 0, 1<<53); err != nil {
		return d, err
	}
	if (d.percent == 0) == (d.amount == 0) {
		return d, p.bad("percent", "set either percent (1-100) or amount_minor (> 0)")
	}
	if d.days, err = p.integer("valid_days", 14, 1, 365); err != nil {
		return d, err
	}
	d.prefix = strings.ToUpper(strings.TrimSpace(p.str("prefix")))
	if !prefixPattern.MatchString(d.prefix) {
		return d, p.bad("prefix", "up to 20 letters and digits")
	}
	return d, nil
}

// Discount creates a unique discount code for the contact, for a later
// email step to offer (its discount_from param names this step).
//
// Params: percent (1–100) or amount_minor (> 0), exactly one; valid_days
// (default 14); prefix (up to 20 letters and digits).
func (c *Channels) Discount(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	dp, err := discountParams(paramsOf(s))
	if err != nil {
		return automation.Result{}, err
	}
	percent, amount, days, prefix := dp.percent, dp.amount, dp.days, dp.prefix
	if c.o.Discounts == nil {
		return automation.Result{}, errors.New("discount step: no shop connector can create discount codes")
	}
	r, skip, err := c.contactOf(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	customer, err := c.customerID(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return automation.Result{}, err
	}
	d, err := c.o.Discounts.CreateDiscount(ctx, en.WorkspaceID, DiscountRequest{
		Code: DiscountCode(prefix, automation.StepKey(en, s.ID)), Percent: int(percent), AmountMinor: amount,
		ValidDays: int(days), Prefix: prefix, Email: r.contact.Email, CustomerID: customer})
	if errors.Is(err, ErrNoDiscounts) {
		// The flow goes on without a code (emails leave the discount block
		// out) rather than failing a whole welcome series over it.
		return skipped(SkipNoDiscounts), nil
	}
	if err != nil {
		return automation.Result{}, err
	}
	data := map[string]any{"code": d.Code}
	if !d.ExpiresAt.IsZero() {
		data["expires_at"] = d.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if percent > 0 {
		data["percent"] = percent
	} else {
		data["amount_minor"] = amount
	}
	return automation.Result{Data: data}, nil
}

// customerID is the contact's customer id on a shop platform, if it has
// one (identity kinds "shopify_customer", "woocommerce_customer"…).
func (c *Channels) customerID(ctx context.Context, ws, contact string) (string, error) {
	ids, err := c.o.Store.Identities(ctx, ws, contact)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if strings.HasSuffix(id.Kind, "_customer") {
			return id.Value, nil
		}
	}
	return "", nil
}
