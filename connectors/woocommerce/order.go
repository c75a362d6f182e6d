package woocommerce

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Order meta keys the plugin writes at checkout.
const (
	// MetaVisitor holds the tracker's cw_vid cookie, tying the order to the
	// anonymous visitor who browsed before buying.
	MetaVisitor = "_cartwheel_visitor"
	// MetaCartToken holds the plugin's cart token (the cart.updated token),
	// tying the order to the cart it converted.
	MetaCartToken = "_cartwheel_cart_token"
)

// fulfillment tells a completed order (goods sent) from one still being
// prepared; orders that ended otherwise, and extensions' statuses, say
// nothing about it.
func fulfillment(status string) string {
	switch status {
	case "completed":
		return commerce.FulfillmentFulfilled
	case "pending", "on-hold", "processing", "checkout-draft":
		return commerce.FulfillmentUnfulfilled
	}
	return ""
}

// financialStatus maps a WooCommerce order status onto the Shopify-style
// financial status commerce.Order uses. on-hold waits for a payment (bank
// transfer, cheque), so it is pending; WooCommerce keeps "processing" or
// "completed" after a partial refund, which the refunds list reveals.
func financialStatus(o order) string {
	switch o.Status {
	case "processing", "completed":
		if len(o.Refunds) > 0 {
			return "partially_refunded"
		}
		return "paid"
	case "pending", "on-hold", "checkout-draft":
		return "pending"
	case "cancelled":
		return "cancelled"
	case "refunded":
		return "refunded"
	case "failed":
		return "failed"
	case "trash":
		return "voided"
	}
	// Statuses added by extensions ("shipped", "awaiting-shipment"…) come
	// after payment as a rule; date_paid says which side they are on.
	if !o.DatePaidGMT.IsZero() {
		return "paid"
	}
	return "pending"
}

// orderChange maps an order payload (webhook or REST list element).
func orderChange(o order) (commerce.Change, error) {
	if o.ID == "" {
		return commerce.Change{}, errMissingID
	}
	cur := strings.ToUpper(strings.TrimSpace(o.Currency))
	out := commerce.Order{
		ExternalID:    string(o.ID),
		Number:        string(o.Number),
		Email:         strings.TrimSpace(o.Billing.Email),
		CustomerID:    o.CustomerID.nonZero(),
		VisitorID:     metaValue(o.MetaData, MetaVisitor),
		CheckoutToken: metaValue(o.MetaData, MetaCartToken),
		FirstName:     strings.TrimSpace(firstNonEmpty(o.Billing.FirstName, o.Shipping.FirstName)),
		LastName:      strings.TrimSpace(firstNonEmpty(o.Billing.LastName, o.Shipping.LastName)),
		// The plugin stores the checkout box's answer on the order as on a
		// customer (MetaEmailConsent); without an answer time, the
		// checkout (the order's creation) is when it was given.
		EmailConsent: orderConsent(o),
		Currency:     cur,
		Financial:    financialStatus(o),
		Status:       o.Status,
		Fulfillment:  fulfillment(o.Status),

		PricesIncludeTax: bool(o.PricesIncludeTax),
		Items:            make([]commerce.LineItem, 0, len(o.LineItems)),
		DiscountCodes:    make([]string, 0, len(o.CouponLines)),
		PlacedAt:         o.DateCreatedGMT.Time,
		UpdatedAt:        o.DateModifiedGMT.Time,
	}
	if out.CheckoutToken == "" {
		// Orders placed without the plugin (or before it) still carry the
		// cart hash WooCommerce stored at checkout.
		out.CheckoutToken = o.CartHash
	}
	if out.Number == "" {
		out.Number = out.ExternalID
	}
	if out.Financial == "cancelled" {
		// WooCommerce records no cancellation date; the status change is
		// the last modification.
		out.CancelledAt = o.DateModifiedGMT.Time
	}
	var err error
	for _, f := range []struct {
		dst   *int64
		src   decimal
		field string
	}{
		{&out.DiscountMinor, o.DiscountTotal, "discount_total"},
		{&out.ShippingMinor, o.ShippingTotal, "shipping_total"},
		{&out.TaxMinor, o.TotalTax, "total_tax"},
		{&out.TotalMinor, o.Total, "total"},
	} {
		if *f.dst, err = amount(f.src, f.field, cur); err != nil {
			return commerce.Change{}, err
		}
	}
	if out.PricesIncludeTax {
		// Shown as the shop shows them: discount and shipping with their
		// tax, so that subtotal − discount + shipping = total.
		for _, f := range []struct {
			dst   *int64
			src   decimal
			field string
		}{
			{&out.DiscountMinor, o.DiscountTax, "discount_tax"},
			{&out.ShippingMinor, o.ShippingTax, "shipping_tax"},
		} {
			tax, err := amount(f.src, f.field, cur)
			if err != nil {
				return commerce.Change{}, err
			}
			*f.dst += tax
		}
	}
	for i, r := range o.Refunds {
		v, err := amount(r.Total, "total", cur)
		if err != nil {
			return commerce.Change{}, fmt.Errorf("refunds[%d]: %w", i, err)
		}
		out.RefundedMinor += max(v, -v) // listed negative; older versions positive
	}
	if o.Status == "refunded" && out.RefundedMinor < out.TotalMinor {
		// Refunded in full, whatever the refunds list already shows.
		out.RefundedMinor = out.TotalMinor
	}
	out.RefundedMinor = min(out.RefundedMinor, out.TotalMinor)
	for i, li := range o.LineItems {
		item, subtotal, err := orderItem(li, cur, out.PricesIncludeTax)
		if err != nil {
			return commerce.Change{}, fmt.Errorf("line_items[%d]: %w", i, err)
		}
		out.SubtotalMinor += subtotal
		out.Items = append(out.Items, item)
	}
	for _, c := range o.CouponLines {
		if c.Code != "" {
			out.DiscountCodes = append(out.DiscountCodes, c.Code)
		}
	}
	return commerce.Change{Kind: commerce.ChangeOrder, Order: &out, ExternalID: out.ExternalID, UpdatedAt: out.UpdatedAt}, nil
}

