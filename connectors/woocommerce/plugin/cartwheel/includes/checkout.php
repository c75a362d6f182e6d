<?php
/**
 * Checkout: ties each order to the visitor and the cart it came from, and
 * (optionally) asks logged-in shoppers for email consent.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/** Customer meta read by the Go decoder: "yes" or "no". */
const CARTWHEEL_META_EMAIL_CONSENT = '_cartwheel_email_consent';

/** Customer meta: when the consent answer was given, ISO 8601 UTC. */
const CARTWHEEL_META_EMAIL_CONSENT_AT = '_cartwheel_email_consent_at';

// Classic checkout, then the Checkout block (Store API). Both run before the
// order is saved, so the meta goes out with the first order.created.
add_action( 'woocommerce_checkout_create_order', 'cartwheel_tag_order', 10, 1 );
add_action( 'woocommerce_store_api_checkout_update_order_meta', 'cartwheel_tag_order', 10, 1 );

/**
 * Stores the visitor id and cart token on the order.
 *
 * @param WC_Order $order The order being placed.
 */
function cartwheel_tag_order( $order ) {
	if ( ! $order instanceof WC_Order ) {
		return;
	}
	$visitor = cartwheel_visitor_id();
	if ( '' !== $visitor ) {
		$order->update_meta_data( CARTWHEEL_META_VISITOR, $visitor );
	}
	$token = cartwheel_cart_token( false );
	if ( '' !== $token ) {
		$order->update_meta_data( CARTWHEEL_META_CART_TOKEN, $token );
	}
}

/**
 * Records a customer's email-consent answer through WC_Customer, whose save
 * fires customer.updated, so Cartwheel hears of it.
 *
 * @param int  $user_id WordPress user id.
 * @param bool $yes     The answer.
 */
function cartwheel_record_email_consent( $user_id, $yes ) {
	if ( $user_id <= 0 || ! class_exists( 'WC_Customer' ) ) {
		return;
	}
	$customer = new WC_Customer( $user_id );
	if ( ( $yes ? 'yes' : 'no' ) === $customer->get_meta( CARTWHEEL_META_EMAIL_CONSENT ) ) {
		return;
	}
	$customer->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT, $yes ? 'yes' : 'no' );
	$customer->update_meta_data( CARTWHEEL_META_EMAIL_CONSENT_AT, gmdate( 'Y-m-d\TH:i:s\Z' ) );
	$customer->save();
}

/**
 * Prints the opt-in checkbox.
 *
 * @param bool $checked Current answer.
 */
function cartwheel_consent_checkbox( $checked ) {
	printf(
		'<p class="form-row cartwheel-consent"><label class="woocommerce-form__label woocommerce-form__label-for-checkbox checkbox"><input type="checkbox" class="woocommerce-form__input woocommerce-form__input-checkbox input-checkbox" name="cartwheel_email_consent" value="1"%s /> <span>%s</span></label></p>',
		checked( $checked, true, false ),
		esc_html__( 'Email me news and offers. I can unsubscribe at any time.', 'cartwheel' )
	);
}

add_action( 'init', 'cartwheel_consent_hooks' );

/**
 * Adds the opt-in field where the shop asked for it. Guests are not asked
 * here: without an account there is no customer record to hold the answer;
 * Cartwheel's own forms collect theirs.
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
			// WooCommerce verified the woocommerce-register nonce before creating the customer.
			if ( ! empty( $_POST['cartwheel_email_consent'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
				cartwheel_record_email_consent( (int) $customer_id, true );
			}
		}
	);
	// Classic checkout, for logged-in shoppers and those creating an account.
	add_action(
		'woocommerce_review_order_before_submit',
		function () {
			if ( is_user_logged_in() ) {
				cartwheel_consent_checkbox( 'yes' === get_user_meta( get_current_user_id(), CARTWHEEL_META_EMAIL_CONSENT, true ) );
			} elseif ( 'yes' === get_option( 'woocommerce_enable_signup_and_login_from_checkout' ) ) {
				cartwheel_consent_checkbox( false );
			}
		}
	);
	add_action(
		'woocommerce_checkout_update_user_meta',
		function ( $customer_id ) {
			// Runs inside WC_Checkout::process_checkout(), after its nonce check.
			if ( ! empty( $_POST['cartwheel_email_consent'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
				cartwheel_record_email_consent( (int) $customer_id, true );
			}
		}
	);
	// My account → Account details: the box shows the stored answer, so
	// unticking a ticked box is a withdrawal. An untouched unticked box says
	// nothing (the shopper may have subscribed through a Cartwheel form).
	add_action(
		'woocommerce_edit_account_form',
		function () {
			cartwheel_consent_checkbox( 'yes' === get_user_meta( get_current_user_id(), CARTWHEEL_META_EMAIL_CONSENT, true ) );
		}
	);
	add_action(
		'woocommerce_save_account_details',
		function ( $user_id ) {
			// WooCommerce verified the save-account-details nonce before this action.
			$yes = ! empty( $_POST['cartwheel_email_consent'] ); // phpcs:ignore WordPress.Security.NonceVerification.Missing
			if ( $yes || 'yes' === get_user_meta( (int) $user_id, CARTWHEEL_META_EMAIL_CONSENT, true ) ) {
				cartwheel_record_email_consent( (int) $user_id, $yes );
			}
		}
	);
}
