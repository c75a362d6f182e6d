// Package widgets holds the browser code that runs on the shop's pages
// beyond the tracker (the widget bundle w.js, the soft push prompt, the
// push service worker, which every storefront integration serves from the
// shop's own origin) and the widget definitions the admin writes, with
// their validation and templates (docs/widgets.md).
package widgets

import _ "embed"

//go:embed sw.js
var serviceWorker []byte

// ServiceWorker returns the push service worker's source.
func ServiceWorker() []byte { return serviceWorker }
