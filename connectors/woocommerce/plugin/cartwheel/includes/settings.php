<?php
/**
 * The plugin's settings: one option array, read through cartwheel_setting().
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Name of the option holding every setting. */
const CARTWHEEL_OPTION = 'cartwheel_settings';

/**
 * Default settings.
 *
 * @return array
 */
function cartwheel_default_settings() {
	return array(
		'url'             => '',   // Cartwheel server base URL, e.g. https://cw.example.com.
		'site_key'        => '',   // The workspace's public site key.
		'shop_id'         => '',   // This shop's id in Cartwheel.
		'webhook_secret'  => '',   // Shared secret of the webhooks, [A-Za-z0-9].
		'enable_push'     => false, // Serve the push service worker.
		'require_consent' => false, // The tracker waits for tracking consent.
		'consent_field'   => false, // Show the email opt-in checkbox.
	);
}

/**
 * Returns one setting.
 *
 * @param string $key Setting name.
 * @return mixed
 */
function cartwheel_setting( $key ) {
	$settings = wp_parse_args( (array) get_option( CARTWHEEL_OPTION, array() ), cartwheel_default_settings() );
	return isset( $settings[ $key ] ) ? $settings[ $key ] : null;
}

/**
 * The Cartwheel base URL without a trailing slash, '' when unset.
 *
 * @return string
 */
function cartwheel_base_url() {
	return untrailingslashit( (string) cartwheel_setting( 'url' ) );
}

/**
 * Where WooCommerce and the plugin deliver webhooks for this shop.
 *
 * @return string '' until the URL and shop id are set.
 */
function cartwheel_delivery_url() {
	$base = cartwheel_base_url();
	$shop = (string) cartwheel_setting( 'shop_id' );
	if ( '' === $base || '' === $shop ) {
		return '';
	}
	return $base . '/webhooks/woocommerce/' . rawurlencode( $shop );
}

/**
 * Whether everything the webhooks need is configured.
 *
 * @return bool
 */
function cartwheel_webhooks_configured() {
	return '' !== cartwheel_delivery_url() && '' !== (string) cartwheel_setting( 'webhook_secret' );
}

/**
 * Sanitises the settings form. Invalid values keep the stored ones and say
 * why, rather than saving something that silently breaks deliveries.
 *
 * @param mixed $input Submitted values.
 * @return array
 */
function cartwheel_sanitize_settings( $input ) {
	$old   = wp_parse_args( (array) get_option( CARTWHEEL_OPTION, array() ), cartwheel_default_settings() );
	$input = is_array( $input ) ? $input : array();
	$out   = $old;

	$url = isset( $input['url'] ) ? esc_url_raw( trim( wp_unslash( $input['url'] ) ), array( 'https', 'http' ) ) : '';
	if ( '' !== $url && 0 !== strpos( $url, 'https://' ) && ! preg_match( '#^http://(localhost|127\.0\.0\.1)(:\d+)?(/|$)#', $url ) ) {
		add_settings_error( CARTWHEEL_OPTION, 'cartwheel_url', __( 'The Cartwheel URL must use https://.', 'cartwheel' ) );
	} else {
		$out['url'] = untrailingslashit( $url );
	}

	$out['site_key'] = isset( $input['site_key'] ) ? sanitize_text_field( wp_unslash( $input['site_key'] ) ) : '';
	$out['shop_id']  = isset( $input['shop_id'] ) ? sanitize_text_field( wp_unslash( $input['shop_id'] ) ) : '';

	// An empty secret field means "unchanged": the stored secret is never
	// printed back into the page.
	$secret = isset( $input['webhook_secret'] ) ? trim( (string) wp_unslash( $input['webhook_secret'] ) ) : '';
	if ( '' !== $secret ) {
		// WooCommerce HTML-decodes secrets before signing; only [A-Za-z0-9]
		// is the same on both sides.
		if ( preg_match( '/^[A-Za-z0-9]{16,128}$/', $secret ) ) {
			$out['webhook_secret'] = $secret;
		} else {
			add_settings_error( CARTWHEEL_OPTION, 'cartwheel_secret', __( 'The webhook secret must be 16 to 128 letters and digits.', 'cartwheel' ) );
		}
	}

	foreach ( array( 'enable_push', 'require_consent', 'consent_field' ) as $flag ) {
		$out[ $flag ] = ! empty( $input[ $flag ] );
	}
	return $out;
}
