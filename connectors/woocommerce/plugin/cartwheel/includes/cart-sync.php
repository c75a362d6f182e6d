<?php
/**
 * Posts cart.updated deliveries: WooCommerce has no cart webhook, and an
 * abandoned cart can only be recovered if Cartwheel sees it.
 *
 * Every cart hook only marks the request; at shutdown one snapshot is built
 * and posted, and only when it differs from the last one sent for this
 * cart, because woocommerce_cart_updated fires on most page views.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/**
 * Per-request state of the cart posting.
 */
final class Cartwheel_Cart_Sync {

	/**
	 * A cart hook fired in this request.
	 *
	 * @var bool
	 */
	private static $dirty = false;

	/**
	 * The cart changed after its totals were last calculated.
	 *
	 * @var bool
	 */
	private static $stale_totals = false;

	/**
	 * Nothing is posted in this request: an order was placed (the emptied
	 * cart is a purchase, which order.created reports) or the shopper logged
	 * out (WooCommerce empties the session cart, not the shopper's).
	 *
	 * @var bool
	 */
	private static $suppressed = false;

	/**
	 * Hooks in.
	 */
	public static function init() {
		$changes = array(
			'woocommerce_add_to_cart',
			'woocommerce_cart_item_removed',
			'woocommerce_cart_item_restored',
			'woocommerce_after_cart_item_quantity_update',
			'woocommerce_applied_coupon',
			'woocommerce_removed_coupon',
		);
		foreach ( $changes as $hook ) {
			add_action( $hook, array( __CLASS__, 'changed' ) );
		}
		add_action( 'woocommerce_cart_updated', array( __CLASS__, 'touched' ) );
		add_action( 'woocommerce_after_calculate_totals', array( __CLASS__, 'calculated' ) );
		// The shopper's email, as soon as the checkout knows it.
		add_action( 'woocommerce_checkout_update_order_review', array( __CLASS__, 'review_updated' ) );
		add_action( 'woocommerce_store_api_cart_update_customer_from_request', array( __CLASS__, 'touched' ) );
		add_action( 'woocommerce_checkout_order_processed', array( __CLASS__, 'order_placed' ) );
		add_action( 'woocommerce_store_api_checkout_order_processed', array( __CLASS__, 'order_placed' ) );
		add_action( 'woocommerce_cart_emptied', array( __CLASS__, 'emptied' ) );
		add_action( 'clear_auth_cookie', array( __CLASS__, 'suppress' ) );
		// Before WooCommerce saves the session (shutdown, priority 20), so
		// what is remembered here is kept.
		add_action( 'shutdown', array( __CLASS__, 'flush' ), 5 );
	}

	/**
	 * The cart's contents changed.
	 */
	public static function changed() {
		self::$dirty        = true;
		self::$stale_totals = true;
	}

	/**
	 * Something about the cart may have changed.
	 */
	public static function touched() {
		self::$dirty = true;
	}

	/**
	 * Totals are current.
	 */
	public static function calculated() {
		self::$stale_totals = false;
	}

	/**
	 * Suppresses posting for this request.
	 */
	public static function suppress() {
		self::$suppressed = true;
	}

	/**
	 * An order was placed: the next cart is a new one.
	 */
	public static function order_placed() {
		self::$suppressed = true;
		// A bought cart's recovery link restores nothing.
		cartwheel_forget_recovery_cart( cartwheel_cart_token( false ) );
		cartwheel_forget_cart_token();
	}

	/**
	 * The cart was emptied: report it (unless it was a purchase), then start
	 * a new token.
	 */
	public static function emptied() {
		self::$dirty = true;
	}

	/**
	 * Classic checkout posts the form on every field change; the billing
	 * email in it identifies the shopper before the order exists.
	 *
	 * @param string $posted Serialised checkout form (WooCommerce checked the update-order-review nonce).
	 */
	public static function review_updated( $posted ) {
		$fields = array();
		parse_str( (string) $posted, $fields );
		$email = isset( $fields['billing_email'] ) ? sanitize_email( wp_unslash( $fields['billing_email'] ) ) : '';
		if ( '' !== $email && is_email( $email ) && WC()->session ) {
			WC()->session->set( 'cartwheel_email', $email );
			self::$dirty = true;
		}
	}

