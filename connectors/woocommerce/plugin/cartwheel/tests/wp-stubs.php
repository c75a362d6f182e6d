<?php
/**
 * Stand-ins for the few WordPress and WooCommerce functions the plugin
 * calls, for the PHP tests the Go tests run (WordPress cannot be installed
 * here). They keep state the way WordPress does — a hook registry with
 * priorities, options and transients per site with expiry against a clock
 * the test moves, update_option()'s sanitise / pre_update / unchanged /
 * update_option_ sequence — so the tests exercise the plugin's own wiring:
 * what it hooks, stores, signs and prints.
 *
 * @package Cartwheel
 */

// phpcs:disable

define( 'ABSPATH', __DIR__ . '/' );
define( 'HOUR_IN_SECONDS', 3600 );
define( 'DAY_IN_SECONDS', 86400 );
define( 'MINUTE_IN_SECONDS', 60 );
define( 'WPINC', 'wp-includes' );
define( 'WP_PLUGIN_DIR', dirname( __DIR__, 2 ) );

$GLOBALS['cw'] = array(
	'now'          => time(),
	'blog'         => 1,
	'options'      => array(),     // [blog][name] => value.
	'transients'   => array(),     // [blog][name] => [value, expires].
	'hooks'        => array(),     // [name][priority][] => [callback, args].
	'user'         => 0,
	'user_meta'    => array(),     // [user][key] => value.
	'redirect'     => null,
	'notices'      => array(),
	'http'         => array(),     // URLs fetched.
	'textdomains'  => array(),
	'webhooks'     => array(),     // [blog][id] => WC_Webhook.
	'next_webhook' => 1,
	'sites'        => array( 1 ),
	'multisite'    => false,
	'settings_err' => array(),
);

/** The test clock. */
function cw_now() {
	return $GLOBALS['cw']['now'];
}

// Hooks.
function add_filter( $name, $cb, $priority = 10, $args = 1 ) {
	$GLOBALS['cw']['hooks'][ $name ][ $priority ][] = array( $cb, $args );
	return true;
}
function add_action( $name, $cb, $priority = 10, $args = 1 ) {
	return add_filter( $name, $cb, $priority, $args );
}
function remove_action( $name, $cb, $priority = 10 ) {
	if ( isset( $GLOBALS['cw']['hooks'][ $name ][ $priority ] ) ) {
		foreach ( $GLOBALS['cw']['hooks'][ $name ][ $priority ] as $i => $h ) {
			if ( $h[0] === $cb ) {
				unset( $GLOBALS['cw']['hooks'][ $name ][ $priority ][ $i ] );
			}
		}
	}
}
function has_action( $name ) {
	return ! empty( $GLOBALS['cw']['hooks'][ $name ] );
}
function apply_filters( $name, $value, ...$rest ) {
	if ( empty( $GLOBALS['cw']['hooks'][ $name ] ) ) {
		return $value;
	}
	$hooks = $GLOBALS['cw']['hooks'][ $name ];
	ksort( $hooks );
	foreach ( $hooks as $list ) {
		foreach ( $list as $h ) {
			$value = call_user_func_array( $h[0], array_slice( array_merge( array( $value ), $rest ), 0, $h[1] ) );
		}
	}
	return $value;
}
function do_action( $name, ...$args ) {
	if ( empty( $GLOBALS['cw']['hooks'][ $name ] ) ) {
		return;
	}
	$hooks = $GLOBALS['cw']['hooks'][ $name ];
	ksort( $hooks );
	foreach ( $hooks as $list ) {
		foreach ( $list as $h ) {
			call_user_func_array( $h[0], array_slice( $args, 0, $h[1] ) );
		}
	}
}

