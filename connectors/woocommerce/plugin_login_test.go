package woocommerce

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The plugin prints a logged-in customer's signed login statement, never
// the email, and Go verifies it for the browser it names only.
func TestPluginLoginStatement(t *testing.T) {
	php := needPHP(t)
	const secret, shop, visitor = "Zq9Xw2Lr7Pt4Vn8K", "shop_abc123", "1234567890123456789"
	run := func(args ...string) (string, struct {
		Customer map[string]string `json:"customer"`
	}) {
		t.Helper()
		out, err := exec.Command(php, append([]string{filepath.Join(pluginDir, "tests", "login-test.php")}, args...)...).Output()
		if err != nil {
			t.Fatalf("php: %v\n%s", err, out)
		}
		var ctx struct {
			Customer map[string]string `json:"customer"`
		}
		if err := json.Unmarshal(out, &ctx); err != nil {
			t.Fatalf("php output: %v\n%s", err, out)
		}
		return string(out), ctx
	}
	raw, ctx := run(secret, shop, visitor)
	if strings.Contains(raw, "carol@example.com") || ctx.Customer["email"] != "" {
		t.Fatalf("the page context prints the customer's email: %s", raw)
	}
	if ctx.Customer["id"] != "42" {
		t.Fatalf("customer %v", ctx.Customer)
	}
	l, err := ParseLogin(ctx.Customer["proof"])
	if err != nil || l.ShopID != shop || l.CustomerID != "42" {
		t.Fatalf("ParseLogin(%q) = %+v, %v", ctx.Customer["proof"], l, err)
	}
	if err := l.Verify(secret, visitor, time.Now()); err != nil {
		t.Errorf("the plugin's statement does not verify: %v", err)
	}
	if err := l.Verify(secret, "another-browser", time.Now()); err == nil {
		t.Error("the statement verifies for another browser")
	}
	if err := l.Verify("another-secret-000", visitor, time.Now()); err == nil {
		t.Error("the statement verifies under another secret")
	}
	if err := l.Verify(secret, visitor, time.Now().Add(2*LoginMaxAge)); err == nil {
		t.Error("a stale statement verifies")
	}
	if want := SignLogin(secret, shop, "42", visitor, l.At); want != ctx.Customer["proof"] {
		t.Errorf("PHP signed %q, Go signs %q", ctx.Customer["proof"], want)
	}
	// Without the visitor cookie (a first page) there is nothing to sign for.
	if _, ctx := run(secret, shop, ""); ctx.Customer["proof"] != "" {
		t.Errorf("a statement without a visitor id: %v", ctx.Customer)
	}
}
