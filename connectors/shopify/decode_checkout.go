package shopify

import (
	"errors"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// checkoutPayload is the abandoned-checkout resource of checkouts/*.
type checkoutPayload struct {
	Token            text              `json:"token"`
	CartToken        text              `json:"cart_token"`
	BillingAddress   *payloadAddress   `json:"billing_address"`
	Email            text              `json:"email"`
	Customer         *payloadCustomer  `json:"customer"`
	NoteAttributes   []noteAttribute   `json:"note_attributes"`
	Currency         text              `json:"currency"`
	SubtotalPrice    decimal           `json:"subtotal_price"`
	TotalPrice       decimal           `json:"total_price"`
	RecoveryURL      text              `json:"abandoned_checkout_url"`
	AcceptsMarketing bool              `json:"buyer_accepts_marketing"`
	CompletedAt      timestamp         `json:"completed_at"`
	CreatedAt        timestamp         `json:"created_at"`
	UpdatedAt        timestamp         `json:"updated_at"`
	LineItems        []lineItemPayload `json:"line_items"`
}

// decodeCheckout maps checkouts/create|update. The checkout is keyed by its
// token, which is what an order's checkout_token names, so the order that
// completes it can close it. The visitor is linked through the _cw_vid
// note attribute the theme extension puts on the cart (Shopify copies cart
// attributes to the checkout), and otherwise by email and customer id
// downstream, or through CartToken (the cart the checkout came from, which
// the storefront reported). The buyer's names come from the customer, else
// the billing address; the consent statement from the customer's
// email_marketing_consent with its own time, or the ticked marketing box.
func decodeCheckout(body []byte, shopCurrency string) (commerce.Change, error) {
	var p checkoutPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.Token == "" {
		return commerce.Change{}, errors.New("the checkout has no token")
	}
	cur := strings.ToUpper(firstNonEmpty(string(p.Currency), shopCurrency))
	c := &commerce.Checkout{
		Token:            string(p.Token),
		CartToken:        string(p.CartToken),
		Email:            string(p.Email),
		VisitorID:        visitorID(p.NoteAttributes),
		Currency:         cur,
		RecoveryURL:      string(p.RecoveryURL),
		AcceptsMarketing: p.AcceptsMarketing,
		CompletedAt:      p.CompletedAt.Time(),
		CreatedAt:        p.CreatedAt.Time(),
		UpdatedAt:        p.UpdatedAt.Time(),
	}
	if p.Customer != nil {
		c.CustomerID = string(p.Customer.ID)
		c.Email = firstNonEmpty(c.Email, string(p.Customer.Email))
	}
	c.FirstName, c.LastName = buyerNames(p.Customer, p.BillingAddress)
	c.EmailConsent = buyerConsent(p.Customer, p.AcceptsMarketing)
	var err error
	if c.SubtotalMinor, err = amount("subtotal_price", p.SubtotalPrice, cur); err != nil {
		return commerce.Change{}, err
	}
	if c.TotalMinor, err = amount("total_price", p.TotalPrice, cur); err != nil {
		return commerce.Change{}, err
	}
	if c.Items, err = lineItems(p.LineItems, cur); err != nil {
		return commerce.Change{}, err
	}
	return commerce.Change{Kind: commerce.ChangeCheckout, Checkout: c, ExternalID: c.Token, UpdatedAt: c.UpdatedAt}, nil
}

// cartPayload is the storefront cart of carts/*. It has no customer, no
// email and no currency.
type cartPayload struct {
	ID        extID             `json:"id"`
	Token     text              `json:"token"`
	CreatedAt timestamp         `json:"created_at"`
	UpdatedAt timestamp         `json:"updated_at"`
	LineItems []lineItemPayload `json:"line_items"`
}

// decodeCart maps carts/create|update to a ChangeCart whose Checkout.Token
// is the cart token. Totals are the sum of the line prices (after line
// discounts), since the payload has no cart total; Currency is the shop's
// when the caller passed it, and otherwise left for the caller to fill.
func decodeCart(body []byte, shopCurrency string) (commerce.Change, error) {
	var p cartPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	token := firstNonEmpty(string(p.Token), string(p.ID))
	if token == "" {
		return commerce.Change{}, errors.New("the cart has no token")
	}
	items, err := lineItems(p.LineItems, shopCurrency)
	if err != nil {
		return commerce.Change{}, err
	}
	var total int64
	for i, l := range p.LineItems {
		lp, err := amount("line_price", l.LinePrice, shopCurrency)
		if err != nil {
			return commerce.Change{}, err
		}
		if l.LinePrice == "" {
			lp = items[i].PriceMinor * items[i].Quantity
		}
		total += lp
	}
	c := &commerce.Checkout{
		Token:         token,
		Currency:      shopCurrency,
		SubtotalMinor: total,
		TotalMinor:    total,
		Items:         items,
		CreatedAt:     p.CreatedAt.Time(),
		UpdatedAt:     p.UpdatedAt.Time(),
	}
	return commerce.Change{Kind: commerce.ChangeCart, Checkout: c, ExternalID: token, UpdatedAt: c.UpdatedAt}, nil
}
