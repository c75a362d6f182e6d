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