// Options and transients, per site.
function get_option( $name, $default = false ) {
	$o = $GLOBALS['cw']['options'][ $GLOBALS['cw']['blog'] ] ?? array();
	return array_key_exists( $name, $o ) ? $o[ $name ] : $default;
}
function add_option( $name, $value = '', $deprecated = '', $autoload = null ) {
	$GLOBALS['cw']['options'][ $GLOBALS['cw']['blog'] ][ $name ] = $value;
	do_action( "add_option_{$name}", $name, $value );
	return true;
}
function update_option( $name, $value, $autoload = null ) {
	$value = apply_filters( "sanitize_option_{$name}", $value, $name, $value );
	$old   = get_option( $name );
	$value = apply_filters( "pre_update_option_{$name}", $value, $old, $name );
	if ( $value === $old || serialize( $value ) === serialize( $old ) ) {
		return false;
	}
	if ( false === $old && ! array_key_exists( $name, $GLOBALS['cw']['options'][ $GLOBALS['cw']['blog'] ] ?? array() ) ) {
		return add_option( $name, $value );
	}
	$GLOBALS['cw']['options'][ $GLOBALS['cw']['blog'] ][ $name ] = $value;
	do_action( "update_option_{$name}", $old, $value, $name );
	return true;
}
function delete_option( $name ) {
	unset( $GLOBALS['cw']['options'][ $GLOBALS['cw']['blog'] ][ $name ] );
	return true;
}
function maybe_serialize( $v ) {
	return is_array( $v ) || is_object( $v ) ? serialize( $v ) : $v;
}
function wp_cache_delete( $key, $group = '' ) {
	return true;
}
define( 'ARRAY_A', 'ARRAY_A' );
function register_setting( $group, $name, $args = array() ) {
	if ( ! empty( $args['sanitize_callback'] ) ) {
		add_filter( "sanitize_option_{$name}", $args['sanitize_callback'] );
	}
}
function get_transient( $name ) {
	$t = $GLOBALS['cw']['transients'][ $GLOBALS['cw']['blog'] ][ $name ] ?? null;
	if ( null === $t || ( $t[1] > 0 && $t[1] <= cw_now() ) ) {
		return false;
	}
	return $t[0];
}
function set_transient( $name, $value, $ttl = 0 ) {
	$GLOBALS['cw']['transients'][ $GLOBALS['cw']['blog'] ][ $name ] = array( $value, $ttl > 0 ? cw_now() + $ttl : 0 );
	return true;
}
function delete_transient( $name ) {
	unset( $GLOBALS['cw']['transients'][ $GLOBALS['cw']['blog'] ][ $name ] );
	return true;
}

// Multisite.
function is_multisite() {
	return $GLOBALS['cw']['multisite'];
}
function get_sites( $args = array() ) {
	return $GLOBALS['cw']['sites'];
}
function get_current_blog_id() {
	return $GLOBALS['cw']['blog'];
}
function switch_to_blog( $id ) {
	$GLOBALS['cw']['stack'][] = $GLOBALS['cw']['blog'];
	$GLOBALS['cw']['blog']    = (int) $id;
	$GLOBALS['switched']      = true;
	return true;
}
function restore_current_blog() {
	$GLOBALS['cw']['blog'] = array_pop( $GLOBALS['cw']['stack'] );
	$GLOBALS['switched']   = ! empty( $GLOBALS['cw']['stack'] );
	return true;
}
function is_plugin_active_for_network( $plugin ) {
	return $GLOBALS['cw']['network_active'] ?? false;
}

// Escaping, sanitising, i18n.
function esc_html( $s ) {
	return htmlspecialchars( (string) $s, ENT_QUOTES, 'UTF-8' );
}
function esc_attr( $s ) {
	return esc_html( $s );
}
function esc_url( $s ) {
	return esc_html( $s );
}
function esc_url_raw( $s ) {
	return (string) $s;
}
function esc_js( $s ) {
	return addslashes( (string) $s );
}
function translate( $text, $domain ) {
	return $GLOBALS['cw']['l10n'][ $domain ][ $text ] ?? $text;
}
function __( $text, $domain = 'default' ) {
	return translate( $text, $domain );
}
function _e( $text, $domain = 'default' ) {
	echo translate( $text, $domain );
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( translate( $text, $domain ) );
}
function esc_attr__( $text, $domain = 'default' ) {
	return esc_attr( translate( $text, $domain ) );
}
function esc_html_e( $text, $domain = 'default' ) {
	echo esc_html( translate( $text, $domain ) );
}
/**
 * As WordPress: WP_PLUGIN_DIR/{$rel}/{$domain}-{$locale}.mo, read with a
 * .mo reader of its own (not the plugin's generator).
 */
