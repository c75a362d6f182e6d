// Package shopify connects Cartwheel to Shopify shops: the install flow
// (OAuth authorization-code grant for an offline token), webhook and query
// signature checks, decoding of webhook deliveries into commerce.Change, and
// a thin Admin GraphQL client for the few calls Cartwheel makes (shop info,
// catalogue sync, webhook registration, discount codes).
//
// No Shopify SDK is used: the surface is small, and keeping it here means
// every request and every field mapping is visible and tested.
//
// Conventions kept throughout:
//   - Shopify ids exceed 2^53, so they never pass through float64: they are
//     decoded from the JSON literal and kept as decimal strings.
//   - Money arrives as decimal strings ("199.00") and becomes integer minor
//     units through commerce.ParseMinor, never through a float.
//   - Signatures are checked with hmac.Equal over the exact bytes Shopify
//     signed, before anything is parsed.
//
// The storefront side lives next to this package: extension/ is the theme
// app extension (an app embed block that loads the Cartwheel tracker) and
// app/ holds a sample shopify.app.toml with the compliance webhooks and the
// App Proxy that serves the push service worker.
package shopify
