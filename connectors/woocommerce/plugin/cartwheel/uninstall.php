<?php
/**
 * Removes what the plugin stored: its options, its cached service worker,
 * its saved carts and the webhooks it registered, on every site of a
 * network. Order and customer meta (visitor ids, cart tokens, consent
 * answers) stay: they belong to the shop's records.
 *
 * @package Cartwheel
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Deletes the webhooks this plugin registered on the current site. With
 * WooCommerce active it goes through WC_Webhook (which also unschedules
 * their deliveries); without, WooCommerce's data store is not loaded, so
 * the rows are deleted from its table directly, as
 * WC_Webhook_Data_Store::delete() does, and its cached id lists dropped.
 */
function cartwheel_uninstall_webhooks() {
	global $wpdb;
	$ids = array_values( array_filter( array_map( 'absint', (array) get_option( 'cartwheel_webhook_ids', array() ) ) ) );
	if ( empty( $ids ) ) {
		return;
	}
	if ( function_exists( 'wc_get_webhook' ) ) {
		foreach ( $ids as $id ) {
			$hook = wc_get_webhook( $id );
			if ( $hook ) {
				$hook->delete( true );
			}
		}
		return;
	}
	if ( ! isset( $wpdb ) ) {
		return;
	}
	$table = $wpdb->prefix . 'wc_webhooks';
	if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) !== $table ) { // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return;
	}
	foreach ( $ids as $id ) {
		$wpdb->delete( $table, array( 'webhook_id' => $id ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		wp_cache_delete( $id, 'webhooks' );
	}
	foreach ( array( 'woocommerce_webhook_ids', 'woocommerce_webhook_ids_status_active', 'woocommerce_webhook_ids_status_paused', 'woocommerce_webhook_ids_status_disabled' ) as $cached ) {
		delete_transient( $cached );
	}
}

/**
 * Removes the plugin's data from the current site.
 */
function cartwheel_uninstall_site() {
	global $wpdb;
	cartwheel_uninstall_webhooks();
	delete_option( 'cartwheel_settings' );
	delete_option( 'cartwheel_webhook_ids' );
	delete_option( 'cartwheel_sw_last' );
	delete_transient( 'cartwheel_sw_js' );
	delete_transient( 'cartwheel_sw_failed' );
	// The carts recovery links restore (transients cartwheel_rc_{token});
	// with a persistent object cache they expire there by themselves.
	if ( isset( $wpdb ) ) {
		$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->prepare(
				"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
				$wpdb->esc_like( '_transient_cartwheel_rc_' ) . '%',
				$wpdb->esc_like( '_transient_timeout_cartwheel_rc_' ) . '%'
			)
		);
	}
}

if ( is_multisite() ) {
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $cartwheel_site ) {
		switch_to_blog( (int) $cartwheel_site );
		cartwheel_uninstall_site();
		restore_current_blog();
	}
} else {
	cartwheel_uninstall_site();
}
