<?php
/**
 * Settings → Cartwheel.
 *
 * @package Cartwheel
 */

defined( 'ABSPATH' ) || exit;

add_action( 'admin_init', 'cartwheel_register_setting' );
add_action( 'admin_menu', 'cartwheel_admin_menu' );
add_action( 'admin_post_cartwheel_register_webhooks', 'cartwheel_handle_register_webhooks' );
add_action( 'update_option_' . CARTWHEEL_OPTION, 'cartwheel_settings_saved', 10, 2 );
add_filter( 'pre_update_option_' . CARTWHEEL_OPTION, 'cartwheel_settings_unchanged', 10, 2 );
add_action( 'add_option_' . CARTWHEEL_OPTION, 'cartwheel_settings_added', 10, 2 );
add_filter( 'plugin_action_links_' . plugin_basename( CARTWHEEL_PLUGIN_FILE ), 'cartwheel_action_links' );

/**
 * Registers the option; options.php checks the nonce and the capability and
 * calls the sanitiser.
 */
function cartwheel_register_setting() {
	register_setting(
		'cartwheel',
		CARTWHEEL_OPTION,
		array(
			'type'              => 'array',
			'sanitize_callback' => 'cartwheel_sanitize_settings',
			'default'           => cartwheel_default_settings(),
			'show_in_rest'      => false,
		)
	);
}

/**
 * Adds the page under Settings.
 */
function cartwheel_admin_menu() {
	add_options_page( __( 'Cartwheel', 'cartwheel' ), __( 'Cartwheel', 'cartwheel' ), 'manage_options', 'cartwheel', 'cartwheel_render_settings_page' );
}

/**
 * Links to the settings from the plugins list.
 *
 * @param array $links Action links.
 * @return array
 */
function cartwheel_action_links( $links ) {
	array_unshift( $links, '<a href="' . esc_url( admin_url( 'options-general.php?page=cartwheel' ) ) . '">' . esc_html__( 'Settings', 'cartwheel' ) . '</a>' );
	return $links;
}

/**
 * First save: the option did not exist yet.
 *
 * @param string $option Option name.
 * @param array  $value  New settings.
 */
function cartwheel_settings_added( $option, $value ) {
	cartwheel_settings_saved( array(), $value );
}

/**
 * A save that changes nothing: update_option() then returns before its
 * update_option_{name} action, yet the save must still re-register (a
 * webhook WooCommerce disabled after failed deliveries, or one deleted by
 * hand, comes back), as the settings page promises. Registration is
 * idempotent.
 *
 * @param mixed $value New settings, already sanitised.
 * @param mixed $old   Stored settings.
 * @return mixed The value, unchanged.
 */
function cartwheel_settings_unchanged( $value, $old ) {
	if ( $value === $old || maybe_serialize( $value ) === maybe_serialize( $old ) ) {
		cartwheel_settings_saved( $old, $value );
	}
	return $value;
}

/**
 * After a save: the cached worker may come from an old URL, and the
 * webhooks must follow the new URL, shop id or secret.
 *
 * @param array $old   Previous settings.
 * @param array $value New settings.
 */
function cartwheel_settings_saved( $old, $value ) {
	delete_transient( CARTWHEEL_SW_TRANSIENT );
	delete_transient( CARTWHEEL_SW_FAILED );
	if ( ! cartwheel_webhooks_configured() ) {
		return;
	}
	cartwheel_report_registration( cartwheel_register_webhooks() );
}

/**
 * Turns a registration result into a settings notice.
 *
 * @param array|WP_Error $result What cartwheel_register_webhooks() returned.
 */
function cartwheel_report_registration( $result ) {
	if ( is_wp_error( $result ) ) {
		add_settings_error( CARTWHEEL_OPTION, 'cartwheel_webhooks', $result->get_error_message() );
		return;
	}
	add_settings_error(
		CARTWHEEL_OPTION,
		'cartwheel_webhooks',
		sprintf(
			/* translators: 1: webhooks created, 2: webhooks updated, 3: webhooks already in place, 4: old webhooks deleted. */
			__( 'Webhooks: %1$d created, %2$d updated, %3$d already in place, %4$d old ones deleted.', 'cartwheel' ),
			$result['created'],
			$result['updated'],
			$result['unchanged'],
			$result['deleted']
		),
		'success'
	);
}

/**
 * The "Register webhooks again" button.
 */
function cartwheel_handle_register_webhooks() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'cartwheel' ), 403 );
	}
	check_admin_referer( 'cartwheel_register_webhooks' );
	cartwheel_report_registration( cartwheel_register_webhooks() );
	set_transient( 'settings_errors', get_settings_errors(), 30 );
	wp_safe_redirect( add_query_arg( 'settings-updated', 'true', admin_url( 'options-general.php?page=cartwheel' ) ) );
	exit;
}

