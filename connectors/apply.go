package connectors

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// OrderID is the id Cartwheel gives a shop's order. Platform order ids are
// unique only within a shop (WooCommerce's are post ids), and a workspace
// may connect several shops.
func OrderID(shopID, externalID string) string { return shopID + "-" + externalID }

// apply makes one decoded change take effect. live is true for webhook
// deliveries, false for backfill records: only live product changes are
// logged as events, so a catalogue backfill does not flood the log.
func (h *Hub) apply(ctx context.Context, sh store.Shop, ch commerce.Change, live bool) error {
	src := sh.Platform
	switch ch.Kind {
	case commerce.ChangeOrder:
		if ch.Order == nil {
			return &permanentError{errors.New("order change without an order")}
		}
		o := *ch.Order
		o.WorkspaceID, o.ShopID, o.ID = sh.WorkspaceID, sh.ID, OrderID(sh.ID, o.ExternalID)
		if o.Currency == "" {
			o.Currency = sh.Currency
		}
		h.mapVariants(ctx, sh, o.Items)
		if o.VisitorID == "" && o.CheckoutToken != "" {
			o.VisitorID = h.tokenVisitor(ctx, sh, o.CheckoutToken)
		}
		if err := h.opt.Ingest.RecordOrder(ctx, o, src); err != nil {
			if o.Validate() != nil {
				return &permanentError{err}
			}
			return err
		}
	case commerce.ChangeCheckout, commerce.ChangeCart:
		if ch.Checkout == nil || ch.Checkout.Token == "" {
			return &permanentError{errors.New("checkout change without a token")}
		}
		c := *ch.Checkout
		c.WorkspaceID, c.ShopID = sh.WorkspaceID, sh.ID
		if c.Currency == "" {
			c.Currency = sh.Currency
		}
		h.mapVariants(ctx, sh, c.Items)
		if c.VisitorID == "" {
			c.VisitorID = h.tokenVisitor(ctx, sh, c.Token)
		}
		return h.opt.Ingest.RecordCheckout(ctx, c, src)
	case commerce.ChangeCustomer, commerce.ChangeConsent:
		if ch.Customer == nil {
			return &permanentError{errors.New("customer change without a customer")}
		}
		return h.recordCustomer(ctx, sh, ch)
	case commerce.ChangeProduct:
		if ch.Product == nil || ch.Product.ExternalID == "" {
			return &permanentError{errors.New("product change without a product id")}
		}
		return h.saveProducts(ctx, sh, []commerce.Product{*ch.Product}, live)
	case commerce.ChangeVariant:
		// A WooCommerce variation: its parent's variant, with its own
		// price, stock and modification time.
		if ch.Product == nil || ch.Product.ExternalID == "" || len(ch.Product.Variants) != 1 {
			return &permanentError{errors.New("variant change without a product and one variant")}
		}
		return h.opt.Store.UpsertVariant(ctx, sh.WorkspaceID, sh.ID, ch.Product.ExternalID, ch.Product.Variants[0])
	case commerce.ChangeProductDeleted:
		err := h.opt.Store.SetProductStatus(ctx, sh.WorkspaceID, sh.ID, ch.ExternalID, "archived", h.now())
		if errors.Is(err, store.ErrNotFound) {
			return nil // never synced: nothing to archive
		}
		return err
	case commerce.ChangeInventory:
		if ch.Inventory == nil {
			return &permanentError{errors.New("inventory change without a level")}
		}
		now := h.now()
		at := cmp.Or(ch.Inventory.UpdatedAt, now)
		_, err := h.opt.Store.SetInventory(ctx, sh.WorkspaceID, sh.ID, ch.Inventory.InventoryItemID, ch.Inventory.Available, at, now)
		if errors.Is(err, store.ErrStale) {
			h.log.Info("inventory level older than the stored stock: skipped", "shop", sh.ID, "item", ch.Inventory.InventoryItemID)
			return nil
		}
		if errors.Is(err, store.ErrNotFound) {
			// A variant not synced yet: the next catalogue sync brings
			// its stock with it.
			h.log.Info("inventory level for an unknown item", "shop", sh.ID, "item", ch.Inventory.InventoryItemID)
			return nil
		}
		return err
	case commerce.ChangeUninstalled:
		if _, err := h.opt.Workspaces.SetShopStatus(ctx, sh.WorkspaceID, sh.ID, workspace.ShopDisabled); err != nil {
			return err
		}
		h.log.Info("app uninstalled: shop disabled", "workspace", sh.WorkspaceID, "shop", sh.ID)
	case commerce.ChangeDataRequest, commerce.ChangeCustomerRedact, commerce.ChangeShopRedact:
		return h.privacy(ctx, sh, ch)
	case commerce.ChangeIgnored:
	default:
		return &permanentError{fmt.Errorf("change kind %q not handled", ch.Kind)}
	}
	return nil
}

