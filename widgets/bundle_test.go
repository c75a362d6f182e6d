package widgets

import (
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
	for _, p := range b.SyntaxProblems() {
		t.Errorf("minified w.js %s", p)
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

// TestWidgetBundleCORS: any origin may load w.js (shops' pages load it
// with the crossorigin attribute). The rest of how it is served (headers,
// gzip, ETag, 304, HEAD, 405) is internal/jsasset's, and tested there.
func TestWidgetBundleCORS(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestBundle(t).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/w.js", nil))
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
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
