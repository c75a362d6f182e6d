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
	"github.com/cartwheelhq/cartwheel/store"
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

// What a discount step does when the shop cannot make its code (its API
// down, a refusal), its on_code_failure param.
const (
	// CodeFailureSendWithout records the step as skipped with the error and
	// goes on: the emails leave the code box out. The default: a shop's
	// outage must not hold a reminder for hours.
	CodeFailureSendWithout = "send_without"
	// CodeFailureSkip also skips the emails that were to offer the code
	// (their discount_from names the step): no "here's 10% off" without
	// the 10%.
	CodeFailureSkip = "skip"
	// CodeFailureRetry fails the step so that it is retried with backoff
	// (for about three hours), holding the flow until the code is made.
	CodeFailureRetry = "retry"
)

// SkipNoCode is the skip reason of an email whose discount step made no
// code and said on_code_failure "skip".
const SkipNoCode = "no discount code to offer"

// discountStep is what a discount step's params ask for.
type discountStep struct {
	percent, amount, days int64
	prefix                string
	onFailure             string
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
	switch d.onFailure = strings.TrimSpace(p.str("on_code_failure")); d.onFailure {
	case "":
		d.onFailure = CodeFailureSendWithout
	case CodeFailureSendWithout, CodeFailureSkip, CodeFailureRetry:
	default:
		return d, p.bad("on_code_failure", "%q is not send_without, skip or retry", d.onFailure)
	}
	return d, nil
}

// Discount creates a unique discount code for the contact, for a later
// email step to offer (its discount_from param names this step).
//
// Params: percent (1–100) or amount_minor (> 0), exactly one; valid_days
// (default 14); prefix (up to 20 letters and digits); on_code_failure
// (send_without, the default; skip; retry).
//
// The code is offered by email, so the contact must be one an email may
// go to now — an address, email consent, under the email cap — before the
// shop is asked for anything: no coupon is minted for someone who cannot
// be told about it. The code made is recorded under the step's key, so a
// retried step (a crash after the shop answered) returns it without
// asking the shop again.
func (c *Channels) Discount(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	dp, err := discountParams(paramsOf(s))
	if err != nil {
		return automation.Result{}, err
	}
	key := automation.StepKey(en, s.ID)
	switch made, err := c.o.Store.FlowDiscountCode(ctx, en.WorkspaceID, key); {
	case err == nil:
		return discountResult(dp, Discount{Code: made.Code, ExpiresAt: made.ExpiresAt}), nil
	case !errors.Is(err, store.ErrNotFound):
		return automation.Result{}, err
	}
	r, skip, err := c.recipient(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	switch ok, why, err := c.emailable(ctx, r); {
	case err != nil:
		return automation.Result{}, err
	case !ok:
		return skipped(why), nil
	}
	if c.o.Discounts == nil {
		return automation.Result{}, errors.New("discount step: no shop connector can create discount codes")
	}
	customer, err := c.customerID(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return automation.Result{}, err
	}
	d, err := c.o.Discounts.CreateDiscount(ctx, en.WorkspaceID, DiscountRequest{
		Code: DiscountCode(dp.prefix, key), Percent: int(dp.percent), AmountMinor: dp.amount,
		ValidDays: int(dp.days), Prefix: dp.prefix, Email: r.contact.Email, CustomerID: customer})
	switch {
	case errors.Is(err, ErrNoDiscounts):
		// The flow goes on without a code (emails leave the discount block
		// out) rather than failing a whole welcome series over it.
		return skipped(SkipNoDiscounts), nil
	case err != nil && dp.onFailure == CodeFailureRetry:
		return automation.Result{}, err
	case err != nil:
		c.log.Warn("automation: discount code not made", "enrollment", en.ID, "step", s.ID, "on_code_failure", dp.onFailure, "err", err)
		return automation.Result{Skipped: "no discount code: " + err.Error(),
			Data: map[string]any{"on_code_failure": dp.onFailure, "error": err.Error()}}, nil
	}
	if err := c.o.Store.SaveFlowDiscountCode(ctx, en.WorkspaceID, key, store.FlowDiscount{Code: d.Code, ExpiresAt: d.ExpiresAt}, c.o.Now()); err != nil {
		return automation.Result{}, err
	}
	return discountResult(dp, d), nil
}

// emailable reports whether an email may go to the contact now, as far as
// its address, consent and the email cap go (quiet hours only delay), and
// why not.
func (c *Channels) emailable(ctx context.Context, r recipient) (bool, string, error) {
	if r.contact.Email == "" {
		return false, SkipNoEmail, nil
	}
	ok, err := c.emailConsent(ctx, r.contact.WorkspaceID, r.contact.ID)
	if err != nil || !ok {
		return false, SkipNoConsent, err
	}
	capped, err := c.capped(ctx, r, store.ChannelEmail)
	if err != nil || capped {
		return false, SkipCap, err
	}
	return true, "", nil
}

// discountResult is the step record of a code made.
func discountResult(dp discountStep, d Discount) automation.Result {
	data := map[string]any{"code": d.Code}
	if !d.ExpiresAt.IsZero() {
		data["expires_at"] = d.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if dp.percent > 0 {
		data["percent"] = dp.percent
	} else {
		data["amount_minor"] = dp.amount
	}
	return automation.Result{Data: data}
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
