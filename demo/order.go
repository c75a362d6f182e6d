package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// settingOrderSeq holds the last order number the demo handed out, so
// numbers keep counting up across restarts like a real shop's.
const settingOrderSeq = "demo_order_seq"

// firstOrderNumber is where numbering starts: shops rarely start at #1.
const firstOrderNumber = 1001

// placeOrder turns the open checkout and the cart into a paid order. No card
// is read: the payment form is for show.
func (s *Storefront) placeOrder(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	ctx, ws := r.Context(), s.site.Workspace.ID
	token := checkoutToken(r)
	if token == "" {
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	cart, err := s.loadCart(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}

	s.placeMu.Lock()
	defer s.placeMu.Unlock()
	id := orderIDFor(token)
	c, err := s.st.Checkout(ctx, ws, token)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.ShopID != s.site.Shop.ID) {
		s.clearCookie(w, checkoutCookie)
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !c.CompletedAt.IsZero() {
		// A second click on "Place order", or a resubmitted form: the
		// order exists, so show it instead of making another.
		s.clearCookie(w, checkoutCookie)
		if _, err := s.st.Order(ctx, ws, id); err == nil {
			s.clearCookie(w, cartCookie)
			http.Redirect(w, r, s.base+"/thank-you/"+id, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	if c.Email == "" {
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	if cart.Empty() {
		http.Redirect(w, r, s.base+"/cart", http.StatusSeeOther)
		return
	}
	if cart, err = s.withDiscount(r, cart); err != nil {
		s.internal(w, r, err)
		return
	}
	now := time.Now().UTC()
	if cart.DiscountCode != "" {
		// Taken before the order is recorded, so two checkouts cannot
		// both spend it; given back if the order fails.
		if err := s.st.RedeemDiscountCode(ctx, ws, cart.DiscountCode, id, now); errors.Is(err, store.ErrConflict) {
			s.clearCookie(w, codeCookie)
			http.Redirect(w, r, s.base+"/checkout/payment", http.StatusSeeOther)
			return
		} else if err != nil {
			s.internal(w, r, err)
			return
		}
	}
	release := func() {
		if cart.DiscountCode != "" {
			if err := s.st.ReleaseDiscountCode(context.WithoutCancel(ctx), ws, cart.DiscountCode, id); err != nil {
				s.log.Error("demo: release discount code", "code", cart.DiscountCode, "err", err)
			}
		}
	}
	number, err := s.nextOrderNumber(ctx)
	if err != nil {
		release()
		s.internal(w, r, err)
		return
	}
	visitor := visitorID(r)
	if visitor == "" {
		visitor = c.VisitorID
	}
	o := commerce.Order{
		ID: id, WorkspaceID: ws, ShopID: s.site.Shop.ID, ExternalID: id, Number: "#" + strconv.FormatInt(number, 10),
		Email: c.Email, VisitorID: visitor, CheckoutToken: token, Currency: cart.Currency,
		SubtotalMinor: cart.SubtotalMinor, ShippingMinor: cart.ShippingMinor, TotalMinor: cart.TotalMinor,
		Financial: "paid", Items: cart.lineItems(), DiscountCodes: []string{}, DiscountMinor: cart.DiscountMinor,
		PlacedAt: now, UpdatedAt: now,
	}
	if cart.DiscountCode != "" {
		o.DiscountCodes = []string{cart.DiscountCode}
	}
	if err := s.ing.RecordOrder(ctx, o, sourceDemo); err != nil {
		release()
		s.internal(w, r, err)
		return
	}
	s.log.Info("demo order placed", "workspace", ws, "order", o.ID, "number", o.Number, "total", o.TotalMinor)
	s.clearCookie(w, cartCookie)
	s.clearCookie(w, checkoutCookie)
	s.clearCookie(w, codeCookie)
	http.Redirect(w, r, s.base+"/thank-you/"+id, http.StatusSeeOther)
}

// nextOrderNumber hands out the next order number. Callers hold placeMu:
// the read and the write are not one atomic statement.
func (s *Storefront) nextOrderNumber(ctx context.Context) (int64, error) {
	last := int64(firstOrderNumber - 1)
	v, err := s.st.Setting(ctx, settingOrderSeq)
	switch {
	case err == nil:
		if last, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, fmt.Errorf("order number: setting %s is %q: %w", settingOrderSeq, v, err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return 0, fmt.Errorf("order number: %w", err)
	}
	next := last + 1
	if err := s.st.SetSetting(ctx, settingOrderSeq, strconv.FormatInt(next, 10)); err != nil {
		return 0, fmt.Errorf("order number: %w", err)
	}
	return next, nil
}

type thankYouData struct {
	Order commerce.Order
}

// thankYou shows a placed order. The order id is unguessable, which is what
// lets the page show it without a login, as shops' order-status pages do.
func (s *Storefront) thankYou(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !ids.Valid("ord", id) {
		s.fail(w, r, http.StatusNotFound, "We could not find that order.")
		return
	}
	o, err := s.st.Order(r.Context(), s.site.Workspace.ID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.ShopID != s.site.Shop.ID) {
		s.fail(w, r, http.StatusNotFound, "We could not find that order.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v, err := s.newView(r, "Thank you", tracker.PageContext{Page: "thank_you", OrderID: o.ID,
		Customer: &tracker.ContextPerson{Email: o.Email}})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Data = thankYouData{Order: o}
	s.render(w, r, http.StatusOK, "thank_you", v)
}