/**
 * Renders the settings page.
 */
function cartwheel_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$s          = wp_parse_args( (array) get_option( CARTWHEEL_OPTION, array() ), cartwheel_default_settings() );
	$has_secret = '' !== (string) $s['webhook_secret'];
	$hooks      = function_exists( 'wc_get_webhook' ) ? array_filter( array_map( 'wc_get_webhook', array_map( 'absint', (array) get_option( CARTWHEEL_WEBHOOK_IDS, array() ) ) ) ) : array();
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Cartwheel', 'cartwheel' ); ?></h1>
		<form method="post" action="<?php echo esc_url( admin_url( 'options.php' ) ); ?>">
			<?php settings_fields( 'cartwheel' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="cartwheel-url"><?php esc_html_e( 'Cartwheel URL', 'cartwheel' ); ?></label></th>
					<td><input type="url" class="regular-text code" id="cartwheel-url" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[url]" value="<?php echo esc_attr( $s['url'] ); ?>" placeholder="https://cartwheel.example.com" />
					<p class="description"><?php esc_html_e( 'The address of your Cartwheel server.', 'cartwheel' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="cartwheel-site-key"><?php esc_html_e( 'Site key', 'cartwheel' ); ?></label></th>
					<td><input type="text" class="regular-text code" id="cartwheel-site-key" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[site_key]" value="<?php echo esc_attr( $s['site_key'] ); ?>" /></td>
				</tr>
				<tr>
					<th scope="row"><label for="cartwheel-shop-id"><?php esc_html_e( 'Shop id', 'cartwheel' ); ?></label></th>
					<td><input type="text" class="regular-text code" id="cartwheel-shop-id" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[shop_id]" value="<?php echo esc_attr( $s['shop_id'] ); ?>" /></td>
				</tr>
				<tr>
					<th scope="row"><label for="cartwheel-secret"><?php esc_html_e( 'Webhook secret', 'cartwheel' ); ?></label></th>
					<td><input type="password" class="regular-text code" id="cartwheel-secret" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[webhook_secret]" value="" autocomplete="new-password" placeholder="<?php echo esc_attr( $has_secret ? __( 'set — leave empty to keep it', 'cartwheel' ) : '' ); ?>" />
					<p class="description"><?php esc_html_e( 'The secret Cartwheel shows for this shop: 16 to 128 letters and digits.', 'cartwheel' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><?php esc_html_e( 'Options', 'cartwheel' ); ?></th>
					<td><fieldset>
						<label><input type="checkbox" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[enable_push]" value="1" <?php checked( $s['enable_push'] ); ?> /> <?php esc_html_e( 'Enable web push (serves /cartwheel-sw.js)', 'cartwheel' ); ?></label><br />
						<label><input type="checkbox" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[require_consent]" value="1" <?php checked( $s['require_consent'] ); ?> /> <?php esc_html_e( 'Track only after the visitor consents', 'cartwheel' ); ?></label><br />
						<label><input type="checkbox" name="<?php echo esc_attr( CARTWHEEL_OPTION ); ?>[consent_field]" value="1" <?php checked( $s['consent_field'] ); ?> /> <?php esc_html_e( 'Ask for email consent at checkout (guests too), registration and in account details', 'cartwheel' ); ?></label>
					</fieldset></td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>

		<h2><?php esc_html_e( 'Webhooks', 'cartwheel' ); ?></h2>
		<?php if ( $hooks ) : ?>
			<table class="widefat striped">
				<thead><tr><th><?php esc_html_e( 'Topic', 'cartwheel' ); ?></th><th><?php esc_html_e( 'Status', 'cartwheel' ); ?></th><th><?php esc_html_e( 'Delivery URL', 'cartwheel' ); ?></th></tr></thead>
				<tbody>
				<?php foreach ( $hooks as $hook ) : ?>
					<tr><td><code><?php echo esc_html( $hook->get_topic() ); ?></code></td><td><?php echo esc_html( $hook->get_status() ); ?></td><td><code><?php echo esc_html( $hook->get_delivery_url() ); ?></code></td></tr>
				<?php endforeach; ?>
				</tbody>
			</table>
		<?php else : ?>
			<p><?php esc_html_e( 'None registered yet. They are registered whenever the settings are saved.', 'cartwheel' ); ?></p>
		<?php endif; ?>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="cartwheel_register_webhooks" />
			<?php wp_nonce_field( 'cartwheel_register_webhooks' ); ?>
			<?php submit_button( __( 'Register webhooks again', 'cartwheel' ), 'secondary', 'submit', false ); ?>
		</form>
	</div>
	<?php
}
