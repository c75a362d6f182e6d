package email

import (
	"strings"
	"testing"
)

func TestWithoutOpenPixel(t *testing.T) {
	tr := testTracker()
	in := `<html><body><p>Hi</p><img src="https://cdn.shop.example/p.png" width="1" height="1" alt="a real 1×1 image"></body></html>`
	out, err := tr.Rewrite(in, "msg_abc123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "/o/msg_abc123.gif") {
		t.Fatalf("Rewrite added no open pixel: %s", out)
	}
	got := WithoutOpenPixel(out)
	if strings.Contains(got, "/o/msg_abc123.gif") {
		t.Errorf("the open pixel is still there: %s", got)
	}
	if !strings.Contains(got, "https://cdn.shop.example/p.png") || !strings.Contains(got, "<p>Hi</p>") {
		t.Errorf("more than the pixel was removed: %s", got)
	}
}
