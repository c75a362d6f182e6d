package woocommerce

import (
	"errors"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// FuzzDecode feeds arbitrary bodies under every topic: Decode must never
// panic, and whatever it accepts must be a usable Change.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct{ topic, file string }{
		{"order.created", "order_created.json"},
		{"order.updated", "order_updated.json"},
		{"order.restored", "order_created.json"},
		{"order.deleted", "order_deleted.json"},
		{"customer.created", "customer_created.json"},
		{"customer.updated", "customer_updated.json"},
		{"customer.deleted", "customer_deleted.json"},
		{"product.created", "product_created.json"},
		{"product.updated", "product_variable.json"},
		{"product.updated", "product_variation.json"},
		{"product.restored", "product_created.json"},
		{"product.deleted", "product_deleted.json"},
		{TopicCartUpdated, "cart_updated.json"},
		{"coupon.created", "order_deleted.json"},
	} {
		f.Add(seed.topic, readTestdata(f, seed.file))
	}
	f.Add("order.created", []byte(`{"id":1,"line_items":[{"quantity":1e400,"price":-0.0000001}]}`))
	f.Add(TopicCartUpdated, []byte(`{"token":"t","updated_at":"2024-01-01T00:00:00Z","items":[{"product_id":"1","quantity":"9223372036854775807","price":"99999999999999999.99"}]}`))
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		ch, err := Decode(topic, body)
		if err != nil {
			if known := knownTopic(topic); errors.Is(err, ErrUnknownTopic) == known {
				t.Fatalf("topic %q (known %v): %v", topic, known, err)
			}
			if ch.Kind != "" {
				t.Fatalf("error %v with a non-empty change %+v", err, ch)
			}
			return
		}
		if ch.ExternalID == "" {
			t.Fatalf("accepted %s without an ExternalID: %+v", topic, ch)
		}
		set := 0
		for _, p := range []bool{ch.Order != nil, ch.Checkout != nil, ch.Customer != nil, ch.Product != nil} {
			if p {
				set++
			}
		}
		switch ch.Kind {
		case commerce.ChangeOrder:
			if ch.Order == nil || set != 1 || ch.Order.Items == nil || ch.Order.DiscountCodes == nil {
				t.Fatalf("order change malformed: %+v", ch)
			}
		case commerce.ChangeCart, commerce.ChangeCheckout:
			if ch.Checkout == nil || set != 1 || ch.Checkout.Token != ch.ExternalID || (ch.Kind == commerce.ChangeCheckout) != (ch.Checkout.Email != "") {
				t.Fatalf("cart change malformed: %+v", ch)
			}
		case commerce.ChangeCustomer:
			if ch.Customer == nil || set != 1 {
				t.Fatalf("customer change malformed: %+v", ch)
			}
		case commerce.ChangeProduct:
			if ch.Product == nil || set != 1 || ch.Product.ID != ch.ExternalID || ch.Product.Tags == nil {
				t.Fatalf("product change malformed: %+v", ch)
			}
		case commerce.ChangeVariant:
			if ch.Product == nil || set != 1 || ch.Product.ExternalID != ch.ExternalID || len(ch.Product.Variants) != 1 ||
				ch.Product.Variants[0].ID == "" {
				t.Fatalf("variant change malformed: %+v", ch)
			}
		case commerce.ChangeProductDeleted, commerce.ChangeIgnored:
			if set != 0 {
				t.Fatalf("%s carries a record: %+v", ch.Kind, ch)
			}
		default:
			t.Fatalf("unexpected kind %q", ch.Kind)
		}
	})
}

// knownTopic lists what Decode handles, independently of its switch.
func knownTopic(topic string) bool {
	switch topic {
	case "order.created", "order.updated", "order.deleted", "order.restored",
		"customer.created", "customer.updated", "customer.deleted",
		"product.created", "product.updated", "product.deleted", "product.restored", "product.published",
		TopicCartUpdated:
		return true
	}
	return false
}
