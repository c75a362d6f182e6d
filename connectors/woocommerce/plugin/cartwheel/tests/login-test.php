<?php
/**
 * Run by the Go test TestPluginLoginStatement (connectors/woocommerce):
 * renders the page context of a logged-in customer with the plugin's own
 * code, WordPress replaced by the few stubs below, and prints it as JSON
 * for the Go side to check (no email; a login statement Go verifies).
 *
 * Usage: php login-test.php SECRET SHOP_ID VISITOR_ID
 *
 * @package Cartwheel
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

define( 'ABSPATH', __DIR__ . '/' );

$cartwheel_test_settings = array(
	'webhook_secret' => isset( $argv[1] ) ? $argv[1] : '',
	'shop_id'        => isset( $argv[2] ) ? $argv[2] : '',
);
if ( isset( $argv[3] ) && '' !== $argv[3] ) {
	$_COOKIE['cw_vid'] = $argv[3];
}

// phpcs:disable -- WordPress stubs.
function add_action() {}
function is_front_page() { return true; }
function is_search() { return false; }
function is_user_logged_in() { return true; }
function wp_get_current_user() { return (object) array( 'ID' => 42, 'user_email' => 'carol@example.com' ); }
function wp_unslash( $v ) { return $v; }
function sanitize_text_field( $v ) { return trim( (string) $v ); }
function absint( $v ) { return abs( (int) $v ); }
function cartwheel_setting( $k ) { global $cartwheel_test_settings; return isset( $cartwheel_test_settings[ $k ] ) ? $cartwheel_test_settings[ $k ] : ''; }
// phpcs:enable

require __DIR__ . '/../includes/identity.php';
require __DIR__ . '/../includes/tracker.php';

echo json_encode( cartwheel_page_context() );
