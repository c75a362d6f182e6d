package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Headers of a WooCommerce webhook delivery (WC_Webhook::deliver). The
// store is identified by Source (its home URL) and webhook ID; DeliveryID is
// wp_hash(webhook id . the current second), so two deliveries of one
// webhook within a second share it: it cannot de-duplicate (see DedupKey).
const (
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderResource   = "X-WC-Webhook-Resource"
	HeaderEvent      = "X-WC-Webhook-Event"
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderID         = "X-WC-Webhook-ID"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// ErrUnknownTopic is wrapped by Decode for a topic it does not handle;
// callers acknowledge such deliveries (WooCommerce disables a webhook after
// repeated failures) and drop them.
var ErrUnknownTopic = errors.New("woocommerce: unknown webhook topic")

// DedupKey is what recognises a delivery received twice: its topic and the
// SHA-256 of its body. A body that is byte for byte the same says nothing
// new, whichever webhook, delivery id or second sent it; any change of the
// resource changes the body. Neither the delivery id (shared by deliveries
// of the same second) nor the resource's date_modified_gmt (two status
// changes within one second share it: on-hold, then completed) can tell
// two different deliveries apart, and WooCommerce never resends one that
// was refused, so dropping a genuine update would lose it for good.
func DedupKey(topic string, body []byte) string {
	sum := sha256.Sum256(body)
	return "woocommerce:" + topic + ":" + hex.EncodeToString(sum[:])
}

// SignWebhook returns the X-WC-Webhook-Signature WooCommerce computes for
// body: base64(HMAC-SHA256(secret, body)).
func SignWebhook(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhook reports whether header is the signature of the raw body
// under secret, in constant time. An empty secret or header never verifies,
// so a shop without a configured secret cannot be spoofed.
//
// WooCommerce keys the HMAC with the HTML-entity-decoded secret; secrets
// made of [A-Za-z0-9] are the same either way, which is why Cartwheel
// generates only those.
func VerifyWebhook(secret string, body []byte, header string) bool {
	if secret == "" || header == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// IsPing reports whether body is the unsigned ping WooCommerce posts to a
// delivery URL when a webhook is created: exactly "webhook_id=N", sent as a
// form (or with no content type at all, depending on the WordPress HTTP
// transport). WooCommerce saves the webhook either way but shows an error
// unless the answer is exactly 200. A handler answers 200 without checking a
// signature only when IsPing is true and the request has no
// X-WC-Webhook-Topic header; anything else must be verified.
func IsPing(body []byte, contentType string) bool {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return false
		}
	}
	id, ok := strings.CutPrefix(string(body), "webhook_id=")
	if !ok || id == "" || len(id) > 20 {
		return false
	}
	return allDigits(id)
}

// Decode turns a verified delivery body into a Change. Product prices are
// read with two decimals and Product.Currency is left empty, because a
// product payload does not name its currency; use DecodeWithCurrency with the
// store's currency (Client.Settings) when it is known.
func Decode(topic string, body []byte) (commerce.Change, error) {
	return DecodeWithCurrency(topic, body, "")
}

// DecodeWithCurrency is Decode for a store whose currency is known: product
// and customer amounts are read in its precision and the currency is set on
// them. Orders and carts name their own currency.
//
// Topics: order.created/updated/restored → ChangeOrder; order.deleted →
// ChangeIgnored with ExternalID (trashing an order in the shop does not undo
// the purchase); customer.created/updated → ChangeCustomer; customer.deleted
// → ChangeIgnored with ExternalID (erasure comes through privacy requests,
// not account deletion); product.created/updated/restored/published →
// ChangeProduct; product.deleted → ChangeProductDeleted; cart.updated →
// ChangeCart or ChangeCheckout. Anything else wraps ErrUnknownTopic.
func DecodeWithCurrency(topic string, body []byte, currency string) (commerce.Change, error) {
	ch, err := decode(topic, body, strings.ToUpper(strings.TrimSpace(currency)))
	if errors.Is(err, ErrUnknownTopic) {
		return commerce.Change{}, fmt.Errorf("%w %q", ErrUnknownTopic, topic)
	}
	if err != nil {
		return commerce.Change{}, fmt.Errorf("woocommerce: %s: %w", topic, err)
	}
	return ch, nil
}

func decode(topic string, body []byte, currency string) (commerce.Change, error) {
	resource, event, _ := strings.Cut(topic, ".")
	switch {
	case topic == TopicCartUpdated:
		var c cart
		if err := decodeJSON(body, &c); err != nil {
			return commerce.Change{}, err
		}
		return cartChange(c)
	case event == "deleted" && (resource == "order" || resource == "customer" || resource == "product"):
		var d deleted
		if err := decodeJSON(body, &d); err != nil {
			return commerce.Change{}, err
		}
		if d.ID == "" {
			return commerce.Change{}, errMissingID
		}
		kind := commerce.ChangeIgnored
		if resource == "product" {
			kind = commerce.ChangeProductDeleted
		}
		return commerce.Change{Kind: kind, ExternalID: string(d.ID), UpdatedAt: d.DateModifiedGMT.Time}, nil
	case resource == "order" && (event == "created" || event == "updated" || event == "restored"):
		var o order
		if err := decodeJSON(body, &o); err != nil {
			return commerce.Change{}, err
		}
		return orderChange(o)
	case resource == "customer" && (event == "created" || event == "updated"):
		var c customer
		if err := decodeJSON(body, &c); err != nil {
			return commerce.Change{}, err
		}
		return customerChange(c, currency)
	case resource == "product" && (event == "created" || event == "updated" || event == "restored" || event == "published"):
		var p product
		if err := decodeJSON(body, &p); err != nil {
			return commerce.Change{}, err
		}
		return productChange(p, currency)
	}
	return commerce.Change{}, ErrUnknownTopic
}
