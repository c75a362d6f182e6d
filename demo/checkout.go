package demo

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// The checkout token ties the shopper's browser to their checkout row; it is
// also the secret in the recovery link.
const (
	checkoutCookie = "cw_demo_checkout"
	checkoutTTL    = 7 * 24 * time.Hour
	tokenPrefix    = "chk"
	// sourceDemo marks events the demo shop logs.
	sourceDemo = "demo"
)

type checkoutData struct {
	Cart      cartView
	Email     string
	Name      string
	Marketing bool
	Error     string
}

// checkoutToken returns the checkout cookie's token when it is well-formed.
func checkoutToken(r *http.Request) string {
	ck, err := r.Cookie(checkoutCookie)
	if err != nil || !ids.Valid(tokenPrefix, ck.Value) {
		return ""
	}
	return ck.Value
}

// visitorID returns the tracker's anonymous visitor id, so the checkout and
// the order join the browsing history in one profile.
func visitorID(r *http.Request) string {
	ck, err := r.Cookie(tracker.VisitorCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return ""
	}
	for _, c := range ck.Value {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
			return ""
		}
	}
	return ck.Value
}

// validEmail accepts a bare address with a dotted domain, which is what a
// shop can send mail to.
func validEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// openCheckout returns the browser's checkout if it exists and is still
// open; ok is false otherwise.
func (s *Storefront) openCheckout(r *http.Request, token string) (c commerce.Checkout, ok bool, err error) {
	if token == "" {
		return c, false, nil
	}
	c, err = s.st.Checkout(r.Context(), s.site.Workspace.ID, token)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return c, c.ShopID == s.site.Shop.ID && c.CompletedAt.IsZero(), nil
}

// checkoutStep begins every checkout page: the browser's checkout, whose
// token is kept only if this shop issued it and it is still open (so a
// cookie can never name, and overwrite, someone else's checkout), and the
// page's view. ok is false when it has already answered: an error, or an
// empty cart sent back to the cart page.
func (s *Storefront) checkoutStep(w http.ResponseWriter, r *http.Request, title string) (v *view, c commerce.Checkout, token string, ok bool) {
	token = checkoutToken(r)
	c, open, err := s.openCheckout(r, token)
	if err != nil {
		s.internal(w, r, err)
		return nil, c, "", false
	}
	if !open {
		c, token = commerce.Checkout{}, ""
	}
	v, err = s.newView(r, title, tracker.PageContext{Page: "checkout", CheckoutToken: token})
	if err != nil {
		s.internal(w, r, err)
		return nil, c, "", false
	}
	if v.cart.Empty() {
		http.Redirect(w, r, s.base+"/cart", http.StatusSeeOther)
		return nil, c, "", false
	}
	return v, c, token, true
}

// checkout shows the contact step.
func (s *Storefront) checkout(w http.ResponseWriter, r *http.Request) {
	v, c, _, ok := s.checkoutStep(w, r, "Checkout")
	if !ok {
		return
	}
	v.Data = checkoutData{Cart: v.cart, Email: c.Email}
	s.render(w, r, http.StatusOK, "checkout", v)
}

