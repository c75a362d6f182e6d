// Package widgets holds the browser code that runs on the shop's pages
// beyond the tracker: for now the push service worker, which every
// storefront integration serves from the shop's own origin.
package widgets

import _ "embed"

//go:embed sw.js
var serviceWorker []byte

// ServiceWorker returns the push service worker's source.
func ServiceWorker() []byte { return serviceWorker }
