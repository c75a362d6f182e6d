package tracker

import (
	"testing"
)

// How t.js and tc.js are served (headers, gzip, ETag, 304, HEAD, 405) is
// internal/jsasset's, and tested there.

func newTestScript(t *testing.T) *Script {
	t.Helper()
	s, err := NewScript()
	if err != nil {
		t.Fatalf("NewScript: %v", err)
	}
	return s
}

// TestScriptSizeBudget holds t.js to its budget. The figure is printed so
// that docs and reviews quote the real number.
func TestScriptSizeBudget(t *testing.T) {
	s := newTestScript(t)
	t.Logf("t.js: source %d bytes, minified %d bytes, gzipped %d bytes (budget %d)", s.SourceSize(), s.Size(), s.GzipSize(), MaxGzipSize)
	if s.GzipSize() > MaxGzipSize {
		t.Fatalf("t.js is %d bytes gzipped, over the %d-byte budget: move code that is not needed on every page to a file loaded on demand", s.GzipSize(), MaxGzipSize)
	}
}

// TestScriptSyntaxLevel guards against syntax newer than ES2017 slipping in,
// from the source or from the minifier. A text check, not a parser: it looks
// for the forms that are easy to write by habit.
func TestScriptSyntaxLevel(t *testing.T) {
	for _, p := range newTestScript(t).SyntaxProblems() {
		t.Errorf("minified t.js %s", p)
	}
}

// TestCartScript checks tc.js, the cart adapter, like t.js: ES2017, one
// IIFE; its size is printed for the docs (it loads only on Shopify and
// WooCommerce storefronts, so it has no budget of its own).
func TestCartScript(t *testing.T) {
	s, err := NewCartScript()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tc.js: source %d bytes, minified %d bytes, gzipped %d bytes", s.SourceSize(), s.Size(), s.GzipSize())
	for _, p := range s.SyntaxProblems() {
		t.Errorf("minified tc.js %s", p)
	}
}
