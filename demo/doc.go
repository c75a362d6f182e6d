// Package demo is the demo shop that ships with Cartwheel: a generated
// catalogue, a workspace and custom shop created on first start, and a small
// server-rendered storefront under /demo/ that browses, fills a cart, checks
// out and places orders through the same ingest path a real connector uses.
//
// It exists so every feature (tracking, abandoned-checkout recovery,
// recommendations, replenishment) can be seen working without a real shop,
// so it behaves like a real storefront wherever Cartwheel can observe it:
// the tracker tag and page context on every page, the visitor cookie joined
// to checkouts and orders, recovery links that restore the cart.
//
// The storefront is a plain net/http Handler; the server mounts it.
package demo
