<?php
/**
 * Plugin Name:          Cartwheel for WooCommerce
 * Plugin URI:           https://github.com/cartwheelhq/cartwheel
 * Description:          Connects the store to a Cartwheel server: the visitor tracker, web push, and the order, customer, product and cart webhooks Cartwheel's flows run on.
 * Version:              0.1.0
 * Requires at least:    6.3
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * WC requires at least: 6.0
 * Author:               Cartwheel
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          cartwheel
 * Domain Path:          /languages
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

define( 'CARTWHEEL_VERSION', '0.1.0' );
define( 'CARTWHEEL_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/includes/money.php';
require_once __DIR__ . '/includes/cart-payload.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/identity.php';
require_once __DIR__ . '/includes/admin.php';
require_once __DIR__ . '/includes/console.php';
require_once __DIR__ . '/includes/webhooks.php';
require_once __DIR__ . '/includes/tracker.php';
require_once __DIR__ . '/includes/checkout.php';
require_once __DIR__ . '/includes/consent.php';
require_once __DIR__ . '/includes/cart-recovery.php';
require_once __DIR__ . '/includes/cart-sync.php';
require_once __DIR__ . '/includes/service-worker.php';

// High-performance order storage and the Cart/Checkout blocks are supported:
// the plugin reads and writes orders through WC_Order only.
add_action(
	'before_woocommerce_init',
	function () {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', CARTWHEEL_PLUGIN_FILE, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', CARTWHEEL_PLUGIN_FILE, true );
		}
	}
);

add_action( 'init', 'cartwheel_load_textdomain', 0 );

/**
 * Loads the plugin's translations: those WordPress.org language packs put
 * in wp-content/languages/plugins win, then the ones shipped in
 * languages/. Early on init, before any hooked label is built.
 */
function cartwheel_load_textdomain() {
	static $loaded = false;
	if ( $loaded ) {
		return;
	}
	$loaded = true;
	load_plugin_textdomain( 'cartwheel', false, dirname( plugin_basename( CARTWHEEL_PLUGIN_FILE ) ) . '/languages' );
}

register_activation_hook( __FILE__, 'cartwheel_activate' );
register_deactivation_hook( __FILE__, 'cartwheel_deactivate' );
add_action( 'wp_initialize_site', 'cartwheel_initialize_site', 20, 1 );

/**
 * Runs a per-site step on every site when the plugin is (de)activated for
 * the whole network, else on the current site only.
 *
 * @param callable $step         Per-site step.
 * @param bool     $network_wide Network (de)activation.
 */
function cartwheel_each_site( $step, $network_wide ) {
	if ( ! $network_wide || ! is_multisite() ) {
		call_user_func( $step );
		return;
	}
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $site ) {
		switch_to_blog( (int) $site );
		call_user_func( $step );
		restore_current_blog();
	}
}

/**
 * Adds the service-worker rewrite rule on each site the plugin now runs on.
 *
 * @param bool $network_wide Network activation.
 */
function cartwheel_activate( $network_wide = false ) {
	cartwheel_each_site( 'cartwheel_activate_site', (bool) $network_wide );
}

/**
 * Makes the current site see the rewrite rule. On another site of a
 * network (switch_to_blog) the rules would be built from the wrong site's
 * state, so they are dropped there and WordPress rebuilds them on that
 * site's next request.
 */
function cartwheel_activate_site() {
	if ( is_multisite() && isset( $GLOBALS['switched'] ) && $GLOBALS['switched'] ) {
		delete_option( 'rewrite_rules' );
		return;
	}
	cartwheel_add_rewrite_rule();
	flush_rewrite_rules();
}

/**
 * Removes the rewrite rule; settings and webhooks stay until uninstall.
 *
 * @param bool $network_wide Network deactivation.
 */
function cartwheel_deactivate( $network_wide = false ) {
	cartwheel_each_site( 'cartwheel_deactivate_site', (bool) $network_wide );
}

/**
 * Drops the rule on the current site: the rules are rebuilt on the next
 * request, without it (flushing now would keep it, as this request
 * already added it on init).
 */
function cartwheel_deactivate_site() {
	delete_option( 'rewrite_rules' );
}

/**
 * A site added to a network where the plugin is network-active gets what
 * activation gives the others.
 *
 * @param WP_Site $site The new site.
 */
function cartwheel_initialize_site( $site ) {
	if ( ! function_exists( 'is_plugin_active_for_network' ) ) {
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
	}
	if ( ! is_plugin_active_for_network( plugin_basename( CARTWHEEL_PLUGIN_FILE ) ) ) {
		return;
	}
	switch_to_blog( (int) $site->blog_id );
	cartwheel_activate_site();
	restore_current_blog();
}
