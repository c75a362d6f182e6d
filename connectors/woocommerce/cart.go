package woocommerce

import (
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// TopicCartUpdated is the topic the plugin posts cart snapshots under. It is
// Cartwheel's own: WooCommerce core has no cart webhook. The body is
// documented in the package doc.
const TopicCartUpdated = "cart.updated"

// cartItem is one line of a cart.updated body.
type cartItem struct {
	ProductID   wooID   `json:"product_id"`
	VariationID wooID   `json:"variation_id"`
	Quantity    text    `json:"quantity"`
	Price       decimal `json:"price"`
	Tax         decimal `json:"tax"`
	Name        string  `json:"name"`
	SKU         string  `json:"sku"`
	URL         string  `json:"url"`
	ImageURL    string  `json:"image_url"`
}

// cart is the body of a cart.updated delivery.
type cart struct {
	Token      string     `json:"token"`
	VisitorID  text       `json:"visitor_id"`
	CustomerID wooID      `json:"customer_id"`
	Email      string     `json:"email"`
	Currency   string     `json:"currency"`
	Items      []cartItem `json:"items"`
	// PricesIncludeTax says the shop shows prices with tax (see the
	// package doc): the items' tax is then added to their price.
	PricesIncludeTax flag    `json:"prices_include_tax"`
	Subtotal         decimal `json:"subtotal"`
	Total            decimal `json:"total"`
	RecoveryURL      string  `json:"recovery_url"`
	CreatedAt        gmtTime `json:"created_at"`
	UpdatedAt        gmtTime `json:"updated_at"`
}

// cartChange maps a cart.updated body: a cart with an email is a checkout
// the shopper can be reminded of, one without is an anonymous cart.
func cartChange(c cart) (commerce.Change, error) {
	token := strings.TrimSpace(c.Token)
	if token == "" {
		return commerce.Change{}, errors.New("cart has no token")
	}
	if c.UpdatedAt.IsZero() {
		return commerce.Change{}, errors.New("cart has no updated_at")
	}
	cur := strings.ToUpper(strings.TrimSpace(c.Currency))
	out := commerce.Checkout{
		Token:       token,
		Email:       strings.TrimSpace(c.Email),
		CustomerID:  c.CustomerID.nonZero(),
		VisitorID:   string(c.VisitorID),
		Currency:    cur,
		Items:       make([]commerce.LineItem, 0, len(c.Items)),
		RecoveryURL: c.RecoveryURL,
		CreatedAt:   c.CreatedAt.Time,
		UpdatedAt:   c.UpdatedAt.Time,
	}
	if out.CreatedAt.IsZero() {
		out.CreatedAt = out.UpdatedAt
	}
	for i, it := range c.Items {
		if it.ProductID.nonZero() == "" {
			return commerce.Change{}, fmt.Errorf("items[%d]: no product_id", i)
		}
		qty, err := strconv.ParseInt(string(it.Quantity), 10, 64)
		if err != nil || qty <= 0 {
			return commerce.Change{}, fmt.Errorf("items[%d]: quantity %q is not a positive integer", i, it.Quantity)
		}
		price, err := roundedAmount(it.Price, "price", cur)
		if err != nil {
			return commerce.Change{}, fmt.Errorf("items[%d]: %w", i, err)
		}
		tax, err := roundedAmount(it.Tax, "tax", cur)
		if err != nil {
			return commerce.Change{}, fmt.Errorf("items[%d]: %w", i, err)
		}
		if c.PricesIncludeTax {
			price += tax
		}
		out.Items = append(out.Items, commerce.LineItem{
			ProductID:  string(it.ProductID),
			VariantID:  it.VariationID.nonZero(),
			SKU:        it.SKU,
			Title:      html.UnescapeString(it.Name),
			Quantity:   qty,
			PriceMinor: price,
			TaxMinor:   tax * qty,
			URL:        it.URL,
			ImageURL:   it.ImageURL,
		})
	}
	var err error
	if c.Subtotal == "" || c.PricesIncludeTax {
		// Gross carts: the subtotal as shown is the sum of the lines as
		// shown, whatever net subtotal the body carries.
		out.SubtotalMinor = commerce.Sum(out.Items)
	} else if out.SubtotalMinor, err = amount(c.Subtotal, "subtotal", cur); err != nil {
		return commerce.Change{}, err
	}
	if c.Total == "" {
		out.TotalMinor = out.SubtotalMinor
	} else if out.TotalMinor, err = amount(c.Total, "total", cur); err != nil {
		return commerce.Change{}, err
	}
	kind := commerce.ChangeCart
	if out.Email != "" {
		kind = commerce.ChangeCheckout
	}
	return commerce.Change{Kind: kind, Checkout: &out, ExternalID: token, UpdatedAt: out.UpdatedAt}, nil
}
