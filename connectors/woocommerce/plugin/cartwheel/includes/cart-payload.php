<?php
/**
 * The cart.updated delivery body and its signature. Pure PHP (no WordPress),
 * so the Go tests can run it against the Go decoder; the WordPress side that
 * gathers a live cart is in cart-sync.php.
 *
 * Body (the Go package doc of connectors/woocommerce is the reference):
 * {"token", "visitor_id", "customer_id", "email", "currency",
 *  "items": [{"product_id", "variation_id", "quantity", "price", "tax", "name", "sku", "url", "image_url"}],
 *  "subtotal", "total", "recovery_url", "created_at", "updated_at", "prices_include_tax"}
 * with money as decimal strings in the currency's precision and times as
 * ISO 8601 UTC ("2024-05-01T10:02:31.250Z").
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/**
 * Formats a Unix time (seconds, with a fraction) as ISO 8601 UTC with
 * milliseconds: two updates in the same second stay ordered.
 *
 * @param float $unix Seconds since the epoch.
 * @return string
 */
function cartwheel_iso_time( $unix ) {
	$secs = (int) floor( $unix );
	$ms   = (int) floor( ( $unix - $secs ) * 1000 );
	return gmdate( 'Y-m-d\TH:i:s', $secs ) . sprintf( '.%03dZ', min( 999, max( 0, $ms ) ) );
}

/**
 * Normalises a gathered cart into the cart.updated body.
 *
 * @param array $cart {
 *     @type string       $token        Cart token.
 *     @type string       $visitor_id   The cw_vid cookie.
 *     @type int          $customer_id  WordPress user id, 0 for a guest.
 *     @type string       $email        Shopper's email, '' when unknown.
 *     @type string       $currency     ISO 4217 code.
 *     @type array        $items        Lines: product_id, variation_id, quantity, price (unit, net, any numeric), tax (unit, optional), name, sku, url, image_url.
 *     @type float|string $subtotal     Items before discounts.
 *     @type float|string $total        What the shopper would pay.
 *     @type string       $recovery_url Where the shopper finds the cart.
 *     @type float        $created_at   Unix time the cart started.
 *     @type float        $updated_at   Unix time of this snapshot.
 *     @type bool         $prices_include_tax Optional: the shop shows prices with tax.
 * }
 * @return array
 */
function cartwheel_cart_payload( array $cart ) {
	$currency = strtoupper( (string) ( isset( $cart['currency'] ) ? $cart['currency'] : '' ) );
	$digits   = cartwheel_minor_digits( $currency );
	$items    = array();
	foreach ( isset( $cart['items'] ) ? (array) $cart['items'] : array() as $line ) {
		$quantity = isset( $line['quantity'] ) ? (int) $line['quantity'] : 0;
		if ( $quantity <= 0 || empty( $line['product_id'] ) ) {
			continue;
		}
		$item = array(
			'product_id'   => (int) $line['product_id'],
			'variation_id' => isset( $line['variation_id'] ) ? (int) $line['variation_id'] : 0,
			'quantity'     => $quantity,
			'price'        => cartwheel_format_decimal( isset( $line['price'] ) ? $line['price'] : 0, $digits ),
			'name'         => isset( $line['name'] ) ? (string) $line['name'] : '',
			'sku'          => isset( $line['sku'] ) ? (string) $line['sku'] : '',
			'url'          => isset( $line['url'] ) ? (string) $line['url'] : '',
			'image_url'    => isset( $line['image_url'] ) ? (string) $line['image_url'] : '',
		);
		if ( isset( $line['tax'] ) ) {
			// The unit's tax: with prices_include_tax, Cartwheel shows
			// price + tax, as the shop does.
			$item['tax'] = cartwheel_format_decimal( $line['tax'], $digits );
		}
		$items[] = $item;
	}
	$updated = isset( $cart['updated_at'] ) ? (float) $cart['updated_at'] : microtime( true );
	$created = ! empty( $cart['created_at'] ) ? (float) $cart['created_at'] : $updated;
	$body = array(
		'token'        => (string) $cart['token'],
		'visitor_id'   => isset( $cart['visitor_id'] ) ? (string) $cart['visitor_id'] : '',
		'customer_id'  => isset( $cart['customer_id'] ) ? (int) $cart['customer_id'] : 0,
		'email'        => isset( $cart['email'] ) ? (string) $cart['email'] : '',
		'currency'     => $currency,
		'items'        => $items,
		'subtotal'     => cartwheel_format_decimal( isset( $cart['subtotal'] ) ? $cart['subtotal'] : 0, $digits ),
		'total'        => cartwheel_format_decimal( isset( $cart['total'] ) ? $cart['total'] : 0, $digits ),
		'recovery_url' => isset( $cart['recovery_url'] ) ? (string) $cart['recovery_url'] : '',
		'created_at'   => cartwheel_iso_time( $created ),
		'updated_at'   => cartwheel_iso_time( $updated ),
	);
	if ( isset( $cart['prices_include_tax'] ) ) {
		$body['prices_include_tax'] = (bool) $cart['prices_include_tax'];
	}
	return $body;
}

/**
 * The cart.updated body as sent: JSON, signed byte for byte as it is.
 *
 * @param array $cart See cartwheel_cart_payload().
 * @return string
 */
function cartwheel_cart_payload_json( array $cart ) {
	$json = json_encode( cartwheel_cart_payload( $cart ), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode -- runs outside WordPress in tests; the flags are what wp_json_encode would need anyway.
	return false === $json ? '' : $json;
}

/**
 * The X-WC-Webhook-Signature of a body: base64(HMAC-SHA256), exactly as
 * WC_Webhook::generate_signature() computes it.
 *
 * @param string $body   The exact bytes sent.
 * @param string $secret The shared secret.
 * @return string
 */
function cartwheel_sign( $body, $secret ) {
	return base64_encode( hash_hmac( 'sha256', $body, $secret, true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the webhook signature format.
}
