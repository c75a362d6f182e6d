<?php
/**
 * Who is shopping: the tracker's visitor id and the plugin's cart token.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Order meta: the cw_vid cookie at checkout (read by the Go decoder). */
const CARTWHEEL_META_VISITOR = '_cartwheel_visitor';

/** Order meta: the cart token at checkout, tying the order to its cart. */
const CARTWHEEL_META_CART_TOKEN = '_cartwheel_cart_token';

/** Session key of the cart token. */
const CARTWHEEL_SESSION_TOKEN = 'cartwheel_cart_token';

/** Session key of the time the cart token was made. */
const CARTWHEEL_SESSION_CREATED = 'cartwheel_cart_created';

/**
 * The tracker's anonymous visitor id (cookie cw_vid), '' when absent or
 * not an id. The tracker writes digits only; anything else is not ours.
 *
 * @return string
 */
function cartwheel_visitor_id() {
	if ( empty( $_COOKIE['cw_vid'] ) || ! is_string( $_COOKIE['cw_vid'] ) ) {
		return '';
	}
	$id = sanitize_text_field( wp_unslash( $_COOKIE['cw_vid'] ) );
	return preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $id ) ? $id : '';
}

/**
 * The shop's signed statement that the logged-in customer is using this
 * browser (woocommerce.Login in Go): "wc1.{shop}.{customer}.{time}.{hmac}",
 * the HMAC-SHA256, keyed with the webhook secret, over
 * "cartwheel-login\n{shop}\n{customer}\n{visitor}\n{time}".
 *
 * It stands in the page for the customer's email, which a page cache
 * could serve to anybody: it is opaque, and it names the browser it was
 * printed for (the tracker's cw_vid cookie), so a cached copy proves
 * nothing on another browser. Cartwheel shows a customer's private data
 * (inbox, codes) only to a browser that proved who it is this way or by a
 * link from a message (docs/tracker.md, "What identification reveals").
 *
 * @param string $secret   The shop's webhook secret.
 * @param string $shop     This shop's id in Cartwheel.
 * @param string $customer The customer's id.
 * @param string $visitor  The browser's visitor id.
 * @param int    $time     Unix time of the statement.
 * @return string
 */
function cartwheel_login_statement( $secret, $shop, $customer, $visitor, $time ) {
	$message = "cartwheel-login\n" . $shop . "\n" . $customer . "\n" . $visitor . "\n" . $time;
	return 'wc1.' . $shop . '.' . $customer . '.' . $time . '.' . hash_hmac( 'sha256', $message, $secret );
}

/**
 * The login statement of the logged-in customer for this browser, '' when
 * nobody is logged in, the browser has no visitor id yet (its first page:
 * the next page has one) or the plugin is not fully configured.
 *
 * @param int $customer_id The logged-in user's id.
 * @return string
 */
function cartwheel_login_proof( $customer_id ) {
	$secret  = (string) cartwheel_setting( 'webhook_secret' );
	$shop    = (string) cartwheel_setting( 'shop_id' );
	$visitor = cartwheel_visitor_id();
	if ( $customer_id <= 0 || '' === $secret || ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $shop ) || '' === $visitor ) {
		return '';
	}
	return cartwheel_login_statement( $secret, $shop, (string) absint( $customer_id ), $visitor, time() );
}

/**
 * The current cart's token: random, made when the cart is first reported,
 * kept in the WooCommerce session for the cart's life and dropped once an
 * order is placed or the cart is emptied. Unlike the cart hash, which
 * changes with every item, it names one cart from first item to order, so
 * Cartwheel sees one abandoned cart, not one per change.
 *
 * @param bool $create Make one when there is none.
 * @return string '' when there is none (or no session).
 */
function cartwheel_cart_token( $create ) {
	if ( ! function_exists( 'WC' ) || ! WC()->session ) {
		return '';
	}
	$token = (string) WC()->session->get( CARTWHEEL_SESSION_TOKEN, '' );
	if ( '' === $token && $create ) {
		try {
			$token = bin2hex( random_bytes( 16 ) );
		} catch ( Exception $e ) {
			$token = wp_generate_password( 32, false );
		}
		WC()->session->set( CARTWHEEL_SESSION_TOKEN, $token );
		WC()->session->set( CARTWHEEL_SESSION_CREATED, microtime( true ) );
	}
	return $token;
}

/**
 * Forgets the cart token, so the next cart gets a new one.
 */
function cartwheel_forget_cart_token() {
	if ( function_exists( 'WC' ) && WC()->session ) {
		WC()->session->set( CARTWHEEL_SESSION_TOKEN, null );
		WC()->session->set( CARTWHEEL_SESSION_CREATED, null );
		WC()->session->set( 'cartwheel_cart_sent', null );
	}
}