// checkoutContact records the checkout with the shopper's email (the moment
// it becomes recoverable) and moves on to payment.
func (s *Storefront) checkoutContact(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	// Like Shopify's "Email me with news and offers": unticked by default,
	// and the only way the demo's cart reminders get consent to send.
	marketing := r.PostForm.Get("marketing") == "yes"
	v, _, token, ok := s.checkoutStep(w, r, "Checkout")
	if !ok {
		return
	}
	problem := ""
	switch {
	case !validEmail(email):
		problem = "Please enter a valid email address, such as anna@example.com."
	case utf8.RuneCountInString(name) > 100:
		problem = "Please keep your name under 100 characters."
	}
	if problem != "" {
		v.Data = checkoutData{Cart: v.cart, Email: email, Name: name, Marketing: marketing, Error: problem}
		s.render(w, r, http.StatusBadRequest, "checkout", v)
		return
	}
	if token == "" {
		token = ids.New(tokenPrefix)
	}
	c := v.cart
	first, last := splitName(name)
	now := time.Now().UTC()
	var consent *commerce.Consent
	if marketing {
		// Ticking the box on this form is a statement made now (unlike a
		// platform's box, which stays ticked on every later update).
		consent = &commerce.Consent{State: commerce.ConsentSubscribed, OptInMode: "single_opt_in", UpdatedAt: now}
	}
	err := s.ing.RecordCheckout(r.Context(), commerce.Checkout{
		Token: token, WorkspaceID: s.site.Workspace.ID, ShopID: s.site.Shop.ID, Email: email, VisitorID: visitorID(r),
		Currency: c.Currency, SubtotalMinor: c.SubtotalMinor, TotalMinor: c.TotalMinor, Items: c.lineItems(),
		RecoveryURL:      s.publicURL + "/demo/checkout/recover?" + url.Values{"token": {token}}.Encode(),
		AcceptsMarketing: marketing, EmailConsent: consent, FirstName: first, LastName: last, UpdatedAt: now,
	}, sourceDemo)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.setCookie(w, checkoutCookie, token, checkoutTTL)
	http.Redirect(w, r, s.base+"/checkout/payment", http.StatusSeeOther)
}

// splitName splits the checkout's one name field: the first word is the
// first name (what a greeting uses), the rest the last name.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(strings.Join(strings.Fields(name), " "), " ")
	return first, last
}

type paymentData struct {
	Cart  cartView
	Email string
	// Code and CodeError are a refused discount code and why.
	Code      string
	CodeError string
}

// payment shows the (fake) payment step of an open checkout.
func (s *Storefront) payment(w http.ResponseWriter, r *http.Request) {
	v, c, token, ok := s.checkoutStep(w, r, "Payment")
	if !ok {
		return
	}
	if token == "" || c.Email == "" {
		// No open checkout with a contact yet: back to the contact step.
		http.Redirect(w, r, s.base+"/checkout", http.StatusSeeOther)
		return
	}
	cart, err := s.withDiscount(r, v.cart)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Data = paymentData{Cart: cart, Email: c.Email}
	s.render(w, r, http.StatusOK, "payment", v)
}

// recoverCheckout is where abandoned-checkout messages link: it puts the
// checkout's items back in the cart and resumes the checkout. Query
// parameters other than the token (utm_*, message ids) are carried over so
// the landing page can attribute the visit.
func (s *Storefront) recoverCheckout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("token")
	if !ids.Valid(tokenPrefix, token) {
		s.fail(w, r, http.StatusNotFound, "This checkout link is not valid.")
		return
	}
	c, err := s.st.Checkout(r.Context(), s.site.Workspace.ID, token)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.ShopID != s.site.Shop.ID) {
		s.fail(w, r, http.StatusNotFound, "This checkout link is not valid or has expired.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !c.CompletedAt.IsZero() {
		id := orderIDFor(token)
		if _, err := s.st.Order(r.Context(), s.site.Workspace.ID, id); err == nil {
			http.Redirect(w, r, s.base+"/thank-you/"+id, http.StatusSeeOther)
			return
		}
		s.fail(w, r, http.StatusGone, "This checkout has already been completed.")
		return
	}
	raw := make([]cartItem, len(c.Items))
	for i, it := range c.Items {
		raw[i] = cartItem{ProductID: it.ProductID, Qty: it.Quantity}
	}
	cart, err := s.resolveCart(r, normalizeCart(raw))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.setCart(w, cart.items())
	s.setCookie(w, checkoutCookie, token, checkoutTTL)
	q.Del("token")
	target := s.base + "/checkout"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// orderIDFor derives the order id from the checkout token, so placing the
// same checkout twice names the same order.
func orderIDFor(token string) string {
	return "ord_" + strings.TrimPrefix(token, tokenPrefix+"_")
}
