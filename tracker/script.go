package tracker

import (
	"embed"
	"fmt"

	"github.com/cartwheelhq/cartwheel/internal/jsasset"
)

//go:embed js/t.js js/tc.js
var jsFS embed.FS

// MaxGzipSize is the budget of the served tracker, gzipped. The tracker is on
// every page of every shop, before anything else of ours: past this budget,
// move code to a file that loads on demand instead of raising the number.
const MaxGzipSize = 2048

// Script is a tracker script (t.js or tc.js) minified, gzipped and served
// with caching: see jsasset.
type Script = jsasset.Asset

// NewScript returns t.js.
func NewScript() (*Script, error) { return newScript("t.js") }

// NewCartScript returns tc.js, the cart adapter t.js loads on Shopify and
// WooCommerce storefronts only.
func NewCartScript() (*Script, error) { return newScript("tc.js") }

func newScript(name string) (*Script, error) {
	raw, err := jsFS.ReadFile("js/" + name)
	if err != nil {
		return nil, fmt.Errorf("tracker script: %w", err)
	}
	return jsasset.New("tracker "+name, raw)
}
