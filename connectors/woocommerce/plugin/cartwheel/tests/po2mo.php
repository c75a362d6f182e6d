<?php
/**
 * Compiles a gettext .po file into the .mo WordPress loads, for machines
 * without msgfmt: php tests/po2mo.php languages/cartwheel-pl_PL.po
 * writes languages/cartwheel-pl_PL.mo. Untranslated and fuzzy entries are
 * left out, as msgfmt does; no hash table (WordPress does not read it).
 * TestPluginTranslations checks the committed .mo is this file's output.
 *
 * @package Cartwheel
 */

// phpcs:disable

if ( 'cli' !== PHP_SAPI || empty( $argv[1] ) ) {
	fwrite( STDERR, "usage: php po2mo.php FILE.po [OUT.mo]\n" );
	exit( 2 );
}

/**
 * Reads the entries of a .po file.
 *
 * @param string $text The file.
 * @return array msgid => msgstr ("\0" joins plural forms and msgctxt "\4" msgid).
 */
function cartwheel_po_entries( $text ) {
	$entries = array();
	$cur     = array();
	$field   = '';
	$fuzzy   = false;
	$flush   = function () use ( &$entries, &$cur, &$fuzzy ) {
		if ( isset( $cur['msgid'] ) ) {
			$id = ( isset( $cur['msgctxt'] ) ? $cur['msgctxt'] . "\4" : '' ) . $cur['msgid'];
			if ( isset( $cur['msgid_plural'] ) ) {
				$id .= "\0" . $cur['msgid_plural'];
			}
			$forms = array();
			foreach ( $cur as $k => $v ) {
				if ( 0 === strpos( $k, 'msgstr' ) ) {
					$forms[] = $v;
				}
			}
			$str = implode( "\0", $forms );
			if ( ! $fuzzy && '' !== str_replace( "\0", '', $str ) ) {
				$entries[ $id ] = $str;
			}
		}
		$cur   = array();
		$fuzzy = false;
	};
	foreach ( preg_split( '/\r?\n/', $text ) as $line ) {
		$line = trim( $line );
		if ( '' === $line ) {
			continue;
		}
		if ( '#' === $line[0] ) {
			if ( 0 === strpos( $line, '#,' ) && false !== strpos( $line, 'fuzzy' ) ) {
				$flush();
				$fuzzy = true;
			}
			continue;
		}
		if ( preg_match( '/^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$/', $line, $m ) ) {
			if ( ( 'msgid' === $m[1] && isset( $cur['msgid'] ) ) || ( 'msgctxt' === $m[1] && isset( $cur['msgid'] ) ) ) {
				$keep_fuzzy = $fuzzy;
				$flush();
				$fuzzy = $keep_fuzzy;
			}
			$field         = $m[1];
			$cur[ $field ] = stripcslashes( $m[2] );
		} elseif ( preg_match( '/^"(.*)"$/', $line, $m ) && '' !== $field ) {
			$cur[ $field ] .= stripcslashes( $m[1] );
		} else {
			fwrite( STDERR, "po2mo: cannot read: $line\n" );
			exit( 1 );
		}
	}
	$flush();
	return $entries;
}

/**
 * Builds a little-endian .mo file.
 *
 * @param array $entries msgid => msgstr.
 * @return string
 */
function cartwheel_mo_bytes( array $entries ) {
	ksort( $entries, SORT_STRING );
	$n     = count( $entries );
	$ids   = '';
	$strs  = '';
	$otab  = '';
	$ttab  = '';
	$start = 28 + 16 * $n;
	foreach ( $entries as $id => $str ) {
		$otab .= pack( 'VV', strlen( $id ), $start + strlen( $ids ) );
		$ids  .= $id . "\0";
	}
	$start += strlen( $ids );
	foreach ( $entries as $str ) {
		$ttab .= pack( 'VV', strlen( $str ), $start + strlen( $strs ) );
		$strs .= $str . "\0";
	}
	return pack( 'VVVVVVV', 0x950412de, 0, $n, 28, 28 + 8 * $n, 0, 28 + 16 * $n ) . $otab . $ttab . $ids . $strs;
}

$cartwheel_po = file_get_contents( $argv[1] );
if ( false === $cartwheel_po ) {
	exit( 1 );
}
$cartwheel_out = isset( $argv[2] ) ? $argv[2] : preg_replace( '/\.po$/', '', $argv[1] ) . '.mo';
if ( '-' === $cartwheel_out ) {
	echo cartwheel_mo_bytes( cartwheel_po_entries( $cartwheel_po ) );
} else {
	file_put_contents( $cartwheel_out, cartwheel_mo_bytes( cartwheel_po_entries( $cartwheel_po ) ) );
}
