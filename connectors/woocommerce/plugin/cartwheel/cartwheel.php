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
require_once __DIR__ . '/includes/webhooks.php';
require_once __DIR__ . '/includes/tracker.php';
require_once __DIR__ . '/includes/checkout.php';
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

register_activation_hook( __FILE__, 'cartwheel_activate' );
register_deactivation_hook( __FILE__, 'cartwheel_deactivate' );

/**
 * Adds the service-worker rewrite rule and makes WordPress see it.
 */
function cartwheel_activate() {
	cartwheel_add_rewrite_rule();
	flush_rewrite_rules();
}

/**
 * Removes the rewrite rule; settings and webhooks stay until uninstall.
 */
function cartwheel_deactivate() {
	flush_rewrite_rules();
}
