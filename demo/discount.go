package demo

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// The demo's checkout redeems the discount codes Cartwheel keeps for its
// shop (store.DiscountCode): the ones its pop-ups and flows hand out, made
// by the connectors (connectors.Hub.KeepCodesFor) exactly as a Shopify or
// WooCommerce shop's would be. A code entered at the payment step is kept
// in a cookie until the order takes it; the order records it and the
// amount it took off, and the code cannot be used again.

const codeCookie = "cw_demo_code"

// codeRe is what a code may look like (connectors' codes: a prefix, a
// dash, letters and digits).
var codeRe = regexp.MustCompile(`^[A-Z0-9-]{1,60}$`)

// normalizeCode is a code as typed, upper-cased and trimmed; "" when it
// cannot be a code.
func normalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !codeRe.MatchString(s) {
		return ""
	}
	return s
}

// errCodeRefused is a code the checkout does not take; its text is what
// the shopper reads.
type errCodeRefused string

func (e errCodeRefused) Error() string { return string(e) }

// discountFor checks a code against the shop and the cart and returns the
// amount it takes off the subtotal.
func (s *Storefront) discountFor(ctx context.Context, code string, c cartView, now time.Time) (int64, error) {
	if code == "" {
		return 0, errCodeRefused("Please enter a discount code, such as WELCOME-7KQ2M9XA.")
	}
	d, err := s.st.DiscountCodeByCode(ctx, s.site.Workspace.ID, code)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && d.ShopID != s.site.Shop.ID:
		return 0, errCodeRefused("We do not know the code " + code + ".")
	case err != nil:
		return 0, err
	case d.OrderID != "":
		return 0, errCodeRefused("The code " + code + " has already been used.")
	case !d.ExpiresAt.After(now):
		return 0, errCodeRefused("The code " + code + " has expired.")
	}
	off := d.AmountMinor
	if d.Percent > 0 {
		off = c.SubtotalMinor * int64(d.Percent) / 100
	}
	return min(off, c.SubtotalMinor), nil
}

// withDiscount applies the browser's code (its cookie) to the cart; a code
// no longer valid is dropped silently (the payment page offers the field
// again).
func (s *Storefront) withDiscount(r *http.Request, c cartView) (cartView, error) {
	ck, err := r.Cookie(codeCookie)
	if err != nil {
		return c, nil
	}
	code := normalizeCode(ck.Value)
	if code == "" {
		return c, nil
	}
	off, err := s.discountFor(r.Context(), code, c, time.Now())
	var refused errCodeRefused
	if errors.As(err, &refused) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	return c.discounted(code, off), nil
}

// discounted is the cart with off taken off its subtotal by code.
func (c cartView) discounted(code string, off int64) cartView {
	c.DiscountCode, c.DiscountMinor = code, off
	c.TotalMinor = c.SubtotalMinor - off + c.ShippingMinor
	return c
}

// applyCode takes a discount code from the payment step's form.
func (s *Storefront) applyCode(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v, c, token, ok := s.checkoutStep(w, r, "Payment")
	if !ok {
		return
	}
	if token == "" || c.Email == "" {
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	code := normalizeCode(r.PostForm.Get("code"))
	_, err := s.discountFor(r.Context(), code, v.cart, time.Now())
	var refused errCodeRefused
	if errors.As(err, &refused) {
		v.Data = paymentData{Cart: v.cart, Email: c.Email, Code: strings.TrimSpace(r.PostForm.Get("code")), CodeError: refused.Error()}
		s.render(w, r, http.StatusBadRequest, "payment", v)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.setCookie(w, codeCookie, code, checkoutTTL)
	http.Redirect(w, r, s.base+"/checkout/payment", http.StatusSeeOther)
}
