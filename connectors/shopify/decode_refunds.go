package shopify

import (
	"fmt"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// orderMoneyPayload is what an order payload says about money given back
// and goods sent. Shopify's total_price stays what was charged; refunds
// list the transactions that gave money back (orders/updated follows every
// refunds/create, so the order's refunds are always complete there).
type orderMoneyPayload struct {
	// TaxesIncluded: the shop's prices include tax, so line prices and
	// the subtotal are gross, as the shopper saw them.
	TaxesIncluded     bool  `json:"taxes_included"`
	FulfillmentStatus *text `json:"fulfillment_status"`
	Refunds           []struct {
		Transactions []struct {
			Kind   text    `json:"kind"`
			Status text    `json:"status"`
			Amount decimal `json:"amount"`
		} `json:"transactions"`
	} `json:"refunds"`
}

// orderMoney fills in o's refunded amount, fulfilment and whether its
// prices include tax from an order body. The refunded amount is the
// successful refund transactions summed (capped at the total); fulfilled
// means every line was sent ("partial" is not yet).
func orderMoney(body []byte, o *commerce.Order) error {
	var p orderMoneyPayload
	if err := unmarshalObject(body, &p); err != nil {
		return err
	}
	for i, r := range p.Refunds {
		for j, t := range r.Transactions {
			if t.Kind != "refund" || t.Status != "success" {
				continue
			}
			v, err := amount("amount", t.Amount, o.Currency)
			if err != nil {
				return fmt.Errorf("refunds[%d].transactions[%d]: %w", i, j, err)
			}
			o.RefundedMinor += v
		}
	}
	if o.Financial == "refunded" && o.RefundedMinor < o.TotalMinor {
		o.RefundedMinor = o.TotalMinor
	}
	o.RefundedMinor = min(max(o.RefundedMinor, 0), o.TotalMinor)
	o.PricesIncludeTax = p.TaxesIncluded
	if p.FulfillmentStatus != nil && *p.FulfillmentStatus == "fulfilled" {
		o.Fulfillment = commerce.FulfillmentFulfilled
	} else {
		o.Fulfillment = commerce.FulfillmentUnfulfilled
	}
	return nil
}
