<?php
/**
 * Money as Cartwheel wants it: exact decimal strings in the currency's
 * ISO 4217 precision, and integer minor units. Pure PHP (no WordPress), so
 * the Go tests can run it.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/**
 * Decimals of a currency's minor unit; mirrors commerce.MinorDigits in Go.
 * The store's "number of decimals" setting is a display choice and is not
 * used: a USD store showing whole dollars still counts in cents.
 *
 * @param string $currency ISO 4217 code.
 * @return int
 */
function cartwheel_minor_digits( $currency ) {
	$currency = strtoupper( (string) $currency );
	if ( in_array( $currency, array( 'JPY', 'KRW', 'HUF', 'CLP', 'ISK', 'VND', 'XAF', 'XOF', 'UGX', 'PYG' ), true ) ) {
		return 0;
	}
	if ( in_array( $currency, array( 'BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD' ), true ) ) {
		return 3;
	}
	return 2;
}

/**
 * Formats an amount as a decimal string with exactly $digits decimals,
 * rounding half away from zero.
 *
 * Numeric strings (how WooCommerce stores prices: "21.99") are rounded on
 * their digits, never through a float. Floats (what cart totals and
 * wc_get_price_to_display() return) go through number_format(): a price
 * below 10^13 is held by a double to far better than half a minor unit, so
 * rounding it to the currency's decimals gives the exact intended amount.
 *
 * @param mixed $amount Int, float or numeric string.
 * @param int   $digits Decimals wanted.
 * @return string e.g. "12.50"; "0.00" for anything non-numeric.
 */
function cartwheel_format_decimal( $amount, $digits ) {
	$digits = max( 0, (int) $digits );
	if ( is_string( $amount ) ) {
		$amount = trim( $amount );
		if ( preg_match( '/^[+-]?(\d+(\.\d*)?|\.\d+)$/', $amount ) ) {
			return cartwheel_round_decimal_string( $amount, $digits );
		}
		$amount = is_numeric( $amount ) ? (float) $amount : 0.0; // exponent forms.
	}
	if ( is_int( $amount ) ) {
		return cartwheel_round_decimal_string( (string) $amount, $digits );
	}
	if ( ! is_float( $amount ) || is_nan( $amount ) || is_infinite( $amount ) ) {
		return cartwheel_round_decimal_string( '0', $digits );
	}
	$text = number_format( $amount, $digits, '.', '' );
	return '-' === $text[0] && '' === trim( substr( $text, 1 ), '0.' ) ? substr( $text, 1 ) : $text;
}

/**
 * Rounds a plain decimal string to $digits decimals, half away from zero.
 *
 * @param string $s      e.g. "-3.3333".
 * @param int    $digits Decimals wanted.
 * @return string
 */
function cartwheel_round_decimal_string( $s, $digits ) {
	$neg = '-' === $s[0];
	$s   = ltrim( $s, '+-' );
	$dot = strpos( $s, '.' );
	if ( false === $dot ) {
		$whole = $s;
		$frac  = '';
	} else {
		$whole = substr( $s, 0, $dot );
		$frac  = substr( $s, $dot + 1 );
	}
	$frac   = str_pad( $frac, $digits + 1, '0' );
	$minor  = ltrim( $whole . substr( $frac, 0, $digits ), '0' );
	$minor  = '' === $minor ? '0' : $minor;
	if ( (int) $frac[ $digits ] >= 5 ) {
		$minor = cartwheel_increment_digits( $minor );
	}
	if ( $digits > 0 ) {
		$minor = str_pad( $minor, $digits + 1, '0', STR_PAD_LEFT );
		$out   = substr( $minor, 0, -$digits ) . '.' . substr( $minor, -$digits );
	} else {
		$out = $minor;
	}
	return ( $neg && '' !== trim( $out, '0.' ) ) ? '-' . $out : $out;
}

/**
 * Adds one to a string of decimal digits.
 *
 * @param string $digits e.g. "199".
 * @return string e.g. "200".
 */
function cartwheel_increment_digits( $digits ) {
	for ( $i = strlen( $digits ) - 1; $i >= 0; $i-- ) {
		if ( '9' !== $digits[ $i ] ) {
			$digits[ $i ] = (string) ( (int) $digits[ $i ] + 1 );
			return $digits;
		}
		$digits[ $i ] = '0';
	}
	return '1' . $digits;
}

/**
 * Converts an amount to integer minor units of $currency (the page
 * context's price_minor).
 *
 * @param mixed  $amount   Int, float or numeric string.
 * @param string $currency ISO 4217 code.
 * @return int
 */
function cartwheel_to_minor( $amount, $currency ) {
	return (int) str_replace( '.', '', cartwheel_format_decimal( $amount, cartwheel_minor_digits( $currency ) ) );
}
