<?php
/**
 * Translations: the plugin loads its text domain from languages/ on init,
 * and with the site in Polish the shopper's consent box, the cart-link
 * notice and the settings page speak Polish. Prints the settings page.
 *
 * @package Cartwheel
 */

// phpcs:disable

require __DIR__ . '/bootstrap.php';
$GLOBALS['cw']['locale'] = 'pl_PL';

function settings_fields( $group ) {
}
function submit_button( $text = null, $type = 'primary', $name = 'submit', $wrap = true ) {
	echo '<input type="submit" value="' . esc_attr( $text ?? 'Save Changes' ) . '" />';
}
function wp_nonce_field( $action ) {
}
function current_user_can( $cap ) {
	return true;
}

do_action( 'init' );
check( 'cartwheel/languages' === ( $GLOBALS['cw']['textdomains']['cartwheel'] ?? null ), 'the text domain is not loaded from cartwheel/languages: ' . json_encode( $GLOBALS['cw']['textdomains'] ) );

cw_new_wc();
ob_start();
do_action( 'woocommerce_review_order_before_submit' );
$box = ob_get_clean();
check( false !== strpos( $box, 'Chcę otrzymywać e-mailem nowości i oferty.' ), 'the checkout box is not in Polish: ' . $box );

cartwheel_restore_cart( 'forged' );
check( 'Ten link do koszyka wygasł lub jest już nieważny.' === ( $GLOBALS['cw']['notices'][0][1] ?? '' ), 'the cart-link notice is not in Polish: ' . json_encode( $GLOBALS['cw']['notices'] ) );

ob_start();
cartwheel_render_settings_page();
$page = ob_get_clean();
foreach ( array( 'Adres URL Cartwheel', 'Sekret webhooków', 'Pytaj o zgodę na e-maile', 'Zarejestruj webhooki ponownie' ) as $pl ) {
	check( false !== strpos( $page, esc_html( $pl ) ), "the settings page lacks \"$pl\"" );
}

cw_report( array( 'page' => $page ) );
