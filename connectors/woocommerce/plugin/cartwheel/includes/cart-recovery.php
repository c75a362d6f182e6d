<?php
/**
 * Cart recovery links. The cart.updated deliveries carry
 * {home}/?cartwheel_cart={cart token}.{signature} as recovery_url, which
 * Cartwheel's abandoned-cart messages link to. The cart itself is kept here,
 * server-side, in a transient named after the cart token and refreshed
 * whenever a changed cart is posted, so the link restores the latest cart
 * on any device and after the shopper's session expired, and the URL stays
 * the same for the cart's whole life (the flow's first message and its
 * last one link to the same place).
 *
 * The signature is an HMAC of the cart token with the webhook secret: a
 * link cannot be forged or pointed at another cart. A link whose cart was
 * bought, emptied or has expired (30 days after its last change) restores
 * nothing and just opens the cart page with a notice.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** The query parameter of recovery links. */
const CARTWHEEL_RECOVERY_PARAM = 'cartwheel_cart';

/** Transient name prefix of saved carts; the cart token follows. */
const CARTWHEEL_RECOVERY_PREFIX = 'cartwheel_rc_';

// After WooCommerce loaded the session's cart (wp_loaded, 10) and with its
// own add-to-cart links (wp_loaded, 20).
add_action( 'wp_loaded', 'cartwheel_maybe_restore_cart', 20 );

/**
 * How long a saved cart can be restored after its last change.
 *
 * @return int Seconds.
 */
function cartwheel_recovery_ttl() {
	return (int) apply_filters( 'cartwheel_recovery_ttl', 30 * DAY_IN_SECONDS );
}

/**
 * The signature of a cart token: 128 bits of HMAC-SHA256, hex. The context
 * prefix keeps it from ever equalling a webhook signature made with the
 * same secret.
 *
 * @param string $cart_token The cart token.
 * @param string $secret     The webhook secret.
 * @return string
 */
function cartwheel_recovery_signature( $cart_token, $secret ) {
	return substr( hash_hmac( 'sha256', 'cartwheel-cart-recovery:' . $cart_token, $secret ), 0, 32 );
}

/**
 * The signed token of a cart, as recovery links carry it.
 *
 * @param string $cart_token The cart token.
 * @param string $secret     The webhook secret.
 * @return string
 */
function cartwheel_recovery_token( $cart_token, $secret ) {
	return $cart_token . '.' . cartwheel_recovery_signature( $cart_token, $secret );
}

/**
 * Verifies a signed token.
 *
 * @param mixed  $token  What the link carried.
 * @param string $secret The webhook secret.
 * @return string The cart token, '' when the token is malformed or forged.
 */
function cartwheel_recovery_token_cart( $token, $secret ) {
	if ( ! is_string( $token ) || '' === $secret || ! preg_match( '/^([A-Za-z0-9]{16,64})\.([0-9a-f]{32})$/', $token, $m ) ) {
		return '';
	}
	return hash_equals( cartwheel_recovery_signature( $m[1], $secret ), $m[2] ) ? $m[1] : '';
}

/**
 * The recovery URL of a cart; the plain cart page while no secret is set.
 *
 * @param string $cart_token The cart token.
 * @return string
 */
function cartwheel_recovery_url( $cart_token ) {
	$secret = (string) cartwheel_setting( 'webhook_secret' );
	if ( '' === (string) $cart_token || '' === $secret ) {
		return wc_get_cart_url();
	}
	return add_query_arg( CARTWHEEL_RECOVERY_PARAM, cartwheel_recovery_token( $cart_token, $secret ), home_url( '/' ) );
}

/**
 * Saves what a cart holds, for its recovery link: products, variations
 * with their chosen attributes, quantities and coupons.
 *
 * @param WC_Cart $cart       The cart.
 * @param string  $cart_token Its token.
 */
function cartwheel_save_recovery_cart( $cart, $cart_token ) {
	if ( '' === (string) $cart_token ) {
		return;
	}
	$items = array();
	foreach ( $cart->get_cart() as $line ) {
		$qty = isset( $line['quantity'] ) ? (int) $line['quantity'] : 0;
		if ( $qty <= 0 || empty( $line['product_id'] ) ) {
			continue;
		}
		$item = array(
			'p' => (int) $line['product_id'],
			'v' => isset( $line['variation_id'] ) ? (int) $line['variation_id'] : 0,
			'q' => $qty,
		);
		if ( ! empty( $line['variation'] ) && is_array( $line['variation'] ) ) {
			$item['a'] = array_map( 'strval', $line['variation'] );
		}
		$items[] = $item;
	}
	if ( empty( $items ) ) {
		cartwheel_forget_recovery_cart( $cart_token );
		return;
	}
	set_transient(
		CARTWHEEL_RECOVERY_PREFIX . $cart_token,
		array(
			'items'   => $items,
			'coupons' => array_values( array_map( 'strval', (array) $cart->get_applied_coupons() ) ),
			'created' => function_exists( 'WC' ) && WC()->session ? (float) WC()->session->get( CARTWHEEL_SESSION_CREATED, 0 ) : 0.0,
		),
		cartwheel_recovery_ttl()
	);
}

