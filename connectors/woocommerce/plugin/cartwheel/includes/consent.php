<?php
/**
 * The email-consent box: registration, account details and both checkouts
 * (classic and block), guests included. A checkout's answer is stored on
 * the order (_cartwheel_email_consent "yes"/"no", _cartwheel_email_consent_at
 * its time), so order.created carries it even when no account exists, and
 * on the customer too when there is one, so customer.updated carries it.
 *
 * A ticked box is a grant. An unticked box is a withdrawal only where the
 * box was shown ticked, i.e. to a customer whose stored answer was "yes":
 * a guest's unticked box says nothing (the shopper may have subscribed
 * through a Cartwheel form), and a form without the box says nothing at all.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** The Checkout block's field id (WooCommerce additional checkout fields). */
const CARTWHEEL_CONSENT_FIELD = 'cartwheel/email-consent';

/** Posted with every box we print: the box was on the form. */
const CARTWHEEL_CONSENT_SHOWN = 'cartwheel_email_consent_shown';

add_action( 'init', 'cartwheel_consent_hooks' );
// woocommerce_init runs inside init at priority 0, before cartwheel_consent_hooks.
add_action( 'woocommerce_init', 'cartwheel_register_block_consent' );

/**
 * The consent box's label, shared by every form.
 *
 * @return string
 */
function cartwheel_consent_label() {
	return __( 'Email me news and offers. I can unsubscribe at any time.', 'cartwheel' );
}

/**
 * A customer's stored answer.
 *
 * @param int $user_id WordPress user id, 0 for a guest.
 * @return string "yes", "no" or "".
 */
function cartwheel_customer_consent( $user_id ) {
	return $user_id > 0 ? (string) get_user_meta( (int) $user_id, CARTWHEEL_META_EMAIL_CONSENT, true ) : '';
}

/**
 * Now, as the meta stores it.
 *
 * @return string ISO 8601 UTC, seconds.
 */
function cartwheel_consent_time() {
	return gmdate( 'Y-m-d\TH:i:s\Z' );
}

/**
 * Records a customer's answer through WC_Customer, whose save fires
 * customer.updated, so Cartwheel hears of it. An unchanged answer is not
 * saved again.
 *
 * @param int    $user_id WordPress user id.
 * @param bool   $yes     The answer.
 * @param string $at      When it was given; now when empty.
 */
function cartwheel_record_email_consent( $user_id, $yes, $at = '' ) {
	if ( $user_id <= 0 || ! class_exists( 'WC_Customer' ) ) {
		return;
	}
	$customer = new WC_Customer( $user_id );
	if ( ( $yes ? 'yes' : 'no' ) === $customer->get_meta( CARTWHEEL_META_EMAIL_CONSENT ) ) {
		return;
	}
	$customer->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT, $yes ? 'yes' : 'no' );
	$customer->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT_AT, '' !== $at ? $at : cartwheel_consent_time() );
	$customer->save();
}

/**
 * Stores a checkout's answer on the order (saved by WooCommerce right
 * after, before order.created goes out) and on its customer, if any.
 *
 * @param WC_Order  $order        The order being placed.
 * @param bool|null $ticked       The box, null when it was not on the form.
 * @param bool      $shown_ticked The box was shown ticked (the customer had consented).
 * @return string "yes", "no" or "" when nothing was recorded.
 */
function cartwheel_apply_checkout_consent( $order, $ticked, $shown_ticked ) {
	if ( null === $ticked || ! is_object( $order ) ) {
		return '';
	}
	if ( ! $ticked && ! $shown_ticked ) {
		// An earlier attempt at this (draft) order may have been ticked.
		$order->delete_meta_data( CARTWHEEL_META_EMAIL_CONSENT );
		$order->delete_meta_data( CARTWHEEL_META_EMAIL_CONSENT_AT );
		return '';
	}
	$answer = $ticked ? 'yes' : 'no';
	$at     = cartwheel_consent_time();
	$order->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT, $answer );
	$order->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT_AT, $at );
	cartwheel_record_email_consent( (int) $order->get_customer_id(), $ticked, $at );
	return $answer;
}

/**
 * Prints the opt-in checkbox and the marker saying it was on the form.
 *
 * @param bool $checked Current answer.
 */
function cartwheel_consent_checkbox( $checked ) {
	printf(
		'<p class="form-row cartwheel-consent"><input type="hidden" name="%1$s" value="1" /><label class="woocommerce-form__label woocommerce-form__label-for-checkbox checkbox"><input type="checkbox" class="woocommerce-form__input woocommerce-form__input-checkbox input-checkbox" name="cartwheel_email_consent" value="1"%2$s /> <span>%3$s</span></label></p>',
		esc_attr( CARTWHEEL_CONSENT_SHOWN ),
		checked( $checked, true, false ),
		esc_html( cartwheel_consent_label() )
	);
}

