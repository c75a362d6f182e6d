package demo

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// The cart lives in a cookie, so the demo keeps no server-side session. The
// cookie is only a list of product ids and quantities; titles and prices are
// always read from the store, so editing the cookie can change what is in
// the cart but never what it costs.
const (
	cartCookie = "cw_demo_cart"
	maxLines   = 50
	maxQty     = 99
	// cartTTL is how long a cart survives without a visit.
	cartTTL = 30 * 24 * time.Hour
)

// Shipping: a flat rate, free above a threshold (in minor units).
const (
	shippingFlat     = 490
	freeShippingOver = 5000
)

// cartItem is one line of the cart cookie.
type cartItem struct {
	ProductID string
	Qty       int64
}

// parseCart decodes "id:qty|id:qty". Whatever is malformed is dropped, not
// rejected: a damaged cookie costs the shopper at most the damaged lines.
func parseCart(v string) []cartItem {
	var raw []cartItem
	for part := range strings.SplitSeq(v, "|") {
		id, qs, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		q, err := strconv.ParseInt(qs, 10, 64)
		if err != nil {
			continue
		}
		raw = append(raw, cartItem{ProductID: id, Qty: q})
	}
	return normalizeCart(raw)
}

// normalizeCart drops lines with a malformed id or a quantity below 1,
// merges repeated ids, clamps quantities to 99 and keeps at most 50 lines.
func normalizeCart(raw []cartItem) []cartItem {
	var out []cartItem
	index := map[string]int{}
	for _, it := range raw {
		if !validProductID(it.ProductID) || it.Qty < 1 {
			continue
		}
		q := min(it.Qty, maxQty)
		if i, seen := index[it.ProductID]; seen {
			out[i].Qty = min(out[i].Qty+q, maxQty)
			continue
		}
		if len(out) == maxLines {
			continue
		}
		index[it.ProductID] = len(out)
		out = append(out, cartItem{ProductID: it.ProductID, Qty: q})
	}
	return out
}

func encodeCart(items []cartItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.ProductID + ":" + strconv.FormatInt(it.Qty, 10)
	}
	return strings.Join(parts, "|")
}

// validProductID accepts the characters product ids use, which also keeps
// the cookie's separators out of them.
func validProductID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// cartLine is a cart line joined with its product.
type cartLine struct {
	Product    commerce.Product
	Qty        int64
	TotalMinor int64
}

// cartView is the cart as the pages show it.
type cartView struct {
	Lines         []cartLine
	Count         int64
	Currency      string
	SubtotalMinor int64
	ShippingMinor int64
	TotalMinor    int64
	// FreeShippingGapMinor is what is left to spend for free shipping.
	FreeShippingGapMinor int64
	// DiscountCode took DiscountMinor off the subtotal (checkout only).
	DiscountCode  string
	DiscountMinor int64
}

// Empty reports a cart with nothing in it.
func (c cartView) Empty() bool { return len(c.Lines) == 0 }

// items returns the lines as the cookie stores them.
func (c cartView) items() []cartItem {
	out := make([]cartItem, len(c.Lines))
	for i, l := range c.Lines {
		out[i] = cartItem{ProductID: l.Product.ID, Qty: l.Qty}
	}
	return out
}

// lineItems returns the lines as checkouts and orders carry them.
func (c cartView) lineItems() []commerce.LineItem {
	out := make([]commerce.LineItem, len(c.Lines))
	for i, l := range c.Lines {
		out[i] = commerce.LineItem{ProductID: l.Product.ID, SKU: l.Product.ID, Title: l.Product.Title, Quantity: l.Qty,
			PriceMinor: l.Product.PriceMinor, ImageURL: l.Product.ImageURL, URL: l.Product.URL}
	}
	return out
}

// loadCart reads the cart cookie and joins it with the store.
func (s *Storefront) loadCart(r *http.Request) (cartView, error) {
	var items []cartItem
	if ck, err := r.Cookie(cartCookie); err == nil {
		items = parseCart(ck.Value)
	}
	return s.resolveCart(r, items)
}

// resolveCart prices items from the store, dropping products that no longer
// exist, belong to another shop or cannot be bought.
func (s *Storefront) resolveCart(r *http.Request, items []cartItem) (cartView, error) {
	c := cartView{Currency: s.site.Workspace.Currency}
	for _, it := range items {
		p, err := s.st.Product(r.Context(), s.site.Workspace.ID, it.ProductID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("load cart: %w", err)
		}
		if p.ShopID != s.site.Shop.ID || !p.InStock() {
			continue
		}
		c.Currency = p.Currency
		c.Lines = append(c.Lines, cartLine{Product: p, Qty: it.Qty, TotalMinor: it.Qty * p.PriceMinor})
		c.Count += it.Qty
		c.SubtotalMinor += it.Qty * p.PriceMinor
	}
	if c.SubtotalMinor > 0 && c.SubtotalMinor < freeShippingOver {
		c.ShippingMinor = shippingFlat
		c.FreeShippingGapMinor = freeShippingOver - c.SubtotalMinor
	}
	c.TotalMinor = c.SubtotalMinor + c.ShippingMinor
	return c, nil
}

// setCart stores items in the cart cookie, or deletes it when empty.
func (s *Storefront) setCart(w http.ResponseWriter, items []cartItem) {
	if len(items) == 0 {
		s.clearCookie(w, cartCookie)
		return
	}
	s.setCookie(w, cartCookie, encodeCart(items), cartTTL)
}

func (s *Storefront) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: s.base + "/", MaxAge: int(ttl / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Storefront) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: s.base + "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}
