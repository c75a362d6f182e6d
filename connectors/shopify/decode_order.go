package shopify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// orderPayload is the REST Order as orders/* webhooks send it; only the
// fields Cartwheel keeps are named.
type orderPayload struct {
	ID             extID            `json:"id"`
	Name           text             `json:"name"`
	OrderNumber    extID            `json:"order_number"`
	Email          text             `json:"email"`
	ContactEmail   text             `json:"contact_email"`
	Customer       *payloadCustomer `json:"customer"`
	CheckoutToken  text             `json:"checkout_token"`
	CartToken      text             `json:"cart_token"`
	BillingAddress *payloadAddress  `json:"billing_address"`
	// AcceptsMarketing is the marketing box the buyer ticked at checkout.
	AcceptsMarketing bool            `json:"buyer_accepts_marketing"`
	NoteAttributes   []noteAttribute `json:"note_attributes"`
	Currency         text            `json:"currency"`
	SubtotalPrice    decimal         `json:"subtotal_price"`
	TotalDiscounts   decimal         `json:"total_discounts"`
	TotalTax         decimal         `json:"total_tax"`
	TotalPrice       decimal         `json:"total_price"`
	TotalShipping    *struct {
		ShopMoney struct {
			Amount decimal `json:"amount"`
		} `json:"shop_money"`
	} `json:"total_shipping_price_set"`
	FinancialStatus text      `json:"financial_status"`
	CancelledAt     timestamp `json:"cancelled_at"`
	ProcessedAt     timestamp `json:"processed_at"`
	CreatedAt       timestamp `json:"created_at"`
	UpdatedAt       timestamp `json:"updated_at"`
	DiscountCodes   []struct {
		Code text `json:"code"`
	} `json:"discount_codes"`
	LineItems []lineItemPayload `json:"line_items"`
}

// lineItemPayload is a line of an order, checkout or cart. The three share
// these fields.
type lineItemPayload struct {
	ProductID    extID   `json:"product_id"`
	VariantID    extID   `json:"variant_id"`
	SKU          text    `json:"sku"`
	Title        text    `json:"title"`
	VariantTitle text    `json:"variant_title"`
	Name         text    `json:"name"`
	Quantity     int64   `json:"quantity"`
	Price        decimal `json:"price"`
	LinePrice    decimal `json:"line_price"` // carts and checkouts
}

// item converts a line; the price is the unit price.
func (l lineItemPayload) item(currency string) (commerce.LineItem, error) {
	price, err := amount("price", l.Price, currency)
	if err != nil {
		return commerce.LineItem{}, err
	}
	title := string(l.Title)
	if vt := string(l.VariantTitle); title != "" && vt != "" && !strings.HasSuffix(title, " - "+vt) {
		title += " - " + vt
	}
	return commerce.LineItem{
		ProductID:  string(l.ProductID),
		VariantID:  string(l.VariantID),
		SKU:        string(l.SKU),
		Title:      firstNonEmpty(title, string(l.Name)),
		Quantity:   l.Quantity,
		PriceMinor: price,
	}, nil
}

func lineItems(ls []lineItemPayload, currency string) ([]commerce.LineItem, error) {
	items := make([]commerce.LineItem, 0, len(ls))
	for i, l := range ls {
		it, err := l.item(currency)
		if err != nil {
			return nil, fmt.Errorf("line item %d: %w", i, err)
		}
		items = append(items, it)
	}
	return items, nil
}

func decodeOrder(topic string, body []byte, shopCurrency string) (commerce.Change, error) {
	var p orderPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.ID == "" {
		return commerce.Change{}, errors.New("the order has no id")
	}
	cur := strings.ToUpper(firstNonEmpty(string(p.Currency), shopCurrency))
	o := &commerce.Order{
		ExternalID:    string(p.ID),
		Number:        firstNonEmpty(string(p.Name), string(p.OrderNumber)),
		Email:         string(p.Email),
		CheckoutToken: string(p.CheckoutToken),
		CartToken:     string(p.CartToken),
		VisitorID:     visitorID(p.NoteAttributes),
		Currency:      cur,
		Financial:     string(p.FinancialStatus),
		CancelledAt:   p.CancelledAt.Time(),
		PlacedAt:      p.ProcessedAt.Time(),
		UpdatedAt:     p.UpdatedAt.Time(),
		DiscountCodes: []string{},
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = p.CreatedAt.Time()
	}
	if o.Email == "" {
		o.Email = string(p.ContactEmail)
	}
	if p.Customer != nil {
		o.CustomerID = string(p.Customer.ID)
		o.Email = firstNonEmpty(o.Email, string(p.Customer.Email))
	}
	o.FirstName, o.LastName = buyerNames(p.Customer, p.BillingAddress)
	o.EmailConsent = buyerConsent(p.Customer, p.AcceptsMarketing)
	var err error
	for _, f := range []struct {
		name string
		d    decimal
		dst  *int64
	}{
		{"subtotal_price", p.SubtotalPrice, &o.SubtotalMinor},
		{"total_discounts", p.TotalDiscounts, &o.DiscountMinor},
		{"total_tax", p.TotalTax, &o.TaxMinor},
		{"total_price", p.TotalPrice, &o.TotalMinor},
	} {
		if *f.dst, err = amount(f.name, f.d, cur); err != nil {
			return commerce.Change{}, err
		}
	}
	if p.TotalShipping != nil {
		if o.ShippingMinor, err = amount("total_shipping_price_set", p.TotalShipping.ShopMoney.Amount, cur); err != nil {
			return commerce.Change{}, err
		}
	}
	for _, dc := range p.DiscountCodes {
		if dc.Code != "" {
			o.DiscountCodes = append(o.DiscountCodes, string(dc.Code))
		}
	}
	if o.Items, err = lineItems(p.LineItems, cur); err != nil {
		return commerce.Change{}, err
	}
	if err := orderMoney(body, o); err != nil {
		return commerce.Change{}, err
	}
	if topic == TopicOrdersCancelled && o.CancelledAt.IsZero() {
		// A subscription with include_fields may trim cancelled_at; the
		// delivery itself says the order is cancelled, as of its update.
		if o.CancelledAt = o.UpdatedAt; o.CancelledAt.IsZero() {
			return commerce.Change{}, errors.New("a cancelled order without cancelled_at or updated_at")
		}
	}
	return commerce.Change{Kind: commerce.ChangeOrder, Order: o, ExternalID: o.ExternalID, UpdatedAt: o.UpdatedAt}, nil
}