// orderItem maps one line item and returns its pre-discount subtotal, both
// as the shop shows prices: with tax when gross is true
// (prices_include_tax), without otherwise. WooCommerce keeps line amounts
// net (subtotal, total) with their tax apart (subtotal_tax, total_tax).
func orderItem(li lineItem, cur string, gross bool) (commerce.LineItem, int64, error) {
	var subtotal, subtotalTax, total, tax int64
	for _, f := range []struct {
		dst   *int64
		src   decimal
		field string
	}{
		{&subtotal, li.Subtotal, "subtotal"},
		{&subtotalTax, li.SubtotalTax, "subtotal_tax"},
		{&total, li.Total, "total"},
		{&tax, li.TotalTax, "total_tax"},
	} {
		var err error
		if *f.dst, err = amount(f.src, f.field, cur); err != nil {
			return commerce.LineItem{}, 0, err
		}
	}
	item := commerce.LineItem{
		ProductID: string(li.ProductID),
		VariantID: li.VariationID.nonZero(),
		SKU:       li.SKU,
		// Names arrive HTML-escaped ("Ship Your Idea &ndash; Color: Black").
		Title:    html.UnescapeString(li.Name),
		ImageURL: li.Image.Src,
		TaxMinor: tax,
	}
	if gross {
		subtotal += subtotalTax
	}
	qty, err := strconv.ParseInt(li.Quantity.String(), 10, 64)
	if err != nil || qty <= 0 {
		// Extensions selling by weight allow fractional quantities. One
		// line at its total keeps the order's sums right.
		item.Quantity, item.PriceMinor = 1, total
		if gross {
			item.PriceMinor += tax
		}
		return item, subtotal, nil
	}
	item.Quantity = qty
	if gross {
		// What the shopper paid for one, tax included, as the shop's pages
		// showed it; price (below) is net.
		item.PriceMinor = divRound(total+tax, qty)
		return item, subtotal, nil
	}
	// price is total/quantity computed in PHP floats; when its text is not
	// usable, the same division is done here in integers.
	if item.PriceMinor, err = roundedAmount(li.Price, "price", cur); err != nil || li.Price == "" {
		item.PriceMinor = divRound(total, qty)
	}
	return item, subtotal, nil
}

// orderConsent is the checkout box's answer stored on the order (the
// plugin's MetaEmailConsent); without an answer time, the checkout (the
// order's creation) is when it was given. (A customer's answer without a
// time has none: its record's modification time is not when it was given.)
func orderConsent(o order) *commerce.Consent {
	c := emailConsent(o.MetaData)
	if c != nil && c.UpdatedAt.IsZero() {
		c.UpdatedAt = o.DateCreatedGMT.Time
	}
	return c
}
