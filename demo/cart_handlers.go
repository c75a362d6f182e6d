package demo

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// maxFormBytes bounds every form the shop accepts; its largest form is a
// few hundred bytes.
const maxFormBytes = 64 << 10

// parseForm reads a POST body, answering 400 itself when it cannot.
func (s *Storefront) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "We could not read the form you sent.")
		return false
	}
	return true
}

// parseQty reads a quantity field: empty means 1, anything above 99 is 99,
// and below min (1 for adding, 0 for updating) is invalid.
func parseQty(v string, minimum int64) (int64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 1, true
	}
	q, err := strconv.ParseInt(v, 10, 64)
	if err != nil || q < minimum {
		return 0, false
	}
	return min(q, maxQty), true
}

// cartProduct looks up the product a cart form names, answering 404 itself
// when it is not one of this shop's.
func (s *Storefront) cartProduct(w http.ResponseWriter, r *http.Request, id string) (commerce.Product, bool) {
	if !validProductID(id) {
		s.fail(w, r, http.StatusNotFound, "We could not find that product.")
		return commerce.Product{}, false
	}
	p, err := s.st.Product(r.Context(), s.site.Workspace.ID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.ShopID != s.site.Shop.ID) {
		s.fail(w, r, http.StatusNotFound, "We could not find that product.")
		return p, false
	}
	if err != nil {
		s.internal(w, r, err)
		return p, false
	}
	return p, true
}

// cart shows the cart.
func (s *Storefront) cart(w http.ResponseWriter, r *http.Request) {
	v, err := s.newView(r, "Your cart", tracker.PageContext{Page: "cart"})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	c := v.cart
	// Rewrite the cookie when reading dropped lines (sold out, removed from
	// the catalogue, tampered), so they are gone for good.
	if ck, err := r.Cookie(cartCookie); err == nil && ck.Value != encodeCart(c.items()) {
		s.setCart(w, c.items())
	}
	v.Data = c
	s.render(w, r, http.StatusOK, "cart", v)
}

// cartAdd adds a quantity of a product to the cart.
func (s *Storefront) cartAdd(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	qty, ok := parseQty(r.PostForm.Get("quantity"), 1)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "Please choose a quantity between 1 and 99.")
		return
	}
	p, ok := s.cartProduct(w, r, r.PostForm.Get("product_id"))
	if !ok {
		return
	}
	if !p.InStock() {
		s.fail(w, r, http.StatusConflict, p.Title+" is sold out at the moment.")
		return
	}
	s.changeLine(w, r, p, func(cur int64) int64 { return min(cur+qty, maxQty) })
}

// cartUpdate sets a line's quantity; 0 removes the line.
func (s *Storefront) cartUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	qty, ok := parseQty(r.PostForm.Get("quantity"), 0)
	if !ok || strings.TrimSpace(r.PostForm.Get("quantity")) == "" {
		s.fail(w, r, http.StatusBadRequest, "Please choose a quantity between 0 and 99.")
		return
	}
	p, ok := s.cartProduct(w, r, r.PostForm.Get("product_id"))
	if !ok {
		return
	}
	s.changeLine(w, r, p, func(int64) int64 { return qty })
}

// changeLine sets product p's cart line to newQty(current quantity), where
// 0 removes it, adds the line when it is new, and answers with the cart.
func (s *Storefront) changeLine(w http.ResponseWriter, r *http.Request, p commerce.Product, newQty func(cur int64) int64) {
	c, err := s.loadCart(r)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	items := c.items()
	out := items[:0]
	found := false
	for _, it := range items {
		if it.ProductID == p.ID {
			found = true
			if it.Qty = newQty(it.Qty); it.Qty == 0 {
				continue
			}
		}
		out = append(out, it)
	}
	if q := newQty(0); !found && q > 0 {
		if !p.InStock() {
			s.fail(w, r, http.StatusConflict, p.Title+" is sold out at the moment.")
			return
		}
		if len(out) >= maxLines {
			s.fail(w, r, http.StatusConflict, "Your cart is full: it holds up to 50 different products.")
			return
		}
		out = append(out, cartItem{ProductID: p.ID, Qty: q})
	}
	s.setCart(w, out)
	http.Redirect(w, r, s.base+"/cart", http.StatusSeeOther)
}
