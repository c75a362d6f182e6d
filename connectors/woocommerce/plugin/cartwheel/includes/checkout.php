<?php
/**
 * Checkout: ties each order to the visitor and the cart it came from. The
 * email-consent box is in consent.php.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Order and customer meta read by the Go decoder: "yes" or "no". */
const CARTWHEEL_META_EMAIL_CONSENT = '_cartwheel_email_consent';

/** Order and customer meta: when the answer was given, ISO 8601 UTC (2026-12-04T10:00:00Z). */
const CARTWHEEL_META_EMAIL_CONSENT_AT = '_cartwheel_email_consent_at';

// Classic checkout, then the Checkout block (Store API). Both run before the
// order is saved, so the meta goes out with the first order.created.
add_action( 'woocommerce_checkout_create_order', 'cartwheel_tag_order', 10, 1 );
add_action( 'woocommerce_store_api_checkout_update_order_meta', 'cartwheel_tag_order', 10, 1 );

/**
 * Stores the visitor id and cart token on the order.
 *
 * @param WC_Order $order The order being placed.
 */
function cartwheel_tag_order( $order ) {
	if ( ! $order instanceof WC_Order ) {
		return;
	}
	$visitor = cartwheel_visitor_id();
	if ( '' !== $visitor ) {
		$order->update_meta_data( CARTWHEEL_META_VISITOR, $visitor );
	}
	$token = cartwheel_cart_token( false );
	if ( '' !== $token ) {
		$order->update_meta_data( CARTWHEEL_META_CART_TOKEN, $token );
	}
}
