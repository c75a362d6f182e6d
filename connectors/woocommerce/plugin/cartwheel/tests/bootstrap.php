<?php
/**
 * Loads the plugin over the WordPress stand-ins, configured, for the PHP
 * tests the Go tests run (connectors/woocommerce/plugin_test.go).
 *
 * @package Cartwheel
 */

// phpcs:disable

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

require __DIR__ . '/wp-stubs.php';

/** The shop's webhook secret in the tests. */
const CW_TEST_SECRET = 'Zq9Xw2Lr7Pt4Vn8K';

$GLOBALS['cw']['options'][1]['cartwheel_settings'] = array(
	'url'             => 'https://cw.example',
	'site_key'        => 'sk_test',
	'shop_id'         => 'shop1',
	'webhook_secret'  => CW_TEST_SECRET,
	'enable_push'     => true,
	'require_consent' => false,
	'consent_field'   => true,
);

require dirname( __DIR__ ) . '/cartwheel.php';
