<?php
/**
 * Removes what the plugin stored: its options, its cached service worker
 * and the webhooks it registered. Order and customer meta (visitor ids,
 * cart tokens, consent answers) stay: they belong to the shop's records.
 *
 * @package Cartwheel
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( function_exists( 'wc_get_webhook' ) ) {
	foreach ( (array) get_option( 'cartwheel_webhook_ids', array() ) as $cartwheel_id ) {
		$cartwheel_hook = wc_get_webhook( absint( $cartwheel_id ) );
		if ( $cartwheel_hook ) {
			$cartwheel_hook->delete( true );
		}
	}
}

delete_option( 'cartwheel_settings' );
delete_option( 'cartwheel_webhook_ids' );
delete_transient( 'cartwheel_sw_js' );
