// Package woocommerce connects a WooCommerce store to Cartwheel: it verifies
// and decodes the store's webhook deliveries, reads its REST API (v3) to
// reconcile what deliveries missed, creates coupons for flows, and ships the
// WordPress companion plugin (directory plugin/) that adds the tracker, the
// push service worker and the cart webhook WooCommerce core lacks.
//
// # Deliveries
//
// WooCommerce signs each delivery with base64(HMAC-SHA256(secret, body))
// in X-WC-Webhook-Signature (VerifyWebhook), pings the delivery URL once with
// the unsigned form body "webhook_id=N" when a webhook is created (IsPing),
// and never retries a failed delivery: the caller must answer quickly and
// reconcile with Client.List. The body of a resource delivery is the REST
// representation of the record (GET /wc/v3/{resource}s/{id}); Decode turns it
// into a commerce.Change. Deleted events carry only {"id": N}.
//
// WooCommerce's Delivery-ID is a hash of the webhook id and the current
// second, so it cannot de-duplicate, and neither can the record's
// date_modified_gmt (two status changes in one second share it). The server
// de-duplicates on the topic and the SHA-256 of the body (DedupKey), and
// orders apply by commerce.Order.Supersedes: a newer modification time, or
// the same time and a stage not behind the stored one.
//
// # The cart.updated topic
//
// WooCommerce core has no cart webhook, so the plugin posts one itself, to the
// same delivery URL, signed the same way, with X-WC-Webhook-Topic:
// cart.updated. Its body is this JSON object (all money as decimal strings in
// the currency's ISO 4217 minor-unit precision, never JSON numbers):
//
//	{
//	  "token":       "3f1c…",                 // the plugin's cart token: random, stable for one cart's life, new after an order
//	  "visitor_id":  "123456789",              // the tracker's cw_vid cookie, "" when absent
//	  "customer_id": 12,                       // WordPress user id, 0 for a guest
//	  "email":       "jo@example.com",         // "" until the shopper is known
//	  "currency":    "EUR",
//	  "items": [{"product_id": 93, "variation_id": 0, "quantity": 2, "price": "3.00", "tax": "0.69",
//	             "name": "Woo Single #1", "sku": "", "url": "https://…", "image_url": "https://…"}],
//	  "prices_include_tax": true,              // optional: the shop shows prices with tax
//	  "subtotal":    "6.00",
//	  "total":       "6.00",
//	  "recovery_url": "https://shop.example/?cartwheel_cart=3f1c….9a0b…", // restores the cart; see below
//	  "created_at":  "2024-05-01T10:00:00Z",   // optional, defaults to updated_at
//	  "updated_at":  "2024-05-01T10:02:31.250Z"
//	}
//
// An item's price is its unit price before discounts and without tax
// (line_subtotal / quantity); "tax" (optional) is that unit's tax
// (line_subtotal_tax / quantity). When "prices_include_tax" is true the
// shopper saw price + tax, and that is what LineItem.PriceMinor holds, with
// LineItem.TaxMinor the line's tax; without "tax", price is taken as shown.
//
// A cart without an email decodes to commerce.ChangeCart, one with an email
// to commerce.ChangeCheckout; ExternalID is the token. The plugin also stores
// the token in the order meta "_cartwheel_cart_token", which becomes
// Order.CheckoutToken, so the server can tell a cart that converted from one
// that was abandoned. testdata/cart_updated.json is the reference sample.
//
// The recovery URL is the plugin's own signed link (as Shopify's
// abandoned_checkout_url is Shopify's): cartwheel_cart={token}.{signature},
// the signature being the first 128 bits, in hex, of
// HMAC-SHA256(webhook secret, "cartwheel-cart-recovery:"+token). The plugin
// keeps the cart's contents under the token, so the link restores the latest
// cart on any device; it is stable for the cart's life. Cartwheel only
// carries it (Checkout.RecoveryURL → the messages' .Links.Recovery). Before a
// webhook secret is set, the plugin sends the plain cart page instead.
//
// # REST
//
// Client authenticates with the store's consumer key and secret as HTTP Basic
// credentials. WooCommerce accepts Basic only over HTTPS; a store served over
// plain HTTP demands OAuth 1.0a signatures, which this client does not do, so
// such stores must be moved to HTTPS first.
package woocommerce
