<?php
/**
 * Serves the push service worker from the site root. A service worker only
 * controls pages at or below its own path, and must come from the site's
 * origin, so Cartwheel's sw.js is relayed at /cartwheel-sw.js.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Transient caching the worker script: array( 'url' => source, 'js' => script ). */
const CARTWHEEL_SW_TRANSIENT = 'cartwheel_sw_js';

add_action( 'init', 'cartwheel_add_rewrite_rule' );
add_filter( 'query_vars', 'cartwheel_query_vars' );
add_action( 'parse_request', 'cartwheel_maybe_serve_service_worker' );

/**
 * Maps /cartwheel-sw.js to the plugin.
 */
function cartwheel_add_rewrite_rule() {
	add_rewrite_rule( '^cartwheel-sw\.js$', 'index.php?cartwheel_sw=1', 'top' );
}

/**
 * Registers the query variable of the rewrite rule.
 *
 * @param array $vars Public query variables.
 * @return array
 */
function cartwheel_query_vars( $vars ) {
	$vars[] = 'cartwheel_sw';
	return $vars;
}

/**
 * Answers /cartwheel-sw.js. The request path is checked too, so the worker
 * is served even before rewrite rules were flushed.
 *
 * @param WP $wp The request.
 */
function cartwheel_maybe_serve_service_worker( $wp ) {
	if ( empty( $wp->query_vars['cartwheel_sw'] ) && 'cartwheel-sw.js' !== $wp->request ) {
		return;
	}
	$js = cartwheel_service_worker_script();
	if ( null === $js ) {
		status_header( cartwheel_setting( 'enable_push' ) ? 502 : 404 );
		header( 'Content-Type: text/plain; charset=utf-8' );
		header( 'Cache-Control: no-store' );
		echo '/* Cartwheel service worker unavailable */';
		exit;
	}
	status_header( 200 );
	header( 'Content-Type: application/javascript; charset=utf-8' );
	header( 'Service-Worker-Allowed: /' );
	header( 'Cache-Control: public, max-age=3600' );
	header( 'X-Content-Type-Options: nosniff' );
	echo $js; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the script of the Cartwheel server the admin configured, relayed as is.
	exit;
}

/**
 * The worker script, from the transient or fetched from Cartwheel.
 *
 * @return string|null null when push is off or Cartwheel cannot be reached.
 */
function cartwheel_service_worker_script() {
	$base = cartwheel_base_url();
	if ( ! cartwheel_setting( 'enable_push' ) || '' === $base ) {
		return null;
	}
	$source = $base . '/sw.js';
	$cached = get_transient( CARTWHEEL_SW_TRANSIENT );
	if ( is_array( $cached ) && isset( $cached['url'], $cached['js'] ) && $cached['url'] === $source ) {
		return (string) $cached['js'];
	}
	// wp_remote_get, not wp_safe_remote_get: the URL is the admin's own
	// setting, and a Cartwheel on the same host is a normal set-up.
	$response = wp_remote_get(
		$source,
		array(
			'timeout'     => 5,
			'redirection' => 2,
		)
	);
	if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
		return null;
	}
	$js = (string) wp_remote_retrieve_body( $response );
	if ( '' === $js ) {
		return null;
	}
	set_transient(
		CARTWHEEL_SW_TRANSIENT,
		array(
			'url' => $source,
			'js'  => $js,
		),
		HOUR_IN_SECONDS
	);
	return $js;
}
