package shopify

import (
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// orders/updated after a partial refund and after fulfilment: the refunded
// amount is the successful refund transactions, fulfilment follows
// fulfillment_status.
func TestDecodeOrderRefundsAndFulfilment(t *testing.T) {
	body := string(sample(t, "orders_paid.json"))
	body = strings.Replace(body, `"fulfillment_status": null,`, `"fulfillment_status": "fulfilled",`, 1)
	body = strings.Replace(body, `"financial_status": "paid",`, `"financial_status": "partially_refunded",`, 1)
	const refunds = `"refunds": [{"id": 929361464, "order_id": 450789469, "created_at": "2026-11-20T10:00:00-05:00",
	  "note": "damaged", "restock": false, "transactions": [
	    {"id": 1, "kind": "refund", "status": "success", "amount": "20.48", "currency": "EUR", "gateway": "bogus"},
	    {"id": 2, "kind": "refund", "status": "failure", "amount": "5.00", "currency": "EUR", "gateway": "bogus"}]}],`
	if !strings.Contains(body, `"total_price"`) {
		t.Fatal("sample without total_price")
	}
	body = strings.Replace(body, `"total_price"`, refunds+`"taxes_included": true, "total_price"`, 1)
	ch, err := Decode(TopicOrdersUpdated, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if o := ch.Order; o.RefundedMinor != 2048 || o.Fulfillment != commerce.FulfillmentFulfilled || o.TotalMinor != 10096 {
		t.Fatalf("order refunded %d fulfilment %q total %d", o.RefundedMinor, o.Fulfillment, o.TotalMinor)
	}
	if !ch.Order.PricesIncludeTax {
		t.Error("taxes_included not read")
	}
	plain := decode(t, TopicOrdersPaid, "orders_paid.json").Order
	if plain.RefundedMinor != 0 || plain.Fulfillment != commerce.FulfillmentUnfulfilled || plain.PricesIncludeTax {
		t.Fatalf("paid order refunded %d fulfilment %q", plain.RefundedMinor, plain.Fulfillment)
	}
}
