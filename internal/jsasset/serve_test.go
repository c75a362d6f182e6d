package jsasset

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// testSrc is a small script, long enough for gzip to pay.
const testSrc = `((w, d) => {
  try {
    let greeting = 'hello, ' + d.title;
    w.console && w.console.log(greeting, greeting, greeting);
  } catch (x) {}
})(window, document);
`

func newTestAsset(t *testing.T) *Asset {
	t.Helper()
	a, err := New("test.js", []byte(testSrc))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// TestServe covers what every script served through an Asset gets (the
// tracker, its cart adapter, the widget bundle): headers, gzip with its own
// ETag, revalidation, HEAD and the refused methods.
func TestServe(t *testing.T) {
	s := newTestAsset(t)
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
			"Content-Type":           "application/javascript; charset=utf-8",
			"Cache-Control":          "public, max-age=86400, stale-while-revalidate=604800",
			"Vary":                   "Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
			"ETag":                   s.ETag(),
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q without Accept-Encoding", resp.Header.Get("Content-Encoding"))
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q without WithCORS", got)
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
		for _, ae := range []string{"gzip;q=0, identity", "gzip;q=0"} {
			resp, _ := get(t, http.MethodGet, map[string]string{"Accept-Encoding": ae})
			if resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("Accept-Encoding %q: gzip sent although q=0", ae)
			}
		}
	})

	t.Run("not modified", func(t *testing.T) {
		first, _ := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip"})
		gzTag := first.Header.Get("ETag")
		resp, body := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"other", ` + gzTag})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("status %d with %d body bytes, want 304 and none", resp.StatusCode, len(body))
		}
		// If-None-Match compares weakly: a W/ prefix still matches.
		resp, body = get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"x", W/` + gzTag})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("weak revalidation: status %d with %d body bytes, want 304 and none", resp.StatusCode, len(body))
		}
		resp, _ = get(t, http.MethodGet, map[string]string{"If-None-Match": `"stale"`})
		if resp.StatusCode != 200 {
			t.Errorf("stale ETag: status %d, want 200", resp.StatusCode)
		}
		resp, _ = get(t, http.MethodGet, map[string]string{"If-None-Match": gzTag})
		if resp.StatusCode != 200 {
			t.Errorf("the gzip ETag revalidated the identity body: status %d", resp.StatusCode)
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

// TestServeCORS: WithCORS lets any origin read the script.
func TestServeCORS(t *testing.T) {
	s := newTestAsset(t).WithCORS()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/w.js", nil))
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
}

// SyntaxProblems finds what it promises to find, and nothing in a plain
// ES2017 IIFE.
func TestSyntaxProblems(t *testing.T) {
	for src, want := range map[string]int{
		`((w,d)=>{let a=w.x?1:2;let b=a?.5:0})(window,document)`: 0,
		`((w,d)=>{let a=w.x?.y})(window,document)`:               1,
		`((w,d)=>{let a=w.x??1;a||=2})(window,document)`:         2,
		`((w,d)=>{try{}catch{}})(window,document)`:               1,
		`let leaked=1`: 1,
	} {
		a, err := New("test", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if got := a.SyntaxProblems(); len(got) != want {
			t.Errorf("%s: %d problems %q, want %d", src, len(got), got, want)
		}
	}
}
