package widgets

import (
	"github.com/cartwheelhq/cartwheel/internal/jsasset"

	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func newTestBundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := NewBundle()
	if err != nil {
		t.Fatalf("NewBundle: %v", err)
	}
	return b
}

// TestWidgetBundleSizeBudget holds w.js to its budget and prints the figure
// that docs and reviews quote.
func TestWidgetBundleSizeBudget(t *testing.T) {
	b := newTestBundle(t)
	t.Logf("w.js: source %d bytes, minified %d bytes, gzipped %d bytes (budget %d)", b.SourceSize(), b.Size(), b.GzipSize(), MaxBundleGzipSize)
	if b.GzipSize() > MaxBundleGzipSize {
		t.Fatalf("w.js is %d bytes gzipped, over the %d-byte budget", b.GzipSize(), MaxBundleGzipSize)
	}
}

// TestWidgetBundleMinifies: the embedded source minifies (the server falls
// back to the raw source otherwise) into one ES2017 IIFE.
func TestWidgetBundleMinifies(t *testing.T) {
	b := newTestBundle(t)
	if BundleHandler().Size() != b.Size() {
		t.Errorf("BundleHandler serves %d bytes, NewBundle makes %d: it fell back to the source", BundleHandler().Size(), b.Size())
	}
	min := string(b.Bytes())
	for _, bad := range []string{"catch{", "??", "?.(", "?.[", "**=", "||=", "&&=", "?.replace", "?.length"} {
		if strings.Contains(min, bad) {
			t.Errorf("minified w.js contains %q, which is newer than ES2017", bad)
		}
	}
	if !strings.HasPrefix(min, "((") || !strings.HasSuffix(strings.TrimSpace(min), "(window,document)") {
		t.Errorf("w.js is not one IIFE: %.40q … %.40q", min, min[max(0, len(min)-40):])
	}
}

// TestWidgetBundleStrictCSPSafe looks for what a strict CSP (no
// 'unsafe-eval', no 'unsafe-inline', Trusted Types) refuses: eval and its
// relatives, HTML parsing from strings, inline handlers and style
// attributes. The browser test (TestWidgetsUnderStrictCSP) proves the rest.
func TestWidgetBundleStrictCSPSafe(t *testing.T) {
	src := string(newTestBundle(t).Bytes()) // without the comments
	for _, re := range []string{
		`\beval\(`, `new Function\(`, `setTimeout\(\s*['"]`, `setInterval\(\s*['"]`,
		`innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document\.write`, `createContextualFragment`,
		`\.style\.`, `setAttribute\(\s*['"]style['"]`, `setAttribute\(\s*['"]on[a-z]+['"]`, `\.on(click|load|error|submit|keydown)\s*=`,
		`javascript:`,
	} {
		if m := regexp.MustCompile(re).FindString(src); m != "" {
			t.Errorf("w.js uses %q, which a strict CSP blocks", m)
		}
	}
	if !strings.Contains(src, "adoptedStyleSheets") {
		t.Error("w.js does not style through constructed stylesheets")
	}
}

func TestWidgetBundleServe(t *testing.T) {
	b := newTestBundle(t)
	srv := httptest.NewServer(b)
	defer srv.Close()
	get := func(t *testing.T, method string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/w.js", nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	resp, body := get(t, http.MethodGet, nil)
	for k, v := range map[string]string{
		"Content-Type":           "application/javascript; charset=utf-8",
		"Cache-Control":          jsasset.CacheControl,
		"ETag":                   b.ETag(),
		"Vary":                   "Accept-Encoding",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if resp.StatusCode != 200 || !bytes.Equal(body, b.Bytes()) || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("plain GET: status %d, %d bytes, encoding %q", resp.StatusCode, len(body), resp.Header.Get("Content-Encoding"))
	}

	resp, body = get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) != b.GzipSize() || resp.Header.Get("ETag") == b.ETag() {
		t.Fatalf("gzip GET: encoding %q, %d bytes (want %d), ETag %q", resp.Header.Get("Content-Encoding"), len(body), b.GzipSize(), resp.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, b.Bytes()) {
		t.Error("gunzipped body is not the minified bundle")
	}

	if resp, _ := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip;q=0"}); resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although q=0")
	}
	gzTag := resp.Header.Get("ETag")
	if resp, body := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"x", W/` + gzTag}); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("revalidation: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := get(t, http.MethodGet, map[string]string{"If-None-Match": gzTag}); resp.StatusCode != 200 {
		t.Errorf("the gzip ETag revalidated the identity body: status %d", resp.StatusCode)
	}
	if resp, body := get(t, http.MethodHead, nil); resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := get(t, http.MethodPost, nil); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
}

// The soft push prompt minifies as the bundle does.
func TestPushPromptMinifies(t *testing.T) {
	a, err := newPushPrompt()
	if err != nil {
		t.Fatal(err)
	}
	if a.Size() == 0 || a.Size() >= a.SourceSize() {
		t.Errorf("push prompt: minified %d bytes from %d", a.Size(), a.SourceSize())
	}
	t.Logf("push-prompt.js: source %d bytes, minified %d bytes, gzipped %d bytes", a.SourceSize(), a.Size(), a.GzipSize())
}