// mapVariants fills in the product of line items that name only a variant
// (Shopify carts): profiles and recommendations count products. Items
// without a link or picture (Shopify's line items carry neither) get the
// stored product's, so a recovery email can show and link them.
func (h *Hub) mapVariants(ctx context.Context, sh store.Shop, items []commerce.LineItem) {
	for i := range items {
		it := &items[i]
		if it.ProductID == "" && it.VariantID != "" {
			if p, err := h.opt.Store.VariantProduct(ctx, sh.WorkspaceID, sh.ID, it.VariantID); err == nil {
				it.ProductID = p
			}
		}
		if it.ProductID == "" || (it.URL != "" && it.ImageURL != "") {
			continue
		}
		if p, err := h.opt.Store.Product(ctx, sh.WorkspaceID, it.ProductID); err == nil && p.ShopID == sh.ID {
			it.URL = cmp.Or(it.URL, p.URL)
			it.ImageURL = cmp.Or(it.ImageURL, p.ImageURL)
		}
	}
}

// tokenVisitor returns the visitor whose browser reported a cart or
// checkout token (the tracker's checkout_started), or "".
func (h *Hub) tokenVisitor(ctx context.Context, sh store.Shop, token string) string {
	v, err := h.opt.Store.CartTokenVisitor(ctx, sh.WorkspaceID, token)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.log.Warn("cart token lookup", "shop", sh.ID, "err", err)
	}
	return v
}

