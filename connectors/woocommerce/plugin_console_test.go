package woocommerce

import (
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The plugin's menu item makes a console link that Go verifies under the
// shop's webhook secret only, and only while it is fresh.
func TestPluginConsoleLink(t *testing.T) {
	php := needPHP(t)
	const secret, shop, nonce = "Zq9Xw2Lr7Pt4Vn8K", "shop_abc123", "0123456789abcdef0123456789abcdef"
	now := time.Now()
	out, err := exec.Command(php, filepath.Join(pluginDir, "tests", "console-test.php"), "https://cw.example/", shop, secret,
		"7", "Zofia Kowalska", strconv.FormatInt(now.Unix(), 10), nonce).Output()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	link, err := url.Parse(string(out))
	if err != nil || link.Scheme != "https" || link.Host != "cw.example" || link.Path != "/admin/wordpress" {
		t.Fatalf("console link %q (%v)", out, err)
	}
	e, err := ParseConsoleEntry(link.Query())
	if err != nil || e.ShopID != shop || e.UserID != "7" || e.Name != "Zofia Kowalska" {
		t.Fatalf("ParseConsoleEntry: %+v %v", e, err)
	}
	if err := e.Verify(secret, now); err != nil {
		t.Errorf("the plugin's link does not verify: %v", err)
	}
	if want := SignConsoleEntry(secret, shop, "7", "Zofia Kowalska", nonce, e.At); !strings.Contains(want, "sig="+link.Query().Get("sig")) {
		t.Errorf("PHP and Go sign differently: %s vs %s", link.RawQuery, want)
	}
	if err := e.Verify("another-secret-000", now); err == nil {
		t.Error("the link verifies under another secret")
	}
	if err := e.Verify(secret, now.Add(ConsoleEntryMaxAge+time.Minute)); err == nil {
		t.Error("a stale link verifies")
	}
	q := link.Query()
	q.Set("user", "1") // the administrator's id instead of the shop manager's
	if e2, err := ParseConsoleEntry(q); err == nil && e2.Verify(secret, now) == nil {
		t.Error("a link with another user verifies")
	}
	// Not connected: no link.
	out, err = exec.Command(php, filepath.Join(pluginDir, "tests", "console-test.php"), "", shop, secret, "7", "Z",
		strconv.FormatInt(now.Unix(), 10), nonce).Output()
	if err != nil || len(out) != 0 {
		t.Errorf("an unconnected plugin made a link %q (%v)", out, err)
	}
}
