package widgets

import (
	_ "embed"
	"sync"

	"github.com/cartwheelhq/cartwheel/internal/jsasset"
)

// The widget bundle, w.js: pop-ups, recommendation frames, the shopping
// inbox and the wishlist heart (docs/widgets.md). The tracker loads it only
// on pages where /decide has something to show.

//go:embed js/w.js
var bundleSrc []byte

// MaxBundleGzipSize is the budget of the served w.js, gzipped (15 KiB).
const MaxBundleGzipSize = 15360

// Bundle is the widget bundle minified, gzipped and served with caching
// (jsasset); any origin may load it.
type Bundle = jsasset.Asset

// NewBundle minifies the embedded w.js (ES2017, like the tracker) and
// precomputes its gzip encoding and strong ETag.
func NewBundle() (*Bundle, error) { return newPublicAsset("widget bundle", bundleSrc) }

// newPublicAsset minifies one of the scripts shops' pages load from us
// (w.js, push-prompt.js); any origin may load it.
func newPublicAsset(name string, src []byte) (*jsasset.Asset, error) {
	a, err := jsasset.New(name, src)
	if err != nil {
		return nil, err
	}
	return a.WithCORS(), nil
}

var defaultBundle = sync.OnceValues(NewBundle)

// BundleHandler returns the handler of GET/HEAD /w.js, built once. The
// source is embedded and its minification tested (TestWidgetBundleMinifies),
// so the error is only ever nil; a nil handler would fail loudly at start.
func BundleHandler() *Bundle {
	b, _ := defaultBundle()
	return b
}
