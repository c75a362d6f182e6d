<?php
/**
 * The Cartwheel menu item: opens the admin console signed in, through a
 * short-lived link signed with the shop's webhook secret (no password is
 * stored in WordPress, and Cartwheel takes each link once).
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

add_action( 'admin_menu', 'cartwheel_console_menu' );
add_action( 'admin_post_cartwheel_console', 'cartwheel_handle_open_console' );

/**
 * Adds the top-level Cartwheel menu item for people who manage the shop.
 */
function cartwheel_console_menu() {
	add_menu_page( __( 'Cartwheel', 'cartwheel' ), __( 'Cartwheel', 'cartwheel' ), 'manage_woocommerce', 'cartwheel-console', 'cartwheel_render_console_page', 'dashicons-chart-line', 56 );
}

/**
 * The menu item's page: one button that opens the console in a new tab.
 */
function cartwheel_render_console_page() {
	$url = wp_nonce_url( admin_url( 'admin-post.php?action=cartwheel_console' ), 'cartwheel_console' );
	echo '<div class="wrap"><h1>' . esc_html__( 'Cartwheel', 'cartwheel' ) . '</h1>';
	if ( '' === cartwheel_console_url( 1, '', time(), str_repeat( '0', 32 ) ) ) {
		echo '<p>' . esc_html__( 'Connect the shop first: fill in the Cartwheel URL, the shop id and the webhook secret under Settings → Cartwheel.', 'cartwheel' ) . '</p></div>';
		return;
	}
	echo '<p>' . esc_html__( 'Flows, pop-ups, contacts and what Cartwheel earned are in the Cartwheel console.', 'cartwheel' ) . '</p>';
	echo '<p><a class="button button-primary" target="_blank" rel="noopener" href="' . esc_url( $url ) . '">' . esc_html__( 'Open the Cartwheel console', 'cartwheel' ) . '</a></p></div>';
}

/**
 * Sends the signed-in WordPress user to the console with a fresh link.
 */
function cartwheel_handle_open_console() {
	if ( ! current_user_can( 'manage_woocommerce' ) ) {
		wp_die( esc_html__( 'You are not allowed to open the Cartwheel console.', 'cartwheel' ), 403 );
	}
	check_admin_referer( 'cartwheel_console' );
	$user = wp_get_current_user();
	$url  = cartwheel_console_url( (int) $user->ID, (string) $user->display_name, time(), bin2hex( random_bytes( 16 ) ) );
	if ( '' === $url ) {
		wp_die( esc_html__( 'Connect the shop first: fill in the Cartwheel URL, the shop id and the webhook secret under Settings → Cartwheel.', 'cartwheel' ), 400 );
	}
	// The console is on Cartwheel's own host, which wp_safe_redirect refuses.
	wp_redirect( $url ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect
	exit;
}

/**
 * The console link for a WordPress user: Cartwheel's /admin/wordpress with
 * the shop id, the user, a name to show, the time and a nonce, signed with
 * HMAC-SHA256 under the webhook secret (woocommerce.ConsoleEntry on the Go
 * side). '' while the plugin is not connected.
 *
 * @param int    $user_id WordPress user id.
 * @param string $name    The user's display name.
 * @param int    $now     Unix time.
 * @param string $nonce   32 hex characters, new for every link.
 * @return string
 */
function cartwheel_console_url( $user_id, $name, $now, $nonce ) {
	$base   = rtrim( (string) cartwheel_setting( 'url' ), '/' );
	$shop   = (string) cartwheel_setting( 'shop_id' );
	$secret = (string) cartwheel_setting( 'webhook_secret' );
	$user   = (string) absint( $user_id );
	$name   = substr( sanitize_text_field( $name ), 0, 200 );
	if ( '' === $base || '' === $secret || ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $shop ) || $user_id <= 0 ) {
		return '';
	}
	$ts  = (string) (int) $now;
	$sig = hash_hmac( 'sha256', "cartwheel-console\n" . $shop . "\n" . $user . "\n" . $name . "\n" . $ts . "\n" . $nonce, $secret );
	return $base . '/admin/wordpress?' . http_build_query(
		array(
			'shop'  => $shop,
			'user'  => $user,
			'name'  => $name,
			'ts'    => $ts,
			'nonce' => $nonce,
			'sig'   => $sig,
		),
		'',
		'&',
		PHP_QUERY_RFC3986
	);
}
