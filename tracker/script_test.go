package tracker

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

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
	min := string(newTestScript(t).Bytes())
	for _, bad := range []string{"catch{", "??", "?.(", "?.[", "**=", "||=", "&&="} {
		if strings.Contains(min, bad) {
			t.Errorf("minified t.js contains %q, which is newer than ES2017", bad)
		}
	}
	if !strings.HasPrefix(min, "((") || !strings.HasSuffix(strings.TrimSpace(min), "(window,document)") {
		t.Errorf("t.js is not one IIFE: %.40q … %.40q", min, min[max(0, len(min)-40):])
	}
}

func TestScriptServe(t *testing.T) {
	s := newTestScript(t)
	srv := httptest.NewServer(s)
	defer srv.Close()

	get := func(t *testing.T, method string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/t.js", nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// A bare transport: the default one would add Accept-Encoding and
		// decompress behind our back.
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

	t.Run("plain", func(t *testing.T) {
		resp, body := get(t, http.MethodGet, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		want := map[string]string{
			"Content-Type":  "application/javascript; charset=utf-8",
			"Cache-Control": "public, max-age=86400, stale-while-revalidate=604800",
			"Vary":          "Accept-Encoding",
			"ETag":          s.ETag(),
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q without Accept-Encoding", resp.Header.Get("Content-Encoding"))
		}
		if !bytes.Equal(body, s.Bytes()) {
			t.Errorf("body is not the minified script")
		}
	})

	t.Run("gzip", func(t *testing.T) {
		resp, body := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
		}
		if len(body) != s.GzipSize() {
			t.Errorf("gzipped body is %d bytes, GzipSize says %d", len(body), s.GzipSize())
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, s.Bytes()) {
			t.Errorf("gunzipped body is not the minified script")
		}
		if resp.Header.Get("ETag") == s.ETag() {
			t.Errorf("gzip and identity share the strong ETag %s", s.ETag())
		}
	})

	t.Run("gzip refused", func(t *testing.T) {
		resp, _ := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip sent although q=0")
		}
	})

	t.Run("not modified", func(t *testing.T) {
		first, _ := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip"})
		resp, body := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"other", ` + first.Header.Get("ETag")})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("status %d with %d body bytes, want 304 and none", resp.StatusCode, len(body))
		}
		resp, _ = get(t, http.MethodGet, map[string]string{"If-None-Match": `"stale"`})
		if resp.StatusCode != 200 {
			t.Errorf("stale ETag: status %d, want 200", resp.StatusCode)
		}
	})

	t.Run("head", func(t *testing.T) {
		resp, body := get(t, http.MethodHead, nil)
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") == "" {
			t.Errorf("HEAD: status %d, %d body bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
		}
	})

	t.Run("post", func(t *testing.T) {
		resp, _ := get(t, http.MethodPost, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
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
	min := string(s.Bytes())
	for _, bad := range []string{"catch{", "??", "?.(", "?.[", "**=", "||=", "&&="} {
		if strings.Contains(min, bad) {
			t.Errorf("minified tc.js contains %q, which is newer than ES2017", bad)
		}
	}
	if !strings.HasPrefix(min, "((") || !strings.HasSuffix(strings.TrimSpace(min), "(window,document)") {
		t.Errorf("tc.js is not one IIFE")
	}
}