// customerProps is what customer_updated and consent_changed events carry;
// email, phone and customer_id are what the identity graph links on.
type customerProps struct {
	CustomerID   string            `json:"customer_id"`
	Email        string            `json:"email,omitempty"`
	Phone        string            `json:"phone,omitempty"`
	FirstName    string            `json:"first_name,omitempty"`
	LastName     string            `json:"last_name,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	Locale       string            `json:"locale,omitempty"`
	Country      string            `json:"country,omitempty"`
	OrdersCount  int64             `json:"orders_count,omitempty"`
	SpentMinor   int64             `json:"spent_minor,omitempty"`
	Currency     string            `json:"currency,omitempty"`
	EmailConsent *commerce.Consent `json:"email_consent,omitempty"`
	SMSConsent   *commerce.Consent `json:"sms_consent,omitempty"`
	ShopID       string            `json:"shop_id"`
	// consent_changed only.
	Channel string            `json:"channel,omitempty"`
	Consent *commerce.Consent `json:"consent,omitempty"`
}

func (h *Hub) recordCustomer(ctx context.Context, sh store.Shop, ch commerce.Change) error {
	c := ch.Customer
	p := customerProps{CustomerID: c.ExternalID, Email: cdp.NormalizeEmail(c.Email), Phone: c.Phone, FirstName: c.FirstName,
		LastName: c.LastName, Tags: c.Tags, Locale: c.Locale, Country: c.Country, OrdersCount: c.OrdersCount,
		SpentMinor: c.SpentMinor, Currency: c.Currency, ShopID: sh.ID}
	at := c.UpdatedAt
	if ch.Kind == commerce.ChangeConsent {
		if c.EmailConsent == nil {
			return &permanentError{errors.New("consent change without a consent")}
		}
		p.Channel, p.Consent = "email", c.EmailConsent
		if c.EmailConsent.UpdatedAt.After(at) {
			at = c.EmailConsent.UpdatedAt
		}
		return h.opt.Ingest.Record(ctx, sh.WorkspaceID, cdp.EventConsentChanged, sh.Platform, at, p)
	}
	if !at.IsZero() {
		// Newer wins: an older record of the customer (webhooks are not
		// ordered) would put back names, tags or a phone since changed.
		newest, err := h.opt.Store.ClaimCustomerVersion(ctx, sh.WorkspaceID, sh.ID, c.ExternalID, at)
		if err != nil {
			return err
		}
		if !newest {
			h.log.Info("customer delivery older than the one applied: skipped", "shop", sh.ID, "customer", c.ExternalID,
				"updated_at", at)
			return nil
		}
	}
	p.EmailConsent, p.SMSConsent = c.EmailConsent, c.SMSConsent
	return h.opt.Ingest.Record(ctx, sh.WorkspaceID, cdp.EventCustomerUpdated, sh.Platform, at, p)
}

// productProps is what product_updated carries (price-drop and
// back-in-stock flows read it).
type productProps struct {
	ProductID  string `json:"product_id"`
	Title      string `json:"title"`
	PriceMinor int64  `json:"price_minor"`
	Currency   string `json:"currency"`
	Stock      int64  `json:"stock"`
	Status     string `json:"status"`
	ShopID     string `json:"shop_id"`
}

// storefrontOrigin is where a Shopify shop's product pages live: the
// origin of the address the catalogue sync stored for the product (its
// onlineStoreUrl, on the shop's primary domain), else the shop's
// .myshopify.com domain, which redirects there.
func (h *Hub) storefrontOrigin(ctx context.Context, sh store.Shop, productID string) string {
	if p, err := h.opt.Store.Product(ctx, sh.WorkspaceID, productID); err == nil && p.ShopID == sh.ID {
		if u, err := url.Parse(p.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return "https://" + sh.Domain
}

// saveProducts stores products as the shop sent them. A product's id is its
// platform id, because that is what the storefront (and so the tracker)
// knows it by; a version older than the stored one (by the shop's own
// modification time) changes nothing and logs nothing.
func (h *Hub) saveProducts(ctx context.Context, sh store.Shop, ps []commerce.Product, live bool) error {
	now := h.now()
	for i := range ps {
		p := &ps[i]
		p.WorkspaceID, p.ShopID, p.ID = sh.WorkspaceID, sh.ID, p.ExternalID
		if p.Currency == "" {
			p.Currency = sh.Currency
		}
		if p.Status == "" {
			p.Status = "active"
		}
		if p.Handle == "" {
			p.Handle = p.ExternalID
		} else if p.URL == "" && sh.Platform == Shopify && sh.Domain != "" {
			// Shopify's product payloads carry the handle, not the
			// address; emails built from trigger items link it.
			p.URL = h.storefrontOrigin(ctx, sh, p.ID) + "/products/" + url.PathEscape(p.Handle)
		}
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
		}
		if p.UpdatedAt.IsZero() {
			p.UpdatedAt = now
		}
	}
	applied, err := h.opt.Store.SaveProducts(ctx, ps)
	if err != nil {
		return err
	}
	if !live {
		return nil
	}
	for i, p := range ps {
		if !applied[i] {
			h.log.Info("product delivery older than the stored product: skipped", "shop", sh.ID, "product", p.ID,
				"updated_at", p.UpdatedAt)
			continue
		}
		if err := h.opt.Ingest.Record(ctx, sh.WorkspaceID, cdp.EventProductUpdated, sh.Platform, p.UpdatedAt, productProps{
			ProductID: p.ID, Title: p.Title, PriceMinor: p.PriceMinor, Currency: p.Currency, Stock: p.Stock,
			Status: p.Status, ShopID: sh.ID}); err != nil {
			return err
		}
	}
	return nil
}