function load_plugin_textdomain( $domain, $deprecated = false, $rel = false ) {
	$GLOBALS['cw']['textdomains'][ $domain ] = $rel;
	$file = WP_PLUGIN_DIR . '/' . trim( (string) $rel, '/' ) . '/' . $domain . '-' . determine_locale() . '.mo';
	$mo   = is_readable( $file ) ? file_get_contents( $file ) : '';
	if ( strlen( $mo ) < 28 || 0x950412de !== unpack( 'V', $mo )[1] ) {
		return false;
	}
	list( , , $n, $otab, $ttab ) = array_values( unpack( 'V5', $mo ) );
	for ( $i = 0; $i < $n; $i++ ) {
		$o = unpack( 'Vlen/Voff', substr( $mo, $otab + 8 * $i, 8 ) );
		$t = unpack( 'Vlen/Voff', substr( $mo, $ttab + 8 * $i, 8 ) );
		$GLOBALS['cw']['l10n'][ $domain ][ substr( $mo, $o['off'], $o['len'] ) ] = substr( $mo, $t['off'], $t['len'] );
	}
	return true;
}
function determine_locale() {
	return $GLOBALS['cw']['locale'] ?? 'en_US';
}
function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}
function wp_unslash( $v ) {
	return is_string( $v ) ? stripslashes( $v ) : $v;
}
function sanitize_text_field( $s ) {
	return trim( strip_tags( (string) $s ) );
}
function sanitize_email( $s ) {
	return trim( (string) $s );
}
function is_email( $s ) {
	return false !== filter_var( $s, FILTER_VALIDATE_EMAIL );
}
function sanitize_key( $s ) {
	return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $s ) );
}
function absint( $v ) {
	return abs( (int) $v );
}
function untrailingslashit( $s ) {
	return rtrim( (string) $s, '/\\' );
}
function trailingslashit( $s ) {
	return untrailingslashit( $s ) . '/';
}
function wp_parse_args( $args, $defaults = array() ) {
	return array_merge( $defaults, (array) $args );
}
function wp_json_encode( $v, $flags = 0 ) {
	return json_encode( $v, $flags );
}
function checked( $a, $b = true, $echo = true ) {
	$r = (string) $a === (string) $b ? " checked='checked'" : '';
	if ( $echo ) {
		echo $r;
	}
	return $r;
}
function is_wp_error( $v ) {
	return $v instanceof WP_Error;
}
class WP_Error {
	public $code;
	public $message;
	public function __construct( $code = '', $message = '' ) {
		$this->code    = $code;
		$this->message = $message;
	}
	public function get_error_message() {
		return $this->message;
	}
}
function add_settings_error( $setting, $code, $message, $type = 'error' ) {
	$GLOBALS['cw']['settings_err'][] = array( $code, $message, $type );
}
function get_settings_errors() {
	return $GLOBALS['cw']['settings_err'];
}
function wp_generate_password( $n = 12, $special = true ) {
	return substr( bin2hex( random_bytes( $n ) ), 0, $n );
}
function home_url( $path = '' ) {
	return 'https://shop.example' . $path;
}
function admin_url( $path = '' ) {
	return 'https://shop.example/wp-admin/' . $path;
}
/** Both forms: ( key, value, url ) with the value raw, ( array, url ) with values already encoded. */
function add_query_arg( ...$args ) {
	if ( is_array( $args[0] ) ) {
		$url  = $args[1];
		$args = $args[0];
	} else {
		$url  = $args[2];
		$args = array( $args[0] => rawurlencode( $args[1] ) );
	}
	foreach ( $args as $k => $v ) {
		$url .= ( false === strpos( $url, '?' ) ? '?' : '&' ) . $k . '=' . $v;
	}
	return $url;
}
function remove_query_arg( $key, $url = '' ) {
	return preg_replace( '/[?&]' . preg_quote( $key, '/' ) . '=[^&]*/', '', $url );
}
function get_bloginfo( $what ) {
	return '6.7';
}
function is_admin() {
	return false;
}
function wp_safe_redirect( $url, $status = 302 ) {
	$GLOBALS['cw']['redirect'] = $url;
	return true;
}
function nocache_headers() {
}
function status_header( $code ) {
	$GLOBALS['cw']['status'] = $code;
}
function register_activation_hook( $file, $cb ) {
	$GLOBALS['cw']['activation'] = $cb;
}
function register_deactivation_hook( $file, $cb ) {
	$GLOBALS['cw']['deactivation'] = $cb;
}
function add_rewrite_rule( $regex, $query, $after = 'bottom' ) {
	$GLOBALS['cw']['rewrite'][ $GLOBALS['cw']['blog'] ][ $regex ] = $query;
}
function flush_rewrite_rules( $hard = true ) {
	$GLOBALS['cw']['flushed'][] = $GLOBALS['cw']['blog'];
}
function wp_add_inline_script( $handle, $data, $position = 'after' ) {
	$GLOBALS['cw']['inline'][ $handle ][] = $data;
}
function wp_register_script( $handle, $src, $deps = array(), $ver = false, $args = array() ) {
	$GLOBALS['cw']['scripts'][ $handle ] = $src;
}
function wp_enqueue_script( $handle ) {
	$GLOBALS['cw']['enqueued'][] = $handle;
}
function plugins_url( $path, $file = '' ) {
	return 'https://shop.example/wp-content/plugins/cartwheel/' . ltrim( $path, '/' );
}

