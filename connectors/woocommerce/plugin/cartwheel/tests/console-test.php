<?php
/**
 * Run by the Go test TestPluginConsoleLink (connectors/woocommerce): prints
 * the console link the plugin's own code makes for a user, WordPress
 * replaced by the few stubs below.
 *
 * Usage: php console-test.php BASE_URL SHOP_ID SECRET USER_ID NAME NOW NONCE
 *
 * @package Cartwheel
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

define( 'ABSPATH', __DIR__ . '/' );

$cartwheel_test_settings = array(
	'url'            => $argv[1],
	'shop_id'        => $argv[2],
	'webhook_secret' => $argv[3],
);

// phpcs:disable -- WordPress stubs.
function add_action() {}
function sanitize_text_field( $v ) { return trim( preg_replace( '/[\r\n\t ]+/', ' ', strip_tags( (string) $v ) ) ); }
function absint( $v ) { return abs( (int) $v ); }
function cartwheel_setting( $k ) { global $cartwheel_test_settings; return isset( $cartwheel_test_settings[ $k ] ) ? $cartwheel_test_settings[ $k ] : ''; }
// phpcs:enable

require __DIR__ . '/../includes/console.php';

echo cartwheel_console_url( (int) $argv[4], $argv[5], (int) $argv[6], $argv[7] );
