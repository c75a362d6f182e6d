package widgets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

// The widget bundle, w.js: pop-ups, recommendation frames, the shopping
// inbox and the wishlist heart (docs/widgets.md). The tracker loads it only
// on pages where /decide has something to show.

//go:embed js/w.js
var bundleSrc []byte

// MaxBundleGzipSize is the budget of the served w.js, gzipped (15 KiB).
const MaxBundleGzipSize = 15360

// BundleCacheControl is how long browsers and CDNs keep w.js: a day, then a
// week more while revalidating in the background (the URL carries no
// version, so a deploy reaches every shop within a day; revalidation is a
// cheap 304 on the ETag).
const BundleCacheControl = "public, max-age=86400, stale-while-revalidate=604800"

// Bundle is the minified widget bundle with its gzip encoding and ETag,
// computed once; it serves any number of requests concurrently.
type Bundle struct {
	raw  []byte
	min  []byte
	gz   []byte
	etag string
}

// NewBundle minifies the embedded w.js (ES2017, like the tracker) and
// precomputes its gzip encoding and strong ETag.
func NewBundle() (*Bundle, error) {
	m := minify.New()
	m.Add("application/javascript", &js.Minifier{Version: 2017})
	var min bytes.Buffer
	if err := m.Minify("application/javascript", &min, bytes.NewReader(bundleSrc)); err != nil {
		return nil, fmt.Errorf("widget bundle: minify: %w", err)
	}
	return newBundle(bundleSrc, min.Bytes())
}

func newBundle(raw, min []byte) (*Bundle, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("widget bundle: gzip: %w", err)
	}
	if _, err := zw.Write(min); err != nil {
		return nil, fmt.Errorf("widget bundle: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("widget bundle: gzip: %w", err)
	}
	sum := sha256.Sum256(min)
	return &Bundle{raw: raw, min: min, gz: gz.Bytes(), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}, nil
}

var defaultBundle = sync.OnceValue(func() *Bundle {
	b, err := NewBundle()
	if err != nil {
		// The source is embedded and tested (TestWidgetBundleMinifies):
		// serve it as written rather than nothing.
		b, _ = newBundle(bundleSrc, bundleSrc)
	}
	return b
})

// BundleHandler returns the handler of GET/HEAD /w.js, built once.
func BundleHandler() *Bundle { return defaultBundle() }

// Size is the length in bytes of the minified bundle.
func (b *Bundle) Size() int { return len(b.min) }

// GzipSize is the length in bytes of the minified bundle, gzipped: what a
// browser downloads.
func (b *Bundle) GzipSize() int { return len(b.gz) }

// SourceSize is the length in bytes of the unminified source.
func (b *Bundle) SourceSize() int { return len(b.raw) }

// Bytes returns a copy of the minified bundle.
func (b *Bundle) Bytes() []byte { return bytes.Clone(b.min) }

// ETag is the strong entity tag of the minified bundle; the gzipped
// representation has its own ("…-gz").
func (b *Bundle) ETag() string { return b.etag }

// ServeHTTP serves the bundle for GET and HEAD, gzipped when the browser
// accepts it, with a 304 on a matching If-None-Match. Any origin may load
// it (it is public code), also with `crossorigin`.
func (b *Bundle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", BundleCacheControl)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	etag, body := b.etag, b.min
	if bundleAcceptsGzip(r.Header.Get("Accept-Encoding")) {
		etag, body = b.etag[:len(b.etag)-1]+`-gz"`, b.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if bundleETagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// bundleAcceptsGzip reports whether an Accept-Encoding header allows gzip (and
// does not refuse it with q=0).
func bundleAcceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// bundleETagMatches is If-None-Match's weak comparison: "*" or any listed tag
// equal to etag, ignoring a W/ prefix.
func bundleETagMatches(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "*" {
		return true
	}
	for t := range strings.SplitSeq(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == etag {
			return true
		}
	}
	return false
}