// Users.
function get_current_user_id() {
	return $GLOBALS['cw']['user'];
}
function is_user_logged_in() {
	return $GLOBALS['cw']['user'] > 0;
}
function get_user_meta( $user, $key, $single = false ) {
	return $GLOBALS['cw']['user_meta'][ $user ][ $key ] ?? '';
}

// HTTP: real requests, through PHP's http stream wrapper, honouring the
// timeout the plugin asks for.
function wp_remote_get( $url, $args = array() ) {
	$GLOBALS['cw']['http'][] = $url;
	$ctx  = stream_context_create(
		array(
			'http' => array(
				'timeout'       => $args['timeout'] ?? 5,
				'ignore_errors' => true,
				'follow_location' => 0,
			),
		)
	);
	$fp = @fopen( $url, 'rb', false, $ctx );
	if ( false === $fp ) {
		return new WP_Error( 'http_request_failed', 'request failed' );
	}
	$body = stream_get_contents( $fp );
	$meta = stream_get_meta_data( $fp );
	fclose( $fp );
	if ( false === $body || ! empty( $meta['timed_out'] ) ) {
		return new WP_Error( 'http_request_failed', 'timed out' );
	}
	$code = 0;
	foreach ( (array) ( $meta['wrapper_data'] ?? array() ) as $h ) {
		if ( preg_match( '#^HTTP/\S+ (\d+)#', $h, $m ) ) {
			$code = (int) $m[1];
		}
	}
	return array(
		'response' => array( 'code' => $code ),
		'body'     => $body,
	);
}
function wp_remote_post( $url, $args = array() ) {
	$GLOBALS['cw']['posts'][] = array( $url, $args );
	return array();
}
function wp_remote_retrieve_response_code( $r ) {
	return is_array( $r ) ? $r['response']['code'] : '';
}
function wp_remote_retrieve_body( $r ) {
	return is_array( $r ) ? $r['body'] : '';
}