/**
 * Drops a saved cart: it was bought or emptied.
 *
 * @param string $cart_token The cart token.
 */
function cartwheel_forget_recovery_cart( $cart_token ) {
	if ( '' !== (string) $cart_token ) {
		delete_transient( CARTWHEEL_RECOVERY_PREFIX . $cart_token );
	}
}

/**
 * Answers a recovery link: restores the cart and redirects to the cart page
 * without the token.
 */
function cartwheel_maybe_restore_cart() {
	if ( ! isset( $_GET[ CARTWHEEL_RECOVERY_PARAM ] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the token is signed.
		return;
	}
	$target = cartwheel_restore_cart( wp_unslash( $_GET[ CARTWHEEL_RECOVERY_PARAM ] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended,WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- verified against its HMAC.
	if ( '' === $target ) {
		return;
	}
	$target = cartwheel_recovery_target( $target, wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
	nocache_headers();
	wp_safe_redirect( $target );
	exit;
}

/**
 * Keeps the link's other query arguments (utm_* campaign tags a message
 * added) on the page the shopper is sent to, so the tracker still sees them.
 *
 * @param string $target Where the shopper goes.
 * @param array  $query  The link's query arguments.
 * @return string
 */
function cartwheel_recovery_target( $target, array $query ) {
	$keep = array();
	foreach ( $query as $key => $value ) {
		if ( CARTWHEEL_RECOVERY_PARAM !== $key && is_string( $value ) && preg_match( '/^[A-Za-z0-9_.-]{1,64}$/', (string) $key ) ) {
			$keep[ $key ] = rawurlencode( $value );
		}
	}
	return empty( $keep ) ? $target : add_query_arg( $keep, $target );
}

/**
 * Refills the shopper's cart from a signed token. A forged, malformed or
 * expired token changes nothing. The restored cart keeps its cart token,
 * so its order closes the cart Cartwheel reminded the shopper of.
 *
 * @param mixed $token The token from the link.
 * @return string Where to send the shopper; '' without a WooCommerce cart.
 */
function cartwheel_restore_cart( $token ) {
	if ( ! function_exists( 'WC' ) || ! WC()->cart || ! WC()->session ) {
		return '';
	}
	$cart_token = cartwheel_recovery_token_cart( $token, (string) cartwheel_setting( 'webhook_secret' ) );
	$saved      = '' !== $cart_token ? get_transient( CARTWHEEL_RECOVERY_PREFIX . $cart_token ) : false;
	if ( ! is_array( $saved ) || empty( $saved['items'] ) || ! is_array( $saved['items'] ) ) {
		wc_add_notice( __( 'This cart link has expired or is no longer valid.', 'cartwheel' ), 'notice' );
		return wc_get_cart_url();
	}
	$cart = WC()->cart;
	// The same cart, already here (the link opened twice): leave it as the shopper changed it.
	if ( cartwheel_cart_token( false ) !== $cart_token || $cart->is_empty() ) {
		$cart->empty_cart();
		$missing = 0;
		foreach ( $saved['items'] as $item ) {
			$qty = isset( $item['q'] ) ? min( 9999, max( 0, (int) $item['q'] ) ) : 0;
			$pid = isset( $item['p'] ) ? (int) $item['p'] : 0;
			if ( $qty <= 0 || $pid <= 0 ) {
				continue;
			}
			$attrs = isset( $item['a'] ) && is_array( $item['a'] ) ? $item['a'] : array();
			try {
				$added = $cart->add_to_cart( $pid, $qty, isset( $item['v'] ) ? (int) $item['v'] : 0, $attrs );
			} catch ( Exception $e ) {
				$added = false;
			}
			if ( ! $added ) {
				++$missing;
			}
		}
		foreach ( isset( $saved['coupons'] ) ? (array) $saved['coupons'] : array() as $code ) {
			if ( is_string( $code ) && '' !== $code && ! in_array( $code, $cart->get_applied_coupons(), true ) ) {
				$cart->apply_coupon( $code );
			}
		}
		WC()->session->set( CARTWHEEL_SESSION_TOKEN, $cart_token );
		WC()->session->set( CARTWHEEL_SESSION_CREATED, ! empty( $saved['created'] ) ? (float) $saved['created'] : microtime( true ) );
		if ( $missing > 0 ) {
			wc_add_notice( __( 'Some items of your cart are no longer available.', 'cartwheel' ), 'notice' );
		}
	}
	return (string) apply_filters( 'cartwheel_recovery_redirect', wc_get_cart_url(), $cart_token );
}
