<?php
/**
 * The /cartwheel-sw.js relay against a real Cartwheel stand-in (an HTTP
 * server run by TestPluginServiceWorkerOutage) that hangs on the first
 * request, answers the script on the second and fails afterwards. Prints
 * what each request got and how long it took.
 *
 * Usage: php service-worker-test.php BASE_URL
 *
 * @package Cartwheel
 */

// phpcs:disable

require __DIR__ . '/bootstrap.php';
$GLOBALS['cw']['options'][1]['cartwheel_settings']['url'] = rtrim( $argv[1] ?? '', '/' );

/** One request for /cartwheel-sw.js. */
function cw_sw_request() {
	$fetches = count( $GLOBALS['cw']['http'] );
	$start   = microtime( true );
	$res     = cartwheel_service_worker_response();
	return array(
		'status'  => $res['status'],
		'cache'   => $res['headers']['Cache-Control'] ?? '',
		'retry'   => $res['headers']['Retry-After'] ?? '',
		'body'    => $res['body'],
		'fetched' => count( $GLOBALS['cw']['http'] ) - $fetches,
		'seconds' => round( microtime( true ) - $start, 3 ),
	);
}

$out = array();
$out['down']          = cw_sw_request(); // Cartwheel hangs: the fetch times out.
$out['down_again']    = cw_sw_request(); // within the minute: not fetched.
$GLOBALS['cw']['now'] += 61;
$out['up']            = cw_sw_request(); // fetched and cached for an hour.
$out['cached']        = cw_sw_request();
$GLOBALS['cw']['now'] += HOUR_IN_SECONDS + 1;
$out['failing']       = cw_sw_request(); // fails again: the last script is served.
$out['failing_again'] = cw_sw_request();

// A save of the settings forgets the failure: the admin may have fixed the URL.
do_action( 'update_option_cartwheel_settings', array(), get_option( 'cartwheel_settings' ) );
$out['after_save'] = cw_sw_request();

cw_report( $out );
