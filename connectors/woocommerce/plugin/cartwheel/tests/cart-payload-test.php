<?php
/**
 * Run by the Go test TestPluginCartPayloadDecodes (connectors/woocommerce):
 * builds a cart.updated body with the plugin's own builder from a cart as
 * cartwheel_gather_cart() reads it (floats and numeric strings, as
 * WooCommerce returns them) and prints, as JSON, the body, its signature
 * and the money conversions, for the Go side to check.
 *
 * Usage: php cart-payload-test.php SECRET
 *
 * @package Cartwheel
 */

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

define( 'ABSPATH', __DIR__ . '/' );
require __DIR__ . '/../includes/money.php';
require __DIR__ . '/../includes/cart-payload.php';

$cartwheel_secret = isset( $argv[1] ) ? $argv[1] : 'secret';

// The cart of testdata/cart_updated.json, as WordPress hands it over.
$cartwheel_cart = array(
	'token'        => '9f86d081884c7d659a2feaa0c55ad015',
	'visitor_id'   => '1234567890123456789',
	'customer_id'  => 0,
	'email'        => '',
	'currency'     => 'usd',
	'items'        => array(
		array(
			'product_id'   => 93,
			'variation_id' => 0,
			'quantity'     => 2,
			'price'        => 6.0 / 2, // line_subtotal / quantity.
			'name'         => 'Woo Single #1',
			'sku'          => '',
			'url'          => 'https://example.com/product/woo-single-1/',
			'image_url'    => 'https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg',
		),
		array(
			'product_id'   => '22',
			'variation_id' => '23',
			'quantity'     => '1',
			'price'        => '12', // WC_Product::get_price() is a string.
			'name'         => 'Ship Your Idea &ndash; Color: Black',
			'sku'          => 'Bar3',
			'url'          => 'https://example.com/product/ship-your-idea/?attribute_pa_color=black',
			'image_url'    => '',
		),
		array( // a line WooCommerce is about to drop: not reported.
			'product_id' => 5,
			'quantity'   => 0,
			'price'      => 1,
		),
	),
	'subtotal'     => 18.0,
	'total'        => 0.1 + 0.2 + 19.05, // a float sum, 19.35000000000000142…
	'recovery_url' => 'https://example.com/cart/',
	'created_at'   => 1490210400.0,   // 2017-03-22T19:20:00Z.
	'updated_at'   => 1490210731.25,  // 2017-03-22T19:25:31.250Z.
);

$cartwheel_body = cartwheel_cart_payload_json( $cartwheel_cart );

// A Polish shop that shows prices with 23 % VAT: the unit's net price and
// tax as cartwheel_gather_cart() reads them (line_subtotal / quantity,
// line_subtotal_tax / quantity).
$cartwheel_gross = cartwheel_cart_payload_json(
	array(
		'token'              => 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
		'visitor_id'         => '1234567890123456789',
		'currency'           => 'PLN',
		'items'              => array(
			array(
				'product_id' => 41,
				'quantity'   => 2,
				'price'      => 79.68 / 2,
				'tax'        => 18.32 / 2,
				'name'       => 'Kubek „Poranek”',
			),
		),
		'subtotal'           => 79.68,
		'total'              => 98.0,
		'created_at'         => 1490210400.0,
		'updated_at'         => 1490210731.25,
		'prices_include_tax' => true,
	)
);

$cartwheel_minor = array();
foreach ( array( array( 21.99, 'USD' ), array( '0.285', 'EUR' ), array( 0.1 + 0.2, 'EUR' ), array( '1000', 'JPY' ), array( 1499.5, 'JPY' ), array( '1.2345', 'KWD' ), array( '-2.005', 'USD' ), array( '99999999999.99', 'USD' ), array( 'abc', 'USD' ) ) as $cartwheel_case ) {
	$cartwheel_minor[] = array(
		'amount'   => is_float( $cartwheel_case[0] ) ? var_export( $cartwheel_case[0], true ) : $cartwheel_case[0], // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_var_export
		'currency' => $cartwheel_case[1],
		'decimal'  => cartwheel_format_decimal( $cartwheel_case[0], cartwheel_minor_digits( $cartwheel_case[1] ) ),
		'minor'    => cartwheel_to_minor( $cartwheel_case[0], $cartwheel_case[1] ),
	);
}

$cartwheel_digits = array();
foreach ( array( 'USD', 'EUR', 'JPY', 'KRW', 'HUF', 'CLP', 'ISK', 'VND', 'XAF', 'XOF', 'UGX', 'PYG', 'BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD', 'GBP', 'CHF', 'PLN' ) as $cartwheel_code ) {
	$cartwheel_digits[ $cartwheel_code ] = cartwheel_minor_digits( $cartwheel_code );
}

echo json_encode( // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode
	array(
		'body'      => $cartwheel_body,
		'gross'     => $cartwheel_gross,
		'signature' => cartwheel_sign( $cartwheel_body, $cartwheel_secret ),
		'minor'     => $cartwheel_minor,
		'digits'    => $cartwheel_digits,
	),
	JSON_UNESCAPED_SLASHES
);
