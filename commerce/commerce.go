// Package commerce holds the platform-neutral shapes of a shop's catalogue,
// carts, checkouts and orders. Connectors (Shopify, WooCommerce, the demo shop)
// translate into these; everything downstream reads only these.
//
// Money is always an integer count of the currency's minor unit (cents) plus
// an ISO 4217 code: never a float, so that sums and refunds are exact.
package commerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Product is one sellable item of a shop's catalogue.
type Product struct {
	ID           string   `json:"id"`
	WorkspaceID  string   `json:"workspace_id"`
	ShopID       string   `json:"shop_id"`
	ExternalID   string   `json:"external_id,omitempty"`
	Handle       string   `json:"handle"`
	Title        string   `json:"title"`
	Description  string   `json:"description,omitempty"`
	Vendor       string   `json:"vendor,omitempty"`
	Category     string   `json:"category,omitempty"`
	Tags         []string `json:"tags"`
	PriceMinor   int64    `json:"price_minor"`
	CompareMinor int64    `json:"compare_at_minor,omitempty"`
	Currency     string   `json:"currency"`
	Stock        int64    `json:"stock"`
	// StockUntracked is true when the shop does not count this product's
	// stock (WooCommerce's manage_stock false): Stock is then 1 while the
	// shop sells it and 0 when it is out of stock, so that Stock > 0 keeps
	// meaning "can be bought" for every reader, and JSON shows
	// "stock_managed": false and no count (see MarshalJSON).
	StockUntracked bool `json:"-"`
	// VariantIDsOnly says Variants carry only their ids (WooCommerce's
	// product payload lists variation ids): stored variant details are
	// kept, and only variants no longer listed are dropped.
	VariantIDsOnly bool      `json:"-"`
	ImageURL       string    `json:"image_url,omitempty"`
	URL            string    `json:"url,omitempty"`
	Status         string    `json:"status"`
	ReplenishDays  int       `json:"replenish_days,omitempty"`
	Variants       []Variant `json:"variants,omitempty"`
	Collections    []string  `json:"collections,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// InStock reports whether the product can be bought now.
func (p Product) InStock() bool { return p.Status == "active" && p.Stock > 0 }

// MarshalJSON shows stock as the shop knows it: "stock" is the count, or
// null when the shop does not count it ("stock_managed": false), and
// "in_stock" says whether the product can be bought now.
func (p Product) MarshalJSON() ([]byte, error) {
	type plain Product
	return json.Marshal(struct {
		plain
		Stock        *int64 `json:"stock"`
		StockManaged bool   `json:"stock_managed"`
		InStock      bool   `json:"in_stock"`
	}{plain(p), stockCount(p.Stock, p.StockUntracked), !p.StockUntracked, p.InStock()})
}

func stockCount(n int64, untracked bool) *int64 {
	if untracked {
		return nil
	}
	return &n
}

// LineItem is one product line of a cart, checkout or order.
type LineItem struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id,omitempty"`
	SKU       string `json:"sku,omitempty"`
	Title     string `json:"title"`
	Quantity  int64  `json:"quantity"`
	// PriceMinor is the unit price as the shop showed it to the shopper:
	// with tax where the shop's prices include tax (Order.PricesIncludeTax),
	// without it otherwise, after line discounts.
	PriceMinor int64 `json:"price_minor"`
	// TaxMinor is the tax of the whole line, when the platform reports it.
	TaxMinor int64  `json:"tax_minor,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	URL      string `json:"url,omitempty"`
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
	EmailConsent  *Consent `json:"email_consent,omitempty"`
	Currency      string   `json:"currency"`
	SubtotalMinor int64    `json:"subtotal_minor"`
	DiscountMinor int64    `json:"discount_minor"`
	ShippingMinor int64    `json:"shipping_minor"`
	TaxMinor      int64    `json:"tax_minor"`
	TotalMinor    int64    `json:"total_minor"`
	Financial     string   `json:"financial_status"`
	// Status is the order's status in the shop's own words (WooCommerce's
	// "on-hold", "processing", "completed"…), as the shop shows it.
	Status string `json:"status,omitempty"`
	// Fulfillment is FulfillmentFulfilled once the goods went out (Shopify's
	// fulfillment status, WooCommerce's "completed"), FulfillmentUnfulfilled
	// before, "" when the shop says nothing.
	Fulfillment string `json:"fulfillment_status,omitempty"`
	// RefundedMinor is how much of TotalMinor was given back, summed over
	// the order's refunds; revenue counts TotalMinor − RefundedMinor.
	RefundedMinor int64 `json:"refunded_minor"`
	// PricesIncludeTax says whether the shop shows prices with tax (most
	// European shops): SubtotalMinor and the items' PriceMinor are then
	// gross, as the shopper saw them; TaxMinor is the tax either way.
	PricesIncludeTax bool       `json:"prices_include_tax"`
	CancelledAt      time.Time  `json:"cancelled_at,omitzero"`
	Items            []LineItem `json:"items"`
	DiscountCodes    []string   `json:"discount_codes"`
	PlacedAt         time.Time  `json:"placed_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// Fulfilment states of Order.Fulfillment.
const (
	FulfillmentFulfilled   = "fulfilled"
	FulfillmentUnfulfilled = "unfulfilled"
)

// Stage places an order on the lifecycle every shop's orders follow:
// 0 awaiting payment, 1 payment failed, 2 paid, 3 fulfilled, 4 over
// (cancelled, voided or fully refunded). Webhooks that carry the same
// modification time (WooCommerce's is to the second) cannot be ordered by
// it; the later stage is then the later state, so a terminal state is
// never undone by an equal-time earlier one.
func (o Order) Stage() int {
	switch {
	case !o.CancelledAt.IsZero() || o.Financial == "cancelled" || o.Financial == "voided" || o.Financial == "refunded":
		return 4
	case o.Fulfillment == FulfillmentFulfilled:
		return 3
	case o.Financial == "paid" || o.Financial == "partially_refunded":
		return 2
	case o.Financial == "failed":
		return 1
	}
	return 0
}

// Supersedes reports whether o is a later state of the same order than
// prev: a newer modification time, or the same time and a stage (then a
// refunded amount) that is not behind prev's. Equal states supersede, so
// deliveries of one time and stage apply in arrival order.
func (o Order) Supersedes(prev Order) bool {
	switch {
	case o.UpdatedAt.After(prev.UpdatedAt):
		return true
	case o.UpdatedAt.Before(prev.UpdatedAt):
		return false
	case o.Stage() != prev.Stage():
		return o.Stage() > prev.Stage()
	}
	return o.RefundedMinor >= prev.RefundedMinor
}

// NetMinor is what the order brings in: its total less what was refunded.
func (o Order) NetMinor() int64 { return o.TotalMinor - o.RefundedMinor }

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
	case o.RefundedMinor < 0:
		return errors.New("order: negative refunded amount")
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