// WooCommerce.
function wc_add_notice( $message, $type = 'success' ) {
	$GLOBALS['cw']['notices'][] = array( $type, $message );
}
function wc_get_cart_url() {
	return 'https://shop.example/cart/';
}
function wc_get_checkout_url() {
	return 'https://shop.example/checkout/';
}
function get_woocommerce_currency() {
	return 'EUR';
}
function wc_get_product( $id ) {
	return $GLOBALS['cw']['products'][ (int) $id ] ?? false;
}
function wp_get_attachment_image_url( $id, $size ) {
	return '';
}
function wp_get_current_user() {
	return (object) array(
		'ID'         => $GLOBALS['cw']['user'],
		'user_email' => 'user' . $GLOBALS['cw']['user'] . '@example.com',
	);
}
function get_plugin_data( $file ) {
	return array();
}

class WC_Product {
	public $id;
	public $name;
	public $price;
	public $parent = 0;
	public function __construct( $id, $name, $price, $parent = 0 ) {
		$this->id     = $id;
		$this->name   = $name;
		$this->price  = $price;
		$this->parent = $parent;
	}
	public function get_id() {
		return $this->id;
	}
	public function get_name() {
		return $this->name;
	}
	public function get_price() {
		return $this->price;
	}
	public function get_sku() {
		return '';
	}
	public function get_image_id() {
		return 0;
	}
	public function get_permalink( $line = null ) {
		return 'https://shop.example/p/' . $this->id . '/';
	}
	public function is_purchasable() {
		return true;
	}
}

/** A cart that holds lines the way WC_Cart::get_cart() returns them. */
class WC_Cart {
	public $lines   = array();
	public $coupons = array();
	public function get_cart() {
		return $this->lines;
	}
	public function is_empty() {
		return empty( $this->lines );
	}
	public function add_to_cart( $product_id = 0, $quantity = 1, $variation_id = 0, $variation = array(), $data = array() ) {
		$product = wc_get_product( $variation_id ? $variation_id : $product_id );
		if ( ! $product || $quantity <= 0 ) {
			return false;
		}
		$key                 = md5( $product_id . ':' . $variation_id . ':' . json_encode( $variation ) );
		$this->lines[ $key ] = array(
			'key'           => $key,
			'product_id'    => $product_id,
			'variation_id'  => $variation_id,
			'variation'     => $variation,
			'quantity'      => ( $this->lines[ $key ]['quantity'] ?? 0 ) + $quantity,
			'data'          => $product,
			'line_subtotal' => 0,
		);
		do_action( 'woocommerce_add_to_cart', $key, $product_id, $quantity, $variation_id, $variation, $data );
		return $key;
	}
	public function empty_cart( $clear_persistent = true ) {
		$this->lines   = array();
		$this->coupons = array();
		do_action( 'woocommerce_cart_emptied', $clear_persistent );
	}
	public function get_applied_coupons() {
		return $this->coupons;
	}
	public function apply_coupon( $code ) {
		$this->coupons[] = $code;
		return true;
	}
	public function calculate_totals() {
		foreach ( $this->lines as $k => $l ) {
			$this->lines[ $k ]['line_subtotal'] = $l['quantity'] * (float) $l['data']->get_price();
		}
	}
	public function get_subtotal() {
		$this->calculate_totals();
		return array_sum( array_column( $this->lines, 'line_subtotal' ) );
	}
	public function get_total( $ctx = 'view' ) {
		return $this->get_subtotal();
	}
}

class WC_Session_Stub {
	public $data = array();
	public function get( $key, $default = null ) {
		return $this->data[ $key ] ?? $default;
	}
	public function set( $key, $value ) {
		$this->data[ $key ] = $value;
	}
}

