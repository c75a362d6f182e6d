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

/** Transient set for a minute after a failed fetch: its value is the source URL. */
const CARTWHEEL_SW_FAILED = 'cartwheel_sw_failed';

/** Option (not autoloaded) keeping the last script fetched, served while Cartwheel is down. */
const CARTWHEEL_SW_LAST = 'cartwheel_sw_last';

/** How long a failed fetch is remembered, in seconds. */
const CARTWHEEL_SW_FAILURE_TTL = 60;

/** Timeout of the fetch, in seconds: a shopper's request waits for it. */
const CARTWHEEL_SW_TIMEOUT = 2;

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
	$res = cartwheel_service_worker_response();
	status_header( $res['status'] );
	foreach ( $res['headers'] as $name => $value ) {
		header( $name . ': ' . $value );
	}
	echo $res['body']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the script of the Cartwheel server the admin configured, relayed as is.
	exit;
}

/**
 * What /cartwheel-sw.js answers.
 *
 * While Cartwheel cannot be reached, a failed fetch is remembered for a
 * minute so that requests do not each hold a PHP worker for the timeout;
 * meanwhile the last script fetched is served if there is one (with
 * no-cache, so browsers pick up the real one soon), else a 503 the browser
 * treats as a failed update, keeping the worker it already has.
 *
 * @return array{status: int, headers: array, body: string}
 */
function cartwheel_service_worker_response() {
	$js = cartwheel_service_worker_script();
	if ( is_string( $js ) ) {
		return array(
			'status'  => 200,
			'headers' => array(
				'Content-Type'           => 'application/javascript; charset=utf-8',
				'Service-Worker-Allowed' => '/',
				'Cache-Control'          => 'public, max-age=3600',
				'X-Content-Type-Options' => 'nosniff',
			),
			'body'    => $js,
		);
	}
	if ( ! cartwheel_setting( 'enable_push' ) || '' === cartwheel_base_url() ) {
		return array(
			'status'  => 404,
			'headers' => array(
				'Content-Type'  => 'text/plain; charset=utf-8',
				'Cache-Control' => 'no-store',
			),
			'body'    => '/* Cartwheel web push is off */',
		);
	}
	$last = get_option( CARTWHEEL_SW_LAST );
	if ( is_array( $last ) && isset( $last['url'], $last['js'] ) && cartwheel_base_url() . '/sw.js' === $last['url'] ) {
		return array(
			'status'  => 200,
			'headers' => array(
				'Content-Type'           => 'application/javascript; charset=utf-8',
				'Service-Worker-Allowed' => '/',
				'Cache-Control'          => 'no-cache',
				'X-Content-Type-Options' => 'nosniff',
			),
			'body'    => (string) $last['js'],
		);
	}
	return array(
		'status'  => 503,
		'headers' => array(
			'Content-Type'  => 'text/plain; charset=utf-8',
			'Cache-Control' => 'no-store',
			'Retry-After'   => (string) CARTWHEEL_SW_FAILURE_TTL,
		),
		'body'    => '/* Cartwheel service worker unavailable */',
	);
}

/**
 * The worker script, from the transient or fetched from Cartwheel.
 *
 * @return string|null null when push is off or Cartwheel cannot be reached
 *                     (now, or at a fetch less than a minute ago).
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
	if ( get_transient( CARTWHEEL_SW_FAILED ) === $source ) {
		return null;
	}
	// wp_remote_get, not wp_safe_remote_get: the URL is the admin's own
	// setting, and a Cartwheel on the same host is a normal set-up.
	$response = wp_remote_get(
		$source,
		array(
			'timeout'     => CARTWHEEL_SW_TIMEOUT,
			'redirection' => 2,
		)
	);
	$js = ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) ? '' : (string) wp_remote_retrieve_body( $response );
	if ( '' === $js ) {
		set_transient( CARTWHEEL_SW_FAILED, $source, CARTWHEEL_SW_FAILURE_TTL );
		return null;
	}
	$copy = array(
		'url' => $source,
		'js'  => $js,
	);
	set_transient( CARTWHEEL_SW_TRANSIENT, $copy, HOUR_IN_SECONDS );
	if ( get_option( CARTWHEEL_SW_LAST ) !== $copy ) {
		update_option( CARTWHEEL_SW_LAST, $copy, false );
	}
	return $js;
}