	/**
	 * Posts the snapshot if there is something new to say.
	 */
	public static function flush() {
		if ( ! self::$dirty || self::$suppressed || ! cartwheel_webhooks_configured() ) {
			return;
		}
		if ( ! function_exists( 'WC' ) || ! WC()->cart || ! WC()->session ) {
			return;
		}
		$cart  = WC()->cart;
		$empty = $cart->is_empty();
		if ( $empty && '' === cartwheel_cart_token( false ) ) {
			return; // no cart was ever reported: nothing to say.
		}
		if ( self::$stale_totals && ! $empty ) {
			$cart->calculate_totals();
		}
		$token = cartwheel_cart_token( true );
		$data  = cartwheel_gather_cart( $cart, $token );
		// The snapshot time is not part of what changed.
		$fingerprint = md5( (string) wp_json_encode( array_diff_key( $data, array( 'updated_at' => 1 ) ) ) );
		if ( WC()->session->get( 'cartwheel_cart_sent' ) === $fingerprint ) {
			return;
		}
		cartwheel_post_cart( cartwheel_cart_payload_json( $data ) );
		WC()->session->set( 'cartwheel_cart_sent', $fingerprint );
		// What the recovery link restores: saved with each change reported, so
		// it is the cart Cartwheel last heard of (an empty one is dropped).
		cartwheel_save_recovery_cart( $cart, $token );
		if ( $empty ) {
			cartwheel_forget_cart_token();
		}
	}
}

Cartwheel_Cart_Sync::init();

/**
 * Reads a live cart into the array cartwheel_cart_payload() takes.
 *
 * @param WC_Cart $cart  The cart.
 * @param string  $token The cart token.
 * @return array
 */
function cartwheel_gather_cart( $cart, $token ) {
	$items = array();
	foreach ( $cart->get_cart() as $line ) {
		$product = isset( $line['data'] ) ? $line['data'] : null;
		$qty     = isset( $line['quantity'] ) ? (int) $line['quantity'] : 0;
		if ( ! $product instanceof WC_Product || $qty <= 0 ) {
			continue;
		}
		// The unit price before discounts, excluding tax, as the order's
		// line subtotal will be.
		$price   = isset( $line['line_subtotal'] ) && $line['line_subtotal'] > 0 ? $line['line_subtotal'] / $qty : $product->get_price();
		$tax     = isset( $line['line_subtotal_tax'] ) ? $line['line_subtotal_tax'] / $qty : 0;
		$image   = $product->get_image_id() ? wp_get_attachment_image_url( $product->get_image_id(), 'woocommerce_thumbnail' ) : '';
		$items[] = array(
			'product_id'   => isset( $line['product_id'] ) ? (int) $line['product_id'] : $product->get_id(),
			'variation_id' => isset( $line['variation_id'] ) ? (int) $line['variation_id'] : 0,
			'quantity'     => $qty,
			'price'        => $price,
			'tax'          => $tax,
			'name'         => $product->get_name(),
			'sku'          => $product->get_sku(),
			'url'          => $product->get_permalink( $line ),
			'image_url'    => $image ? $image : '',
		);
	}
	$email = '';
	if ( is_user_logged_in() ) {
		$email = wp_get_current_user()->user_email;
	}
	if ( '' === $email && WC()->customer ) {
		$email = (string) WC()->customer->get_billing_email();
	}
	if ( '' === $email ) {
		$email = (string) WC()->session->get( 'cartwheel_email', '' );
	}
	return array(
		'token'        => $token,
		'visitor_id'   => cartwheel_visitor_id(),
		'customer_id'  => get_current_user_id(),
		'email'        => $email,
		'currency'     => get_woocommerce_currency(),
		'items'        => $items,
		'subtotal'     => $cart->get_subtotal(),
		'total'        => $cart->get_total( 'edit' ),
		'recovery_url' => cartwheel_recovery_url( $token ),
		'created_at'   => (float) WC()->session->get( CARTWHEEL_SESSION_CREATED, 0 ),
		'updated_at'   => microtime( true ),
		// Shops that show prices with tax get gross prices in Cartwheel's
		// cart emails, as on their own pages.
		'prices_include_tax' => function_exists( 'wc_prices_include_tax' ) && wc_prices_include_tax(),
	);
}

/**
 * Sends a cart.updated delivery, signed like WooCommerce's own, without
 * waiting for the answer: the shopper's request must not pay for it.
 *
 * @param string $body The JSON body.
 */
function cartwheel_post_cart( $body ) {
	$url = cartwheel_delivery_url();
	if ( '' === $body || '' === $url ) {
		return;
	}
	wp_remote_post(
		$url,
		array(
			'timeout'     => 2,
			'blocking'    => false,
			'redirection' => 0,
			'user-agent'  => 'Cartwheel/' . CARTWHEEL_VERSION . ' (WordPress/' . get_bloginfo( 'version' ) . ')',
			'headers'     => array(
				'Content-Type'           => 'application/json',
				'X-WC-Webhook-Source'    => home_url( '/' ),
				'X-WC-Webhook-Topic'     => 'cart.updated',
				'X-WC-Webhook-Resource'  => 'cart',
				'X-WC-Webhook-Event'     => 'updated',
				'X-WC-Webhook-Signature' => cartwheel_sign( $body, (string) cartwheel_setting( 'webhook_secret' ) ),
			),
			'body'        => $body,
		)
	);
}
