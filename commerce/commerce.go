// Package commerce holds the platform-neutral shapes of a shop's catalogue,
// carts, checkouts and orders. Connectors (Shopify, WooCommerce, the demo shop)
// translate into these; everything downstream reads only these.
//
// Money is always an integer count of the currency's minor unit (cents) plus
// an ISO 4217 code: never a float, so that sums and refunds are exact.
package commerce

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Product is one sellable item of a shop's catalogue.
type Product struct {
	ID            string    `json:"id"`
	WorkspaceID   string    `json:"workspace_id"`
	ShopID        string    `json:"shop_id"`
	ExternalID    string    `json:"external_id,omitempty"`
	Handle        string    `json:"handle"`
	Title         string    `json:"title"`
	Description   string    `json:"description,omitempty"`
	Vendor        string    `json:"vendor,omitempty"`
	Category      string    `json:"category,omitempty"`
	Tags          []string  `json:"tags"`
	PriceMinor    int64     `json:"price_minor"`
	CompareMinor  int64     `json:"compare_at_minor,omitempty"`
	Currency      string    `json:"currency"`
	Stock         int64     `json:"stock"`
	ImageURL      string    `json:"image_url,omitempty"`
	URL           string    `json:"url,omitempty"`
	Status        string    `json:"status"`
	ReplenishDays int       `json:"replenish_days,omitempty"`
	Variants      []Variant `json:"variants,omitempty"`
	Collections   []string  `json:"collections,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// InStock reports whether the product can be bought now.
func (p Product) InStock() bool { return p.Status == "active" && p.Stock > 0 }

// LineItem is one product line of a cart, checkout or order.
type LineItem struct {
	ProductID  string `json:"product_id"`
	VariantID  string `json:"variant_id,omitempty"`
	SKU        string `json:"sku,omitempty"`
	Title      string `json:"title"`
	Quantity   int64  `json:"quantity"`
	PriceMinor int64  `json:"price_minor"`
	ImageURL   string `json:"image_url,omitempty"`
	URL        string `json:"url,omitempty"`
}

// Checkout is a cart that reached the checkout, possibly with an email; it is
// what abandoned-checkout flows recover.
type Checkout struct {
	Token         string     `json:"token"`
	WorkspaceID   string     `json:"workspace_id"`
	ShopID        string     `json:"shop_id"`
	Email         string     `json:"email,omitempty"`
	CustomerID    string     `json:"customer_id,omitempty"`
	VisitorID     string     `json:"visitor_id,omitempty"`
	Currency      string     `json:"currency"`
	SubtotalMinor int64      `json:"subtotal_minor"`
	TotalMinor    int64      `json:"total_minor"`
	Items         []LineItem `json:"items"`
	RecoveryURL   string     `json:"recovery_url,omitempty"`
	// CartToken is the token of the cart the checkout came from, when the
	// platform names it apart from the checkout's own (Shopify's
	// cart_token): the storefront and the tracker know the cart's.
	CartToken string `json:"cart_token,omitempty"`
	// FirstName and LastName are the buyer's names as the checkout gives
	// them (customer, then billing address); empty when it gives none.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// EmailConsent is the buyer's own consent statement carried by the
	// checkout, stamped with the time the buyer made it (not the time the
	// checkout changed); nil when the delivery says nothing about consent.
	EmailConsent *Consent `json:"email_consent,omitempty"`
	// AcceptsMarketing is the buyer ticking the checkout's "email me with
	// news and offers" box: a grant of email consent. Unticked means only
	// that no consent was given here, never a withdrawal.
	AcceptsMarketing bool      `json:"accepts_marketing,omitempty"`
	CompletedAt      time.Time `json:"completed_at,omitzero"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Order is a placed order.
type Order struct {
	ID            string `json:"id"`
	WorkspaceID   string `json:"workspace_id"`
	ShopID        string `json:"shop_id"`
	ExternalID    string `json:"external_id"`
	Number        string `json:"number,omitempty"`
	Email         string `json:"email,omitempty"`
	CustomerID    string `json:"customer_id,omitempty"`
	VisitorID     string `json:"visitor_id,omitempty"`
	CheckoutToken string `json:"checkout_token,omitempty"`
	// CartToken is the token of the cart the order came from when it is not
	// CheckoutToken (Shopify's cart_token): the order completes that cart.
	CartToken string `json:"cart_token,omitempty"`
	// FirstName and LastName are the buyer's names (customer, then billing
	// address), so that guest orders name the person too.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// EmailConsent is the buyer's consent statement carried by the order
	// (Shopify's buyer_accepts_marketing, the WordPress plugin's checkout
	// box), stamped with the time the buyer made it; nil when the order
	// says nothing about consent.
	EmailConsent  *Consent   `json:"email_consent,omitempty"`
	Currency      string     `json:"currency"`
	SubtotalMinor int64      `json:"subtotal_minor"`
	DiscountMinor int64      `json:"discount_minor"`
	ShippingMinor int64      `json:"shipping_minor"`
	TaxMinor      int64      `json:"tax_minor"`
	TotalMinor    int64      `json:"total_minor"`
	Financial     string     `json:"financial_status"`
	CancelledAt   time.Time  `json:"cancelled_at,omitzero"`
	Items         []LineItem `json:"items"`
	DiscountCodes []string   `json:"discount_codes"`
	PlacedAt      time.Time  `json:"placed_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Sum returns the sum of quantity × unit price over items.
func Sum(items []LineItem) int64 {
	var s int64
	for _, it := range items {
		s += it.Quantity * it.PriceMinor
	}
	return s
}

// Validate reports the first thing that makes o unusable downstream.
func (o Order) Validate() error {
	switch {
	case o.WorkspaceID == "" || o.ShopID == "":
		return errors.New("order: workspace and shop are required")
	case o.ExternalID == "":
		return errors.New("order: external id is required")
	case len(o.Currency) != 3:
		return fmt.Errorf("order: currency %q is not an ISO 4217 code", o.Currency)
	case o.TotalMinor < 0:
		return errors.New("order: negative total")
	case o.PlacedAt.IsZero():
		return errors.New("order: placed time is required")
	}
	for i, it := range o.Items {
		if it.Quantity <= 0 || it.PriceMinor < 0 {
			return fmt.Errorf("order: item %d: quantity must be positive and price non-negative", i)
		}
	}
	return nil
}

// FormatMoney renders minor units for people: "€12.50", "$3.00", "12.50 PLN".
// Every currency here has two decimals; zero-decimal currencies (JPY) are
// shown without them.
func FormatMoney(minor int64, currency string) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	var num string
	switch strings.ToUpper(currency) {
	case "JPY", "KRW", "HUF", "CLP", "ISK":
		num = fmt.Sprintf("%d", minor)
	default:
		num = fmt.Sprintf("%d.%02d", minor/100, minor%100)
	}
	if neg {
		num = "-" + num
	}
	switch strings.ToUpper(currency) {
	case "USD":
		return "$" + num
	case "EUR":
		return "€" + num
	case "GBP":
		return "£" + num
	default:
		return num + " " + strings.ToUpper(currency)
	}
}
