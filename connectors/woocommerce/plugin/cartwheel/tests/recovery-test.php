<?php
/**
 * Cart recovery links: a cart posted on one device is restored from its
 * signed link on another (fresh session, empty cart); a tampered, foreign,
 * expired or bought cart's link restores nothing. Prints the posted
 * cart.updated body for TestPluginCartRecovery to decode.
 *
 * @package Cartwheel
 */

// phpcs:disable

require __DIR__ . '/bootstrap.php';

$GLOBALS['cw']['products'] = array(
	93 => new WC_Product( 93, 'Woo Single #1', '3.00' ),
	22 => new WC_Product( 22, 'Ship Your Idea', '12.00' ),
	23 => new WC_Product( 23, 'Ship Your Idea - Black', '12.00', 22 ),
);

/** Lines as [product, variation, quantity, attributes]. */
function cw_lines() {
	$out = array();
	foreach ( WC()->cart->get_cart() as $l ) {
		$out[] = array( $l['product_id'], $l['variation_id'], $l['quantity'], $l['variation'] );
	}
	return $out;
}

// Device A: a guest fills a cart; at the end of the request it is posted.
$a = cw_new_wc();
$a->cart->add_to_cart( 93, 2 );
$a->cart->add_to_cart( 22, 1, 23, array( 'attribute_pa_color' => 'black' ) );
$a->cart->apply_coupon( 'save10' );
do_action( 'shutdown' );
$posted = $GLOBALS['cw']['posts'][0] ?? null;
check( null !== $posted, 'the cart was not posted' );
$body  = json_decode( $posted[1]['body'] ?? '{}', true );
$url   = $body['recovery_url'] ?? '';
$query = array();
parse_str( (string) parse_url( $url, PHP_URL_QUERY ), $query );
$token = $query['cartwheel_cart'] ?? '';
check( 0 === strpos( $url, 'https://shop.example/?cartwheel_cart=' ), 'recovery_url is not a recovery link: ' . $url );
check( $body['token'] . '.' === substr( $token, 0, strlen( $body['token'] ) + 1 ), 'the link does not name the cart' );
$cart_a = cw_lines();

// A second change on device A keeps the same link, and the saved cart follows it.
$a->cart->add_to_cart( 93, 1 );
$GLOBALS['cw']['posts'] = array();
do_action( 'shutdown' );
$body2 = json_decode( $GLOBALS['cw']['posts'][0][1]['body'] ?? '{}', true );
check( ( $body2['recovery_url'] ?? '' ) === $url, 'the link changed with the cart: ' . ( $body2['recovery_url'] ?? '' ) );
$cart_a = cw_lines();

// Device B: no session, empty cart; the link restores the latest cart.
$b                     = cw_new_wc();
$GLOBALS['cw']['user'] = 0;
$redirect              = cartwheel_restore_cart( $token );
check( 'https://shop.example/cart/' === $redirect, 'restore redirects to ' . $redirect );
check( cw_lines() == $cart_a, 'restored cart ' . json_encode( cw_lines() ) . ', want ' . json_encode( $cart_a ) );
check( array( 'save10' ) === $b->cart->get_applied_coupons(), 'coupons not restored: ' . json_encode( $b->cart->get_applied_coupons() ) );
check( $body['token'] === $b->session->get( 'cartwheel_cart_token' ), 'the restored cart has a new cart token, so its order would not close the cart' );
// At the end of B's request the restored cart is reported under its own token.
$GLOBALS['cw']['posts'] = array();
do_action( 'shutdown' );
$body_b = json_decode( $GLOBALS['cw']['posts'][0][1]['body'] ?? '{}', true );
check( ( $body_b['token'] ?? '' ) === $body['token'], 'device B reports another cart: ' . json_encode( $body_b ) );

// The message's campaign tags survive the redirect.
$tagged = cartwheel_recovery_target( $redirect, array( 'cartwheel_cart' => $token, 'utm_source' => 'cartwheel', 'utm_campaign' => 'cart & more', 'x[]' => array( 'y' ) ) );
check( 'https://shop.example/cart/?utm_source=cartwheel&utm_campaign=cart%20%26%20more' === $tagged, 'redirect with tags: ' . $tagged );

// Refused tokens leave a shopper's own cart alone.
$refused = array(
	'tampered signature' => substr( $token, 0, -1 ) . ( '0' === substr( $token, -1 ) ? '1' : '0' ),
	'other cart'         => str_repeat( 'a', 32 ) . substr( $token, strpos( $token, '.' ) ),
	'other secret'       => cartwheel_recovery_token( $body['token'], 'AnotherSecret1234' ),
	'no signature'       => $body['token'],
	'not a string'       => array( $token ),
);
foreach ( $refused as $what => $bad ) {
	$c = cw_new_wc();
	$c->cart->add_to_cart( 22, 3, 23, array() );
	$own                       = cw_lines();
	$GLOBALS['cw']['notices']  = array();
	$redirect                  = cartwheel_restore_cart( $bad );
	check( cw_lines() == $own, "$what: the cart changed to " . json_encode( cw_lines() ) );
	check( null === $c->session->get( 'cartwheel_cart_token' ), "$what: the session took the cart token" );
	check( 'https://shop.example/cart/' === $redirect && ! empty( $GLOBALS['cw']['notices'] ), "$what: no notice and cart page" );
}

// Expired: 31 days after the last change the link restores nothing.
$GLOBALS['cw']['now'] += 31 * DAY_IN_SECONDS;
$d = cw_new_wc();
cartwheel_restore_cart( $token );
check( $d->cart->is_empty(), 'an expired link restored the cart' );
$GLOBALS['cw']['now'] -= 31 * DAY_IN_SECONDS;

// Bought: once device B's order is placed, the link restores nothing.
$GLOBALS['cw']['wc'] = $b;
do_action( 'woocommerce_checkout_order_processed', 1 );
$e = cw_new_wc();
cartwheel_restore_cart( $token );
check( $e->cart->is_empty(), 'a bought cart\'s link restored it' );

cw_report(
	array(
		'body'      => $posted[1]['body'] ?? '',
		'signature' => $posted[1]['headers']['X-WC-Webhook-Signature'] ?? '',
		'token'     => $token,
	)
);
