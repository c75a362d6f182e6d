<?php
/**
 * wc_get_webhook() for the tests that run with WooCommerce active.
 *
 * @package Cartwheel
 */

// phpcs:disable

/**
 * A stored webhook, or null.
 *
 * @param int $id Webhook id.
 * @return WC_Webhook|null
 */
function wc_get_webhook( $id ) {
	$h = $GLOBALS['cw']['webhooks'][ $GLOBALS['cw']['blog'] ][ (int) $id ] ?? null;
	return $h ? clone $h : null;
}
