package woocommerce

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const poFile = pluginDir + "/languages/cartwheel-pl_PL.po"

// readPO reads a .po file's translated entries (msgid → msgstr).
func readPO(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	var id, str *string
	var cur *string
	flush := func() {
		if id != nil && str != nil && *str != "" {
			out[*id] = *str
		}
		id, str, cur = nil, nil, nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		var q string
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "msgid "):
			flush()
			id, q = new(string), strings.TrimPrefix(line, "msgid ")
			cur = id
		case strings.HasPrefix(line, "msgstr "):
			str, q = new(string), strings.TrimPrefix(line, "msgstr ")
			cur = str
		case strings.HasPrefix(line, `"`) && cur != nil:
			q = line
		default:
			t.Fatalf("%s:%d: unexpected %q", path, n, line)
		}
		s, err := strconv.Unquote(q)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		*cur += s
	}
	flush()
	return out
}

// readMO reads a little-endian .mo file, independently of the plugin's
// generator.
func readMO(t *testing.T, b []byte) map[string]string {
	t.Helper()
	u32 := func(off uint32) uint32 {
		if int(off)+4 > len(b) {
			t.Fatalf(".mo: offset %d past the end", off)
		}
		return binary.LittleEndian.Uint32(b[off:])
	}
	if u32(0) != 0x950412de || u32(4) != 0 {
		t.Fatalf(".mo: magic %#x revision %d", u32(0), u32(4))
	}
	n, otab, ttab := u32(8), u32(12), u32(16)
	str := func(tab, i uint32) string {
		l, off := u32(tab+8*i), u32(tab+8*i+4)
		if int(off+l) >= len(b) || b[off+l] != 0 {
			t.Fatalf(".mo: string %d not NUL-terminated", i)
		}
		return string(b[off : off+l])
	}
	out := map[string]string{}
	prev := ""
	for i := range n {
		id := str(otab, i)
		if i > 0 && id <= prev {
			t.Errorf(".mo: msgids not sorted: %q after %q (WordPress's lookup needs them sorted)", id, prev)
		}
		prev = id
		out[id] = str(ttab, i)
	}
	return out
}

// pluginStrings lists the translatable strings of the plugin: its gettext
// calls and the header fields WordPress translates (Name, Description).
func pluginStrings(t *testing.T) map[string]bool {
	t.Helper()
	call := regexp.MustCompile(`\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\(\s*'((?:[^'\\]|\\.)*)'\s*(?:,\s*'([^']*)')?\s*\)`)
	out := map[string]bool{}
	for _, f := range pluginFiles(t) {
		if strings.Contains(f, string(filepath.Separator)+"tests"+string(filepath.Separator)) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if m[2] != "cartwheel" {
				t.Errorf("%s: %q is translated in domain %q, want cartwheel", f, m[1], m[2])
			}
			out[strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[1])] = true
		}
	}
	header := readPlugin(t, "cartwheel.php")
	for _, k := range []string{"Plugin Name", "Description"} {
		m := regexp.MustCompile(`(?m)^ \* ` + k + `:\s+(.+)$`).FindStringSubmatch(header)
		if m == nil {
			t.Fatalf("cartwheel.php has no %s", k)
		}
		out[m[1]] = true
	}
	return out
}

// The plugin declares its text domain and where its translations are,
// every user-facing string goes through gettext in that domain, the
// Polish .po translates each of them, and the committed .mo is exactly
// what tests/po2mo.php compiles from the .po (and reads back the same
// through an independent reader). The PHP test then loads it as WordPress
// would and sees the consent box, a notice and the settings page in Polish.
func TestPluginTranslations(t *testing.T) {
	header := readPlugin(t, "cartwheel.php")
	for _, h := range []string{"Text Domain:          cartwheel", "Domain Path:          /languages", "load_plugin_textdomain( 'cartwheel'"} {
		if !strings.Contains(header, h) {
			t.Errorf("cartwheel.php lacks %q", h)
		}
	}
	po := readPO(t, poFile)
	if !strings.Contains(po[""], "Language: pl_PL") || !strings.Contains(po[""], "Plural-Forms: nplurals=3;") {
		t.Errorf(".po header: %q", po[""])
	}
	src := pluginStrings(t)
	if len(src) < 25 {
		t.Fatalf("only %d translatable strings found", len(src))
	}
	for s := range src {
		if po[s] == "" {
			t.Errorf("no Polish translation of %q", s)
		}
	}
	for s := range po {
		if s != "" && !src[s] {
			t.Errorf("the .po translates %q, which the plugin no longer says", s)
		}
	}

	mo, err := os.ReadFile(strings.TrimSuffix(poFile, ".po") + ".mo")
	if err != nil {
		t.Fatal(err)
	}
	got := readMO(t, mo)
	if len(got) != len(po) {
		t.Errorf(".mo has %d entries, .po %d", len(got), len(po))
	}
	for id, str := range po {
		if got[id] != str {
			t.Errorf(".mo translates %q as %q, .po as %q", id, got[id], str)
		}
	}
	php := needPHP(t)
	built, err := exec.Command(php, filepath.Join(pluginDir, "tests", "po2mo.php"), poFile, "-").Output()
	if err != nil {
		t.Fatalf("po2mo.php: %v", err)
	}
	if !bytes.Equal(built, mo) {
		t.Errorf("languages/cartwheel-pl_PL.mo is stale: run php tests/po2mo.php languages/cartwheel-pl_PL.po")
	}

	runPluginTest(t, "i18n-test.php")
}
