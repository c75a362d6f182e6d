<?php
/**
 * The storefront: the tracker tag and the page-context block, the same
 * markup tracker.TagWithOptions and tracker.ContextBlock render in Go.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

/**
 * The stub that queues calls made before t.js arrives; byte for byte the
 * one tracker.TagWithOptions prints.
 */
const CARTWHEEL_TRACKER_STUB = 'window.cartwheel=window.cartwheel||{q:[],track:function(){this.q.push(["track",arguments])},identify:function(){this.q.push(["identify",arguments])},consent:function(){this.q.push(["consent",arguments])}};';

// Early in <head>, so the stub exists before any theme script calls it.
add_action( 'wp_head', 'cartwheel_print_tracker', 1 );
add_action( 'wp_footer', 'cartwheel_print_form_marker', 20 );

/**
 * Prints the tag and the context block. The tag is printed rather than
 * enqueued because t.js needs its data-* attributes on its own tag and no
 * ?ver= query; wp_print_script_tag() and wp_print_inline_script_tag() still
 * let CSP plugins add nonces through their filters.
 */
function cartwheel_print_tracker() {
	$base = cartwheel_base_url();
	$key  = (string) cartwheel_setting( 'site_key' );
	if ( '' === $base || '' === $key || is_admin() ) {
		return;
	}
	$attrs = array(
		'async'         => true,
		'src'           => $base . '/t.js',
		'data-site-key' => $key,
		'data-endpoint' => $base,
	);
	if ( cartwheel_setting( 'require_consent' ) ) {
		$attrs['data-require-consent'] = '1';
	}
	if ( function_exists( 'wp_print_inline_script_tag' ) && function_exists( 'wp_print_script_tag' ) ) {
		wp_print_inline_script_tag( CARTWHEEL_TRACKER_STUB );
		wp_print_script_tag( $attrs );
	} else {
		echo '<script>' . CARTWHEEL_TRACKER_STUB . '</script>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a constant.
		echo '<script async src="' . esc_url( $base . '/t.js' ) . '" data-site-key="' . esc_attr( $key ) . '" data-endpoint="' . esc_url( $base ) . '"' . ( isset( $attrs['data-require-consent'] ) ? ' data-require-consent="1"' : '' ) . "></script>\n";
	}
	cartwheel_print_context( cartwheel_page_context() );
}

/**
 * Describes the page (tracker.PageContext).
 *
 * @return array
 */
function cartwheel_page_context() {
	$ctx = array( 'page' => 'other' );
	if ( ! function_exists( 'is_woocommerce' ) ) {
		$ctx['page'] = is_front_page() ? 'home' : ( is_search() ? 'search' : 'other' );
	} elseif ( is_order_received_page() ) {
		$ctx['page'] = 'thank_you';
		global $wp;
		if ( ! empty( $wp->query_vars['order-received'] ) ) {
			$ctx['order_id'] = (string) absint( $wp->query_vars['order-received'] );
		}
	} elseif ( is_checkout() ) {
		$ctx['page'] = 'checkout';
		// The tracker records checkout_started once per token, so the token
		// is given on the checkout only, and it is the cart token the
		// cart.updated deliveries and the order carry.
		$token = cartwheel_cart_token( false );
		if ( '' !== $token ) {
			$ctx['checkout_token'] = $token;
		}
	} elseif ( is_cart() ) {
		$ctx['page'] = 'cart';
	} elseif ( is_product() ) {
		$ctx['page'] = 'product';
		$product     = wc_get_product( get_queried_object_id() );
		if ( $product ) {
			$ctx['product'] = cartwheel_context_product( $product );
		}
	} elseif ( is_search() ) {
		$ctx['page']  = 'search';
		$ctx['query'] = get_search_query( false );
	} elseif ( is_front_page() ) {
		$ctx['page'] = 'home';
	} elseif ( is_shop() || is_product_taxonomy() ) {
		$ctx['page'] = 'category';
		if ( is_product_taxonomy() ) {
			$ctx['category'] = single_term_title( '', false );
		}
	}
	if ( is_user_logged_in() ) {
		// No email: a page cache may serve this page to someone else. The
		// signed statement proves the login to Cartwheel on this browser
		// only (cartwheel_login_proof).
		$user            = wp_get_current_user();
		$ctx['customer'] = array( 'id' => (string) $user->ID );
		$proof           = cartwheel_login_proof( (int) $user->ID );
		if ( '' !== $proof ) {
			$ctx['customer']['proof'] = $proof;
		}
	}
	return $ctx;
}

/**
 * A product page's product (tracker.ContextProduct). The price is what the
 * shop displays (with or without tax, as configured), in minor units.
 *
 * @param WC_Product $product The product shown.
 * @return array
 */
function cartwheel_context_product( $product ) {
	$currency = get_woocommerce_currency();
	$terms    = get_the_terms( $product->get_id(), 'product_cat' );
	$image    = $product->get_image_id() ? wp_get_attachment_image_url( $product->get_image_id(), 'woocommerce_single' ) : '';
	$out      = array(
		'id'          => (string) $product->get_id(),
		'title'       => wp_strip_all_tags( $product->get_name() ),
		'price_minor' => cartwheel_to_minor( wc_get_price_to_display( $product ), $currency ),
		'currency'    => $currency,
		'url'         => $product->get_permalink(),
	);
	if ( is_array( $terms ) && ! empty( $terms ) ) {
		$out['category'] = $terms[0]->name;
	}
	if ( $image ) {
		$out['image_url'] = $image;
	}
	return $out;
}

/**
 * Prints the context as the non-executable JSON block the tracker reads.
 * JSON_HEX_TAG and JSON_HEX_AMP escape <, > and & as Go's json.Marshal
 * does, so no value can close the tag.
 *
 * @param array $ctx Page context.
 */
function cartwheel_print_context( array $ctx ) {
	$json = wp_json_encode( $ctx, JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	if ( ! $json ) {
		return;
	}
	if ( function_exists( 'wp_print_inline_script_tag' ) ) {
		wp_print_inline_script_tag(
			$json,
			array(
				'type'                   => 'application/json',
				'data-cartwheel-context' => true,
			)
		);
		return;
	}
	echo '<script type="application/json" data-cartwheel-context>' . $json . "</script>\n"; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON with <, > and & hex-escaped.
}

/**
 * Marks the single-product form so the tracker sees its non-AJAX submit as
 * add_to_cart (docs/tracker.md): WooCommerce's own form fires no JS event.
 * Grouped products add several products at once and are left alone.
 */
function cartwheel_print_form_marker() {
	if ( '' === cartwheel_base_url() || ! function_exists( 'is_product' ) || ! is_product() ) {
		return;
	}
	$product = wc_get_product( get_queried_object_id() );
	if ( ! $product || $product->is_type( 'grouped' ) || $product->is_type( 'external' ) ) {
		return;
	}
	$js = sprintf(
		'document.querySelectorAll("form.cart").forEach(function(f){if(f.querySelector("[name=\'add-to-cart\']")){f.setAttribute("data-cartwheel-add-to-cart","");f.setAttribute("data-product-id",%s);}});',
		wp_json_encode( (string) $product->get_id() )
	);
	if ( function_exists( 'wp_print_inline_script_tag' ) ) {
		wp_print_inline_script_tag( $js );
	} else {
		echo '<script>' . $js . "</script>\n"; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from a JSON-encoded id.
	}
}
