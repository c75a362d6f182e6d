<?php
/**
 * Uninstall on a two-site network with WooCommerce inactive (its
 * functions are not loaded): each site's webhooks of this plugin are
 * deleted from WooCommerce's table, others' stay; options, the cached
 * worker and saved carts go. Prints what is left.
 *
 * @package Cartwheel
 */

// phpcs:disable

require __DIR__ . '/wp-stubs.php';

/**
 * $wpdb over the stand-ins' per-site options and transients, and a
 * wc_webhooks table per site, as WordPress prefixes them (wp_, wp_2_).
 */
class Cartwheel_Test_WPDB {
	public $tables = array(); // [table] => [webhook_id => row].
	public $queries = array();
	public function __get( $name ) {
		$blog = $GLOBALS['cw']['blog'];
		$prefix = 1 === $blog ? 'wp_' : "wp_{$blog}_";
		return 'prefix' === $name ? $prefix : ( 'options' === $name ? $prefix . 'options' : null );
	}
	public function esc_like( $s ) {
		return addcslashes( $s, '_%\\' );
	}
	public function prepare( $sql, ...$args ) {
		foreach ( $args as $a ) {
			$sql = preg_replace( '/%[sd]/', is_int( $a ) ? (string) $a : "'" . addslashes( $a ) . "'", $sql, 1 );
		}
		return $sql;
	}
	public function get_var( $sql ) {
		if ( preg_match( "/^SHOW TABLES LIKE '(.*)'$/", $sql, $m ) ) {
			$t = stripslashes( str_replace( array( '\\\\_', '\\_' ), '_', $m[1] ) );
			return isset( $this->tables[ $t ] ) ? $t : null;
		}
		return null;
	}
	public function delete( $table, $where, $format = null ) {
		if ( ! isset( $this->tables[ $table ][ $where['webhook_id'] ] ) ) {
			return 0;
		}
		unset( $this->tables[ $table ][ $where['webhook_id'] ] );
		return 1;
	}
	public function query( $sql ) {
		$this->queries[] = $sql;
		// Transients live in the options table as _transient_{name}.
		if ( preg_match( "/^DELETE FROM (\S+) WHERE option_name LIKE '_transient_(\S+)%'/", str_replace( '\\\\_', '_', stripslashes( $sql ) ), $m ) && $m[1] === $this->options ) {
			$prefix = str_replace( '\\_', '_', $m[2] );
			foreach ( array_keys( $GLOBALS['cw']['transients'][ $GLOBALS['cw']['blog'] ] ?? array() ) as $name ) {
				if ( 0 === strpos( $name, $prefix ) ) {
					unset( $GLOBALS['cw']['transients'][ $GLOBALS['cw']['blog'] ][ $name ] );
				}
			}
		}
		return 1;
	}
}

$wpdb                        = new Cartwheel_Test_WPDB();
$GLOBALS['cw']['multisite']  = true;
$GLOBALS['cw']['sites']      = array( 1, 2 );
foreach ( array( 1 => 'wp_', 2 => 'wp_2_' ) as $site => $prefix ) {
	$GLOBALS['cw']['blog'] = $site;
	add_option( 'cartwheel_settings', array( 'url' => 'https://cw.example' ) );
	add_option( 'cartwheel_webhook_ids', array( 10 * $site + 1, 10 * $site + 2 ) );
	add_option( 'cartwheel_sw_last', array( 'url' => 'x', 'js' => 'y' ) );
	add_option( 'unrelated', 'stays' );
	set_transient( 'cartwheel_sw_js', array(), 3600 );
	set_transient( 'cartwheel_rc_abcdef0123456789abcdef0123456789', array( 'items' => array() ), 3600 );
	set_transient( 'other_plugin', 1, 3600 );
	$wpdb->tables[ $prefix . 'wc_webhooks' ] = array(
		10 * $site + 1 => array( 'name' => 'Cartwheel order.created' ),
		10 * $site + 2 => array( 'name' => 'Cartwheel order.updated' ),
		99             => array( 'name' => 'Another plugin' ),
	);
}
$GLOBALS['cw']['blog'] = 1;

define( 'WP_UNINSTALL_PLUGIN', 'cartwheel/cartwheel.php' );
check( ! function_exists( 'wc_get_webhook' ), 'WooCommerce is loaded in a test of its absence' );
require dirname( __DIR__ ) . '/uninstall.php';

foreach ( array( 1 => 'wp_', 2 => 'wp_2_' ) as $site => $prefix ) {
	check( array( 99 ) === array_keys( $wpdb->tables[ $prefix . 'wc_webhooks' ] ), "site $site: webhooks left " . json_encode( array_keys( $wpdb->tables[ $prefix . 'wc_webhooks' ] ) ) );
	$left = array_keys( $GLOBALS['cw']['options'][ $site ] ?? array() );
	check( array( 'unrelated' ) === $left, "site $site: options left " . json_encode( $left ) );
	$left = array_keys( $GLOBALS['cw']['transients'][ $site ] ?? array() );
	check( array( 'other_plugin' ) === $left, "site $site: transients left " . json_encode( $left ) );
}
check( 1 === $GLOBALS['cw']['blog'], 'uninstall did not return to the current site' );

cw_report();
