/**
 * The email-consent box in the Checkout block on WooCommerce before 8.6,
 * which has no additional checkout fields: a checkbox in the order-meta
 * slot whose state goes to the Store API as extension data
 * (extensions.cartwheel), read by cartwheel_block_checkout_consent().
 * No build step: plain ES5 against the globals WordPress and WooCommerce
 * Blocks expose.
 */
( function ( wp, wc, cfg ) {
	'use strict';
	if ( ! wp || ! wp.plugins || ! wp.element || ! wp.data || ! wc || ! wc.blocksCheckout || ! wc.blocksCheckout.ExperimentalOrderMeta ) {
		return;
	}
	var el = wp.element.createElement;
	var Checkbox = wc.blocksCheckout.CheckboxControl || ( wp.components && wp.components.CheckboxControl );
	if ( ! Checkbox ) {
		return;
	}
	function send( checked ) {
		var store = wp.data.dispatch( 'wc/store/checkout' );
		var data = { email_consent: checked, shown_ticked: !! cfg.checked };
		if ( store && store.__internalSetExtensionData ) {
			store.__internalSetExtensionData( 'cartwheel', data );
		} else if ( store && store.setExtensionData ) {
			store.setExtensionData( 'cartwheel', data );
		}
	}
	function Box() {
		var state = wp.element.useState( !! cfg.checked );
		wp.element.useEffect( function () {
			send( state[ 0 ] );
		}, [ state[ 0 ] ] );
		return el( Checkbox, {
			id: 'cartwheel-email-consent',
			className: 'cartwheel-consent',
			label: cfg.label,
			checked: state[ 0 ],
			onChange: state[ 1 ]
		} );
	}
	wp.plugins.registerPlugin( 'cartwheel-email-consent', {
		scope: 'woocommerce-checkout',
		render: function () {
			return el( wc.blocksCheckout.ExperimentalOrderMeta, null, el( Box ) );
		}
	} );
} )( window.wp, window.wc, window.cartwheelConsent || {} );