/**
 * The classic checkout's box: for everyone, guests included, ticked only
 * for a customer whose answer is "yes".
 */
function cartwheel_classic_consent_box() {
	cartwheel_consent_checkbox( 'yes' === cartwheel_customer_consent( get_current_user_id() ) );
}

/**
 * Reads the classic checkout's box into the order. Runs inside
 * WC_Checkout::process_checkout(), after its nonce check and after an
 * account made at checkout was created (the order's customer id is set).
 *
 * @param WC_Order $order The order being placed.
 */
function cartwheel_classic_checkout_consent( $order ) {
	// phpcs:disable WordPress.Security.NonceVerification.Missing -- checked by WooCommerce.
	if ( empty( $_POST[ CARTWHEEL_CONSENT_SHOWN ] ) ) {
		return;
	}
	$ticked = ! empty( $_POST['cartwheel_email_consent'] );
	// phpcs:enable
	cartwheel_apply_checkout_consent( $order, $ticked, 'yes' === cartwheel_customer_consent( (int) $order->get_customer_id() ) );
}

/**
 * Adds the opt-in box where the shop asked for it.
 */
function cartwheel_consent_hooks() {
	if ( ! cartwheel_setting( 'consent_field' ) ) {
		return;
	}
	// Registration form.
	add_action(
		'woocommerce_register_form',
		function () {
			cartwheel_consent_checkbox( false );
		}
	);
	add_action(
		'woocommerce_created_customer',
		function ( $customer_id ) {
			// WooCommerce verified the woocommerce-register nonce before creating the
			// customer. The checkout creates customers too: its box is read with the order.
			if ( ! empty( $_POST['cartwheel_email_consent'] ) && ! isset( $_POST['woocommerce-process-checkout-nonce'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
				cartwheel_record_email_consent( (int) $customer_id, true );
			}
		}
	);
	// Classic checkout.
	add_action( 'woocommerce_review_order_before_submit', 'cartwheel_classic_consent_box' );
	add_action( 'woocommerce_checkout_create_order', 'cartwheel_classic_checkout_consent', 20, 1 );
	// Checkout block: the field registered on woocommerce_init, or the fallback's extension data.
	add_action( 'woocommerce_store_api_checkout_update_order_from_request', 'cartwheel_block_checkout_consent', 10, 2 );
	// My account → Account details: the box shows the stored answer, so
	// unticking a ticked box is a withdrawal.
	add_action(
		'woocommerce_edit_account_form',
		function () {
			cartwheel_consent_checkbox( 'yes' === cartwheel_customer_consent( get_current_user_id() ) );
		}
	);
	add_action(
		'woocommerce_save_account_details',
		function ( $user_id ) {
			// WooCommerce verified the save-account-details nonce before this action.
			if ( empty( $_POST[ CARTWHEEL_CONSENT_SHOWN ] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
				return;
			}
			$yes = ! empty( $_POST['cartwheel_email_consent'] ); // phpcs:ignore WordPress.Security.NonceVerification.Missing
			if ( $yes || 'yes' === cartwheel_customer_consent( (int) $user_id ) ) {
				cartwheel_record_email_consent( (int) $user_id, $yes );
			}
		}
	);
}

/**
 * Whether WooCommerce pre-fills the block field from our default-value
 * filter (8.9+); before that the block's box always starts unticked, so
 * it cannot express a withdrawal.
 *
 * @return bool
 */
function cartwheel_block_field_prefilled() {
	return defined( 'WC_VERSION' ) && version_compare( WC_VERSION, '8.9', '>=' );
}

/**
 * Puts the box in the Checkout block: as an additional checkout field
 * (WooCommerce 8.6+), else through the Store API's extension data and a
 * small script (assets/block-consent.js) filling the order-meta slot.
 */
function cartwheel_register_block_consent() {
	if ( ! cartwheel_setting( 'consent_field' ) ) {
		return;
	}
	// WooCommerce's init may run before ours: the label must be translated.
	cartwheel_load_textdomain();
	if ( function_exists( 'woocommerce_register_additional_checkout_field' ) ) {
		woocommerce_register_additional_checkout_field(
			array(
				'id'       => CARTWHEEL_CONSENT_FIELD,
				'label'    => cartwheel_consent_label(),
				// "additional" was renamed "order" in 8.9.
				'location' => cartwheel_block_field_prefilled() ? 'order' : 'additional',
				'type'     => 'checkbox',
				'required' => false,
			)
		);
		add_filter( 'woocommerce_get_default_value_for_' . CARTWHEEL_CONSENT_FIELD, 'cartwheel_block_consent_default', 10, 3 );
		return;
	}
	if ( function_exists( 'woocommerce_store_api_register_endpoint_data' ) ) {
		woocommerce_store_api_register_endpoint_data(
			array(
				'endpoint'        => 'checkout', // CheckoutSchema::IDENTIFIER.
				'namespace'       => 'cartwheel',
				'schema_callback' => 'cartwheel_block_consent_schema',
				'schema_type'     => ARRAY_A,
			)
		);
		add_action( 'wp_enqueue_scripts', 'cartwheel_enqueue_block_consent' );
	}
}

/**
 * The block field's initial value: ticked for a customer who consented.
 *
 * @param mixed   $value     Null unless another filter set it.
 * @param string  $group     Field group.
 * @param WC_Data $wc_object The order or customer the value is read for.
 * @return mixed
 */
function cartwheel_block_consent_default( $value, $group = '', $wc_object = null ) {
	if ( null !== $value ) {
		return $value;
	}
	$user = get_current_user_id();
	if ( is_object( $wc_object ) && method_exists( $wc_object, 'get_customer_id' ) ) {
		$user = (int) $wc_object->get_customer_id();
	} elseif ( is_object( $wc_object ) && class_exists( 'WC_Customer' ) && $wc_object instanceof WC_Customer ) {
		$user = (int) $wc_object->get_id();
	}
	return 'yes' === cartwheel_customer_consent( $user ) ? '1' : $value;
}

/**
 * The fallback's extension data on the Store API checkout route.
 *
 * @return array
 */
function cartwheel_block_consent_schema() {
	return array(
		'email_consent' => array(
			'description' => 'The email-consent box.',
			'type'        => array( 'boolean', 'null' ),
			'context'     => array( 'view', 'edit' ),
		),
		'shown_ticked'  => array(
			'description' => 'The box was shown ticked.',
			'type'        => array( 'boolean', 'null' ),
			'context'     => array( 'view', 'edit' ),
		),
	);
}

/**
 * Loads the fallback's script on the checkout page.
 */
function cartwheel_enqueue_block_consent() {
	if ( ! function_exists( 'is_checkout' ) || ! is_checkout() ) {
		return;
	}
	wp_register_script( 'cartwheel-block-consent', plugins_url( 'assets/block-consent.js', CARTWHEEL_PLUGIN_FILE ), array( 'wp-plugins', 'wp-element', 'wp-data', 'wc-blocks-checkout' ), CARTWHEEL_VERSION, true );
	wp_add_inline_script(
		'cartwheel-block-consent',
		'window.cartwheelConsent=' . wp_json_encode(
			array(
				'label'   => cartwheel_consent_label(),
				'checked' => 'yes' === cartwheel_customer_consent( get_current_user_id() ),
			)
		) . ';',
		'before'
	);
	wp_enqueue_script( 'cartwheel-block-consent' );
}

/**
 * Reads the Checkout block's box into the order; WooCommerce saves the
 * order right after this action.
 *
 * @param WC_Order        $order   The order being placed.
 * @param WP_REST_Request $request The Store API checkout request.
 */
function cartwheel_block_checkout_consent( $order, $request ) {
	// Only placing the order states an answer; newer WooCommerce also
	// updates the draft order while the shopper is still filling the form.
	if ( is_object( $request ) && method_exists( $request, 'get_method' ) && 'POST' !== $request->get_method() ) {
		return;
	}
	$ticked       = null;
	$shown_ticked = false;
	$prior        = cartwheel_customer_consent( (int) $order->get_customer_id() );
	$fields       = isset( $request['additional_fields'] ) ? $request['additional_fields'] : null;
	$ext          = isset( $request['extensions'] ) && is_array( $request['extensions'] ) && isset( $request['extensions']['cartwheel'] ) ? $request['extensions']['cartwheel'] : null;
	if ( is_array( $fields ) && array_key_exists( CARTWHEEL_CONSENT_FIELD, $fields ) ) {
		$ticked       = filter_var( $fields[ CARTWHEEL_CONSENT_FIELD ], FILTER_VALIDATE_BOOLEAN );
		$shown_ticked = cartwheel_block_field_prefilled() && 'yes' === $prior;
	} elseif ( is_array( $ext ) && isset( $ext['email_consent'] ) ) {
		$ticked       = filter_var( $ext['email_consent'], FILTER_VALIDATE_BOOLEAN );
		$shown_ticked = ! empty( $ext['shown_ticked'] ) && 'yes' === $prior;
	}
	cartwheel_apply_checkout_consent( $order, $ticked, $shown_ticked );
}
