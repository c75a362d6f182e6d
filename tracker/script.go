package tracker

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

//go:embed js/t.js js/tc.js
var jsFS embed.FS

// MaxGzipSize is the budget of the served tracker, gzipped. The tracker is on
// every page of every shop, before anything else of ours: past this budget,
// move code to a file that loads on demand instead of raising the number.
const MaxGzipSize = 2048

// Script is the minified tracker, ready to serve at /t.js. It is immutable
// once built, so one Script serves all requests concurrently.
type Script struct {
	raw  []byte // the source as embedded
	min  []byte
	gz   []byte
	etag string
}

// NewScript minifies the embedded tracker and precomputes its gzip encoding
// and ETag, so that serving it costs no CPU per request.
func NewScript() (*Script, error) { return newScript("t.js") }

// NewCartScript returns tc.js, the cart adapter t.js loads on Shopify and
// WooCommerce storefronts only.
func NewCartScript() (*Script, error) { return newScript("tc.js") }

func newScript(name string) (*Script, error) {
	raw, err := jsFS.ReadFile("js/" + name)
	if err != nil {
		return nil, fmt.Errorf("tracker script: %w", err)
	}
	m := minify.New()
	// Version 2017 keeps the output within ES2017, the syntax the tracker
	// promises to shops' visitors' browsers.
	m.Add("application/javascript", &js.Minifier{Version: 2017})
	var min bytes.Buffer
	if err := m.Minify("application/javascript", &min, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("tracker script: minify: %w", err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("tracker script: gzip: %w", err)
	}
	if _, err := zw.Write(min.Bytes()); err != nil {
		return nil, fmt.Errorf("tracker script: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tracker script: gzip: %w", err)
	}
	sum := sha256.Sum256(min.Bytes())
	return &Script{
		raw:  raw,
		min:  min.Bytes(),
		gz:   gz.Bytes(),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
	}, nil
}

// Size is the length in bytes of the minified script.
func (s *Script) Size() int { return len(s.min) }

// GzipSize is the length in bytes of the minified script, gzipped: what a
// browser downloads.
func (s *Script) GzipSize() int { return len(s.gz) }

// SourceSize is the length in bytes of the unminified source.
func (s *Script) SourceSize() int { return len(s.raw) }

// Bytes returns a copy of the minified script, e.g. to inline it in a page
// or to test it.
func (s *Script) Bytes() []byte { return bytes.Clone(s.min) }

// ETag is the strong entity tag of the script (the same for both encodings'
// content, which differ only in Content-Encoding).
func (s *Script) ETag() string { return s.etag }

// ServeHTTP serves the script for GET and HEAD. It is cacheable for a day and
// revalidated cheaply afterwards (304 on a matching If-None-Match), so a new
// tracker reaches every shop within a day of a deploy.
func (s *Script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=86400, stale-while-revalidate=604800")
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	etag := s.etag
	body := s.min
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// A strong ETag names one representation: the gzipped bytes differ
		// from the plain ones, so they get their own tag.
		etag = s.etag[:len(s.etag)-1] + `-gz"`
		body = s.gz
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

// acceptsGzip reports whether an Accept-Encoding header allows gzip (and does
// not refuse it with q=0).
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
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag {
			return true
		}
	}
	return false
}
