<?php
/**
 * The email-consent box at checkout, classic and block, guests included:
 * what the plugin stores on the order (and the customer) for each answer.
 * Prints the orders' meta as JSON for TestPluginCheckoutConsent.
 *
 * Usage: php consent-test.php fields|fallback
 *   fields:   WooCommerce 9.4, Checkout block with additional checkout fields;
 *   fallback: WooCommerce 8.0, no additional fields: Store API extension data.
 *
 * @package Cartwheel
 */

// phpcs:disable

$cw_mode = $argv[1] ?? 'fields';
require __DIR__ . '/bootstrap.php';

if ( 'fields' === $cw_mode ) {
	define( 'WC_VERSION', '9.4.0' );
	function woocommerce_register_additional_checkout_field( $field ) {
		$GLOBALS['cw']['fields'][] = $field;
	}
} else {
	define( 'WC_VERSION', '8.0.0' );
	function woocommerce_store_api_register_endpoint_data( $args ) {
		$GLOBALS['cw']['endpoint_data'][] = $args;
	}
	function is_checkout() {
		return true;
	}
}

// What WordPress runs on each request: WooCommerce's init inside init.
do_action( 'woocommerce_init' );
do_action( 'init' );
cw_new_wc();

/**
 * Places a classic-checkout order: WC_Checkout::process_checkout() fires
 * woocommerce_checkout_create_order with the posted form in $_POST.
 */
function cw_classic_order( $user, array $post ) {
	$GLOBALS['cw']['user'] = $user;
	$_POST                 = $post;
	$order                 = new WC_Order();
	$order->customer_id    = $user;
	do_action( 'woocommerce_checkout_create_order', $order, array() );
	$_POST = array();
	return (object) $order->meta;
}

/** Places a Checkout-block order through the Store API hook. */
function cw_block_order( $user, array $body, $order = null, $method = 'POST' ) {
	$GLOBALS['cw']['user'] = $user;
	$order                 = $order ?? new WC_Order();
	$order->customer_id    = $user;
	$request               = new WP_REST_Request( $body );
	$request->method       = $method;
	do_action( 'woocommerce_store_api_checkout_update_order_from_request', $order, $request );
	return (object) $order->meta;
}

/** The classic box as printed for the current shopper. */
function cw_classic_box( $user ) {
	$GLOBALS['cw']['user'] = $user;
	ob_start();
	do_action( 'woocommerce_review_order_before_submit' );
	return ob_get_clean();
}

$shown = array( 'cartwheel_email_consent_shown' => '1' );
$out   = array( 'mode' => $cw_mode );

// Classic checkout.
$guest_box = cw_classic_box( 0 );
check( false !== strpos( $guest_box, 'name="cartwheel_email_consent"' ), 'the classic checkout shows guests no box: ' . $guest_box );
check( false === strpos( $guest_box, 'checked' ), 'a guest\'s box is pre-ticked' );
$out['classic_guest_yes']   = cw_classic_order( 0, $shown + array( 'cartwheel_email_consent' => '1' ) );
$out['classic_guest_blank'] = cw_classic_order( 0, $shown );
$out['classic_no_box']      = cw_classic_order( 0, array( 'cartwheel_email_consent' => '1' ) );

$GLOBALS['cw']['user_meta'][7] = array( '_cartwheel_email_consent' => 'yes', '_cartwheel_email_consent_at' => '2025-01-01T00:00:00Z' );
check( false !== strpos( cw_classic_box( 7 ), 'checked' ), 'a consenting customer\'s box is not shown ticked' );
$out['classic_withdrawal']      = cw_classic_order( 7, $shown );
$out['classic_withdrawal_user'] = (object) ($GLOBALS['cw']['user_meta'][7]);
// The same customer, on a form without our box: nothing is withdrawn.
$GLOBALS['cw']['user_meta'][9] = array( '_cartwheel_email_consent' => 'yes' );
$out['classic_no_box_customer'] = cw_classic_order( 9, array() );
$out['classic_no_box_user']     = (object) ($GLOBALS['cw']['user_meta'][9]);
$out['classic_customer_yes']    = cw_classic_order( 8, $shown + array( 'cartwheel_email_consent' => '1' ) );
$out['classic_customer_user']   = $GLOBALS['cw']['user_meta'][8] ?? array();

