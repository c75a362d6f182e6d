<?php
/**
 * Settings saves and activation: every save of the settings page
 * re-registers the webhooks (idempotently), even a save that changes
 * nothing; network activation reaches every site. Prints the webhooks.
 *
 * @package Cartwheel
 */

// phpcs:disable

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/wc-webhook-fn.php';

do_action( 'admin_init' );
$GLOBALS['cw']['user'] = 1;

/** What options.php does with the posted settings form. */
function cw_save( array $form ) {
	$GLOBALS['cw']['settings_err'] = array();
	$GLOBALS['cw']['webhook_saves'] = array();
	update_option( 'cartwheel_settings', $form );
	return $GLOBALS['cw']['settings_err'];
}

/** This site's webhooks as topic => [status, url, secret]. */
function cw_hooks() {
	$out = array();
	foreach ( $GLOBALS['cw']['webhooks'][1] ?? array() as $h ) {
		$out[] = array( $h->get_topic(), $h->get_status(), $h->get_delivery_url(), $h->get_secret() );
	}
	return $out;
}

// The form as the page posts it: the secret field empty means "keep it".
$form = array(
	'url'           => 'https://cw.example',
	'site_key'      => 'sk_test',
	'shop_id'       => 'shop1',
	'webhook_secret' => '',
	'enable_push'   => '1',
	'consent_field' => '1',
);

// The settings are already stored (bootstrap): this save changes nothing.
$notes = cw_save( $form );
check( 10 === count( cw_hooks() ), 'an unchanged save registered ' . count( cw_hooks() ) . ' webhooks, want 10' );
check( ! empty( $notes ) && 'success' === end( $notes )[2], 'no notice after the save: ' . json_encode( $notes ) );
$first = cw_hooks();

// WooCommerce disabled one after failed deliveries; someone deleted another.
$ids = (array) get_option( 'cartwheel_webhook_ids', array() );
if ( count( $ids ) > 1 ) {
	$GLOBALS['cw']['webhooks'][1][ $ids[0] ]->set_status( 'disabled' );
	unset( $GLOBALS['cw']['webhooks'][1][ $ids[1] ] );
}
cw_save( $form );
$after = cw_hooks();
sort( $after );
sort( $first );
check( $after == $first, 'the next unchanged save did not restore the webhooks: ' . json_encode( $after ) );
check( 10 === count( array_unique( array_column( cw_hooks(), 0 ) ) ), 'duplicate topics' );

// Nothing to repair: nothing is written.
cw_save( $form );
check( empty( $GLOBALS['cw']['webhook_saves'] ), 'an idempotent save re-saved webhooks ' . json_encode( $GLOBALS['cw']['webhook_saves'] ) );
check( 10 === count( cw_hooks() ), 'webhooks after three saves: ' . count( cw_hooks() ) );

// A changed shop id moves them.
cw_save( array( 'shop_id' => 'shop2' ) + $form );
$moved = cw_hooks();
check( 10 === count( $moved ) && 10 === count( array_filter( $moved, function ( $h ) { return 'https://cw.example/webhooks/woocommerce/shop2' === $h[2]; } ) ), 'webhooks after a changed shop id: ' . json_encode( $moved ) );

// Network activation: every site drops its rewrite rules (rebuilt with
// the worker's rule on its next request); a single site flushes its own.
$GLOBALS['cw']['multisite'] = true;
$GLOBALS['cw']['sites']     = array( 1, 2, 3 );
foreach ( array( 1, 2, 3, 4 ) as $site ) {
	$GLOBALS['cw']['options'][ $site ]['rewrite_rules'] = array( 'old' => 'rules' );
}
call_user_func( $GLOBALS['cw']['activation'], true );
foreach ( array( 1, 2, 3 ) as $site ) {
	check( ! isset( $GLOBALS['cw']['options'][ $site ]['rewrite_rules'] ), "network activation left site $site's rewrite rules" );
}
check( 1 === $GLOBALS['cw']['blog'], 'activation did not return to the current site' );
// A site created later in the network.
$GLOBALS['cw']['network_active'] = true;
do_action( 'wp_initialize_site', (object) array( 'blog_id' => 4 ) );
check( ! isset( $GLOBALS['cw']['options'][4]['rewrite_rules'] ), 'a new site of the network did not get the rewrite rule' );
$GLOBALS['cw']['multisite'] = false;
$GLOBALS['cw']['flushed']   = array();
call_user_func( $GLOBALS['cw']['activation'], false );
check( array( 1 ) === $GLOBALS['cw']['flushed'] && isset( $GLOBALS['cw']['rewrite'][1]['^cartwheel-sw\.js$'] ), 'single-site activation did not flush the worker\'s rule' );

cw_report( array( 'webhooks' => cw_hooks() ) );
