<?php
/**
 * Registers WooCommerce's own webhooks towards Cartwheel, as WC_Webhook
 * objects, the same way the admin screen (WooCommerce → Settings →
 * Advanced → Webhooks) would.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Option listing the ids of the webhooks this plugin made. */
const CARTWHEEL_WEBHOOK_IDS = 'cartwheel_webhook_ids';

/**
 * The topics Cartwheel subscribes to; woocommerce.DefaultTopics() in Go.
 *
 * @return string[]
 */
function cartwheel_webhook_topics() {
	return array(
		'order.created',
		'order.updated',
		'order.deleted',
		'order.restored',
		'customer.created',
		'customer.updated',
		'product.created',
		'product.updated',
		'product.deleted',
		'product.restored',
	);
}

/**
 * Creates the missing webhooks, re-activates and re-keys existing ones, and
 * deletes this plugin's webhooks that point at an old URL or shop id.
 *
 * WooCommerce builds each payload with the capabilities of the webhook's
 * user, so this runs as the admin saving the settings.
 *
 * @return array|WP_Error Counts: created, updated, unchanged, deleted.
 */
function cartwheel_register_webhooks() {
	if ( ! class_exists( 'WC_Webhook' ) || ! class_exists( 'WC_Data_Store' ) ) {
		return new WP_Error( 'cartwheel_no_woocommerce', __( 'WooCommerce is not active.', 'cartwheel' ) );
	}
	if ( ! cartwheel_webhooks_configured() ) {
		return new WP_Error( 'cartwheel_incomplete', __( 'Set the Cartwheel URL, shop id and webhook secret first.', 'cartwheel' ) );
	}
	$delivery = cartwheel_delivery_url();
	$secret   = (string) cartwheel_setting( 'webhook_secret' );
	$ours     = array_map( 'absint', (array) get_option( CARTWHEEL_WEBHOOK_IDS, array() ) );
	$counts   = array(
		'created'   => 0,
		'updated'   => 0,
		'unchanged' => 0,
		'deleted'   => 0,
	);

	$existing = array();
	$ids      = WC_Data_Store::load( 'webhook' )->search_webhooks( array( 'limit' => -1 ) );
	foreach ( (array) $ids as $id ) {
		$hook = wc_get_webhook( $id );
		if ( ! $hook ) {
			continue;
		}
		$mine = in_array( (int) $hook->get_id(), $ours, true );
		if ( untrailingslashit( $hook->get_delivery_url() ) === $delivery ) {
			if ( isset( $existing[ $hook->get_topic() ] ) && $mine ) {
				// A duplicate of ours (two saves racing): one per topic is enough.
				$hook->delete( true );
				++$counts['deleted'];
				continue;
			}
			$existing[ $hook->get_topic() ] = $hook;
		} elseif ( $mine ) {
			$hook->delete( true );
			++$counts['deleted'];
		}
	}

	$kept = array();
	foreach ( cartwheel_webhook_topics() as $topic ) {
		if ( isset( $existing[ $topic ] ) ) {
			$hook    = $existing[ $topic ];
			$changed = false;
			if ( 'active' !== $hook->get_status() ) {
				$hook->set_status( 'active' );
				$changed = true;
			}
			if ( $hook->get_secret() !== $secret ) {
				$hook->set_secret( $secret );
				$changed = true;
			}
			if ( $changed ) {
				$hook->save();
				++$counts['updated'];
			} else {
				++$counts['unchanged'];
			}
			$kept[] = (int) $hook->get_id();
			continue;
		}
		$hook = new WC_Webhook();
		/* translators: %s: webhook topic, e.g. order.created. */
		$hook->set_name( sprintf( __( 'Cartwheel %s', 'cartwheel' ), $topic ) );
		$hook->set_user_id( get_current_user_id() );
		$hook->set_topic( $topic );
		$hook->set_delivery_url( $delivery );
		$hook->set_secret( $secret );
		$hook->set_api_version( 'wp_api_v3' );
		$hook->set_status( 'active' );
		$kept[] = (int) $hook->save(); // WooCommerce pings the URL here.
		++$counts['created'];
	}
	update_option( CARTWHEEL_WEBHOOK_IDS, $kept, false );
	return $counts;
}