// My account → Account details: unticking the shown-ticked box withdraws;
// a save from a form without the box does not.
$GLOBALS['cw']['user_meta'][21] = array( '_cartwheel_email_consent' => 'yes' );
$GLOBALS['cw']['user_meta'][22] = array( '_cartwheel_email_consent' => 'yes' );
$_POST                          = $shown;
do_action( 'woocommerce_save_account_details', 21 );
$_POST = array();
do_action( 'woocommerce_save_account_details', 22 );
$out['account_withdrawal'] = (object) $GLOBALS['cw']['user_meta'][21];
check( 'yes' === $GLOBALS['cw']['user_meta'][22]['_cartwheel_email_consent'], 'an account form without the box withdrew consent' );

// Checkout block.
$field = CARTWHEEL_CONSENT_FIELD;
if ( 'fields' === $cw_mode ) {
	$f = $GLOBALS['cw']['fields'][0] ?? array();
	check( ( $f['id'] ?? '' ) === 'cartwheel/email-consent' && ( $f['type'] ?? '' ) === 'checkbox' && ( $f['location'] ?? '' ) === 'order', 'the block field is not registered as an order checkbox: ' . json_encode( $f ) );
	check( empty( $f['required'] ), 'the block box is required' );
	$GLOBALS['cw']['user_meta'][11] = array( '_cartwheel_email_consent' => 'yes' );
	$draft                          = new WC_Order();
	$draft->customer_id             = 11;
	check( '1' === apply_filters( 'woocommerce_get_default_value_for_' . $field, null, 'other', $draft ), 'a consenting customer\'s block box is not pre-ticked' );
	$draft->customer_id = 0;
	check( null === apply_filters( 'woocommerce_get_default_value_for_' . $field, null, 'other', $draft ), 'a guest\'s block box is pre-ticked' );
	$out['block_guest_yes']   = cw_block_order( 0, array( 'additional_fields' => array( $field => true ) ) );
	$out['block_guest_blank'] = cw_block_order( 0, array( 'additional_fields' => array( $field => false ) ) );
	$out['block_withdrawal']  = cw_block_order( 11, array( 'additional_fields' => array( $field => false ) ) );
} else {
	$e = $GLOBALS['cw']['endpoint_data'][0] ?? array();
	check( ( $e['endpoint'] ?? '' ) === 'checkout' && ( $e['namespace'] ?? '' ) === 'cartwheel', 'no Store API extension data: ' . json_encode( $e ) );
	check( isset( call_user_func( $e['schema_callback'] )['email_consent'] ), 'the extension schema lacks email_consent' );
	$GLOBALS['cw']['user'] = 0;
	do_action( 'wp_enqueue_scripts' );
	check( in_array( 'cartwheel-block-consent', $GLOBALS['cw']['enqueued'] ?? array(), true ), 'the fallback script is not enqueued on the checkout' );
	check( is_file( dirname( __DIR__ ) . '/' . str_replace( 'https://shop.example/wp-content/plugins/cartwheel/', '', $GLOBALS['cw']['scripts']['cartwheel-block-consent'] ?? '' ) ), 'the fallback script does not exist' );
	$GLOBALS['cw']['user_meta'][11] = array( '_cartwheel_email_consent' => 'yes' );
	$out['block_guest_yes']   = cw_block_order( 0, array( 'extensions' => array( 'cartwheel' => array( 'email_consent' => true, 'shown_ticked' => false ) ) ) );
	$out['block_guest_blank'] = cw_block_order( 0, array( 'extensions' => array( 'cartwheel' => array( 'email_consent' => false, 'shown_ticked' => false ) ) ) );
	$out['block_withdrawal']  = cw_block_order( 11, array( 'extensions' => array( 'cartwheel' => array( 'email_consent' => false, 'shown_ticked' => true ) ) ) );
}
// The draft order updated while the form is filled in states nothing; the
// order placed states the final answer, not an earlier attempt's.
$draft = new WC_Order();
$yes   = 'fields' === $cw_mode ? array( 'additional_fields' => array( $field => true ) ) : array( 'extensions' => array( 'cartwheel' => array( 'email_consent' => true ) ) );
$no    = 'fields' === $cw_mode ? array( 'additional_fields' => array( $field => false ) ) : array( 'extensions' => array( 'cartwheel' => array( 'email_consent' => false ) ) );
$out['block_draft_update'] = cw_block_order( 12, $yes, $draft, 'PUT' );
check( ! isset( $GLOBALS['cw']['user_meta'][12] ), 'updating the draft order recorded the customer\'s consent' );
cw_block_order( 0, $yes, $draft );
$out['block_retried_blank'] = cw_block_order( 0, $no, $draft );
$out['block_withdrawal_user'] = (object) ($GLOBALS['cw']['user_meta'][11]);
$out['block_no_box']          = cw_block_order( 0, array() );

cw_report( $out );
