// Package jsasset serves the JavaScript Cartwheel puts on shops' pages (the
// tracker, its cart adapter, the widget bundle): minified once to ES2017,
// gzipped once, with a strong ETag, cacheable for a day and revalidated
// cheaply afterwards.
package jsasset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

// CacheControl keeps a script a day, then a week more while revalidating
// in the background: the URLs carry no version, so a deploy reaches every
// shop within a day, and revalidation is a 304 on the ETag.
const CacheControl = "public, max-age=86400, stale-while-revalidate=604800"

// Asset is one minified script with its gzip encoding and ETag, computed
// once; it serves any number of requests concurrently.
type Asset struct {
	raw  []byte
	min  []byte
	gz   []byte
	etag string
	cors bool
}

// New minifies src (ES2017: the syntax promised to shops' visitors'
// browsers) and precomputes its gzip encoding and strong ETag. name is
// for errors.
func New(name string, src []byte) (*Asset, error) {
	m := minify.New()
	m.Add("application/javascript", &js.Minifier{Version: 2017})
	var min bytes.Buffer
	if err := m.Minify("application/javascript", &min, bytes.NewReader(src)); err != nil {
		return nil, fmt.Errorf("%s: minify: %w", name, err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	if _, err := zw.Write(min.Bytes()); err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	sum := sha256.Sum256(min.Bytes())
	return &Asset{raw: src, min: min.Bytes(), gz: gz.Bytes(),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}, nil
}

// WithCORS lets any origin read the script (it is public code), so a page
// may load it with the crossorigin attribute.
func (a *Asset) WithCORS() *Asset {
	a.cors = true
	return a
}

// Size is the length in bytes of the minified script.
func (a *Asset) Size() int { return len(a.min) }

// GzipSize is the length in bytes of the minified script, gzipped: what a
// browser downloads.
func (a *Asset) GzipSize() int { return len(a.gz) }

// SourceSize is the length in bytes of the source as embedded.
func (a *Asset) SourceSize() int { return len(a.raw) }

// Bytes returns a copy of the minified script, e.g. to inline it in a page
// or to test it.
func (a *Asset) Bytes() []byte { return bytes.Clone(a.min) }

// ETag is the strong entity tag of the minified script; the gzipped
// representation has its own ("…-gz").
func (a *Asset) ETag() string { return a.etag }

// ServeHTTP serves the script for GET and HEAD, gzipped when the browser
// accepts it, with a 304 on a matching If-None-Match.
func (a *Asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", CacheControl)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if a.cors {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	etag, body := a.etag, a.min
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// A strong ETag names one representation: the gzipped bytes differ
		// from the plain ones, so they get their own tag.
		etag, body = a.etag[:len(a.etag)-1]+`-gz"`, a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
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

// acceptsGzip reports whether an Accept-Encoding header allows gzip (and
// does not refuse it with q=0).
func acceptsGzip(header string) bool {
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

// etagMatches implements If-None-Match's weak comparison: "*" or any listed
// tag equal to etag, ignoring a W/ prefix.
func etagMatches(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
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

// newerSyntax matches forms newer than ES2017 that are easy to write by
// habit: optional chaining, nullish coalescing, logical and exponent
// assignment, and catch without a binding. A text check of the minified
// output, not a parser.
var newerSyntax = regexp.MustCompile(`\?\.[^0-9]|\?\?|\*\*=|\|\|=|&&=|catch\{`)

// SyntaxProblems reports what in the minified script breaks the promise
// made to shops' visitors' browsers: syntax newer than ES2017, or code
// outside one IIFE over (window, document), which is how these scripts
// keep out of the page's globals.
func (a *Asset) SyntaxProblems() []string {
	min := string(a.min)
	var out []string
	for _, m := range newerSyntax.FindAllString(min, 5) {
		out = append(out, fmt.Sprintf("contains %q, which is newer than ES2017", m))
	}
	if !strings.HasPrefix(min, "((") || !strings.HasSuffix(strings.TrimSpace(min), "(window,document)") {
		out = append(out, fmt.Sprintf("is not one IIFE: %.40q … %.40q", min, min[max(0, len(min)-40):]))
	}
	return out
}