class WC_Customer {
	public $id;
	public $billing_email = '';
	public function __construct( $id = 0, $session = false ) {
		$this->id = (int) $id;
	}
	public function get_id() {
		return $this->id;
	}
	public function get_meta( $key ) {
		return get_user_meta( $this->id, $key, true );
	}
	public function update_meta_data( $key, $value ) {
		$this->pending[ $key ] = $value;
	}
	public function save() {
		foreach ( $this->pending ?? array() as $k => $v ) {
			$GLOBALS['cw']['user_meta'][ $this->id ][ $k ] = $v;
		}
		$GLOBALS['cw']['customer_saves'][] = $this->id;
		return $this->id;
	}
	public function get_billing_email() {
		return $this->billing_email;
	}
}

/** The Store API request: array access to the JSON body, and its method. */
class WP_REST_Request extends ArrayObject {
	public $method = 'POST';
	public function get_method() {
		return $this->method;
	}
}

class WC_Order {
	public $meta        = array();
	public $customer_id = 0;
	public function delete_meta_data( $key ) {
		unset( $this->meta[ $key ] );
	}
	public function get_customer_id() {
		return $this->customer_id;
	}
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ] = $value;
	}
}

class Cartwheel_Test_WC {
	public $cart;
	public $session;
	public $customer;
}
function WC() {
	return $GLOBALS['cw']['wc'];
}
function cw_new_wc() {
	$wc                  = new Cartwheel_Test_WC();
	$wc->cart            = new WC_Cart();
	$wc->session         = new WC_Session_Stub();
	$wc->customer        = new WC_Customer( $GLOBALS['cw']['user'] );
	$GLOBALS['cw']['wc'] = $wc;
	return $wc;
}

/** WooCommerce's webhooks, in memory per site. */
class WC_Webhook {
	public $id     = 0;
	public $props  = array(
		'name'         => '',
		'topic'        => '',
		'delivery_url' => '',
		'secret'       => '',
		'status'       => 'disabled',
		'user_id'      => 0,
		'api_version'  => '',
	);
	public function __call( $m, $a ) {
		if ( 0 === strpos( $m, 'set_' ) ) {
			$this->props[ substr( $m, 4 ) ] = $a[0];
			return null;
		}
		if ( 0 === strpos( $m, 'get_' ) ) {
			return $this->props[ substr( $m, 4 ) ] ?? null;
		}
		throw new Exception( "WC_Webhook::$m" );
	}
	public function get_id() {
		return $this->id;
	}
	public function save() {
		if ( ! $this->id ) {
			$this->id = $GLOBALS['cw']['next_webhook']++;
		}
		$GLOBALS['cw']['webhooks'][ $GLOBALS['cw']['blog'] ][ $this->id ] = clone $this;
		$GLOBALS['cw']['webhook_saves'][]                                = $this->id;
		return $this->id;
	}
	public function delete( $force = false ) {
		unset( $GLOBALS['cw']['webhooks'][ $GLOBALS['cw']['blog'] ][ $this->id ] );
		return true;
	}
}
class Cartwheel_Test_Webhook_Store {
	public function search_webhooks( $args ) {
		return array_keys( $GLOBALS['cw']['webhooks'][ $GLOBALS['cw']['blog'] ] ?? array() );
	}
}
class WC_Data_Store {
	public static function load( $what ) {
		return new Cartwheel_Test_Webhook_Store();
	}
}
/**
 * Collects failed checks; the Go test prints them.
 *
 * @param bool   $ok  The check.
 * @param string $msg What failed.
 */
function check( $ok, $msg ) {
	if ( ! $ok ) {
		$GLOBALS['cw_failures'][] = $msg;
	}
}
$GLOBALS['cw_failures'] = array();

/**
 * Prints the result as JSON for the Go test.
 *
 * @param array $data Observations for the Go side.
 */
function cw_report( array $data = array() ) {
	echo json_encode(
		array(
			'failures' => $GLOBALS['cw_failures'],
			'data'     => (object) $data,
		),
		JSON_UNESCAPED_SLASHES
	);
}
