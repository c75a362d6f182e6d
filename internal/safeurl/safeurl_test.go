package safeurl

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, bad := range []string{
		"javascript:alert(document.cookie)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
		"java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)", "file:///etc/passwd", "https:///nohost", "http:", "mailto:x@example.com",
	} {
		if err := Check(bad); !errors.Is(err, ErrUnsafe) {
			t.Errorf("Check(%q) = %v, want ErrUnsafe", bad, err)
		}
	}
	for _, good := range []string{"", "https://shop.example/cart", "HTTP://shop.example", "/cart", "products/x", "?q=1", "#top", "//cdn.example/x.png"} {
		if err := Check(good); err != nil {
			t.Errorf("Check(%q) = %v", good, err)
		}
	}
}

func TestResolve(t *testing.T) {
	for raw, want := range map[string]string{
		"/cart": "https://shop.example/cart", "https://other.example/x": "https://other.example/x", "": "",
		"products/x": "https://shop.example/products/x",
	} {
		if got, err := Resolve(raw, "https://shop.example"); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	if got, err := Resolve("/cart", ""); err != nil || got != "/cart" {
		t.Errorf("no base: %q %v", got, err)
	}
	if _, err := Resolve("javascript:alert(1)", "https://shop.example"); !errors.Is(err, ErrUnsafe) {
		t.Errorf("javascript: resolved: %v", err)
	}
}
