package commerce

import (
	"encoding/json"
	"time"
)

// Variant is one purchasable variant of a product (a size, a colour). Shop
// carts and line items name variants; Product.ID is what profiles,
// recommendations and widgets count, so connectors keep the mapping.
type Variant struct {
	ID         string `json:"id"`
	SKU        string `json:"sku,omitempty"`
	Title      string `json:"title,omitempty"`
	PriceMinor int64  `json:"price_minor"`
	Stock      int64  `json:"stock"`
	// StockUntracked is Product.StockUntracked for the variant.
	StockUntracked bool `json:"-"`
	// UpdatedAt is the variant's own modification time when the platform
	// sends variants on their own (WooCommerce variations), else zero.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// InventoryItemID is Shopify's stock-keeping handle for the variant:
	// inventory webhooks name it rather than the variant.
	InventoryItemID string `json:"inventory_item_id,omitempty"`
}

// MarshalJSON shows the variant's stock as Product.MarshalJSON does.
func (v Variant) MarshalJSON() ([]byte, error) {
	type plain Variant
	return json.Marshal(struct {
		plain
		Stock        *int64 `json:"stock"`
		StockManaged bool   `json:"stock_managed"`
		InStock      bool   `json:"in_stock"`
	}{plain(v), stockCount(v.Stock, v.StockUntracked), !v.StockUntracked, v.Stock > 0})
}

// Consent states, shared by every channel. They follow Shopify's
// marketing-consent vocabulary, which is a superset of WooCommerce's.
const (
	ConsentSubscribed    = "subscribed"
	ConsentUnsubscribed  = "unsubscribed"
	ConsentPending       = "pending"
	ConsentNotSubscribed = "not_subscribed"
)

// Consent is one channel's marketing consent as the shop reports it.
type Consent struct {
	State     string    `json:"state"`
	OptInMode string    `json:"opt_in_level,omitempty"` // e.g. "single_opt_in", "confirmed_opt_in"
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Customer is a shop's customer account.
type Customer struct {
	ExternalID   string    `json:"external_id"`
	Email        string    `json:"email,omitempty"`
	Phone        string    `json:"phone,omitempty"`
	FirstName    string    `json:"first_name,omitempty"`
	LastName     string    `json:"last_name,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	Locale       string    `json:"locale,omitempty"`
	Country      string    `json:"country,omitempty"`
	EmailConsent *Consent  `json:"email_consent,omitempty"` // nil: the delivery said nothing about it
	SMSConsent   *Consent  `json:"sms_consent,omitempty"`
	OrdersCount  int64     `json:"orders_count"`
	SpentMinor   int64     `json:"spent_minor"`
	Currency     string    `json:"currency,omitempty"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}

// ChangeKind says what a Change carries.
type ChangeKind string

// Change kinds. Connectors decode every webhook delivery and every synced
// record into exactly one of these.
const (
	ChangeOrder          ChangeKind = "order"           // Order set
	ChangeCheckout       ChangeKind = "checkout"        // Checkout set (has reached the checkout, may have an email)
	ChangeCart           ChangeKind = "cart"            // Checkout set, Token is the cart token; no email yet
	ChangeCustomer       ChangeKind = "customer"        // Customer set
	ChangeConsent        ChangeKind = "consent"         // Customer set with ExternalID, Email and EmailConsent only
	ChangeProduct        ChangeKind = "product"         // Product set (with Variants)
	ChangeProductDeleted ChangeKind = "product_deleted" // ExternalID set
	ChangeVariant        ChangeKind = "variant"         // Product set: ExternalID is the parent's, Variants holds the one variant
	ChangeInventory      ChangeKind = "inventory"       // Inventory set
	ChangeUninstalled    ChangeKind = "uninstalled"     // the app was removed from the shop
	ChangeDataRequest    ChangeKind = "data_request"    // Privacy set: export what is held on the customer
	ChangeCustomerRedact ChangeKind = "customer_redact" // Privacy set: erase the customer
	ChangeShopRedact     ChangeKind = "shop_redact"     // erase everything held for the shop
	ChangeIgnored        ChangeKind = "ignored"         // a known topic that carries nothing to keep
)

// InventoryChange is a stock level of one inventory item (a variant's stock
// at one location).
type InventoryChange struct {
	InventoryItemID string    `json:"inventory_item_id"`
	LocationID      string    `json:"location_id,omitempty"`
	Available       int64     `json:"available"`
	UpdatedAt       time.Time `json:"updated_at,omitzero"`
}

// PrivacyRequest is a GDPR/CCPA request the platform forwards.
type PrivacyRequest struct {
	RequestID  string   `json:"request_id,omitempty"`
	CustomerID string   `json:"customer_id,omitempty"`
	Email      string   `json:"email,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	OrderIDs   []string `json:"order_ids,omitempty"`
}

// Change is what one webhook delivery or one synced record means,
// independent of the platform it came from. Exactly the field named by
// Kind is set. WorkspaceID and ShopID on the carried values are left empty
// by connectors; the caller, which knows the shop, fills them in.
type Change struct {
	Kind       ChangeKind       `json:"kind"`
	Order      *Order           `json:"order,omitempty"`
	Checkout   *Checkout        `json:"checkout,omitempty"`
	Customer   *Customer        `json:"customer,omitempty"`
	Product    *Product         `json:"product,omitempty"`
	ExternalID string           `json:"external_id,omitempty"`
	Inventory  *InventoryChange `json:"inventory,omitempty"`
	Privacy    *PrivacyRequest  `json:"privacy,omitempty"`
	// UpdatedAt is the record's own modification time, used to drop a
	// delivery older than what is already stored.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}
