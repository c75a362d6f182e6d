// Package reco recommends products: from what a visitor did (recently
// viewed, viewed but not bought, personalised item-to-item), from what
// everyone did (bought together, viewed together, bestsellers with time
// decay, per category), and from the catalogue (same category, new
// arrivals), and a blend of them that is the default when no strategy is
// named (see Blend). Its statistics live in memory and grow one event at
// a time from the event log; one Engine serves frames, emails and pushes.
//
// Memory: product ids are interned to uint32 indexes. A product costs
// about 100 bytes plus its two co-occurrence lists (bought together,
// viewed together) of at most 1.5·K counters of 8 bytes — 1.3 KB at
// K = 50 when full. A person costs a map entry plus at most History
// events of 16 bytes, Bought ids of 4 bytes and two open sessions: about
// 150 bytes for a one-visit visitor, under 1.5 KB when full. Measured: a
// synthetic shop of 100,000 products, 1,000,000 persons and 7.7 million
// events holds 552 MiB of heap.
//
// Time: Observe is O(SessionItems · 1.5K + TopList), about 2 µs.
// Recommend never scans the catalogue or the persons: O(History) for the
// history strategies, O(anchors · 1.5K) for the co-occurrence ones,
// O(20 · 3K) for personalized, O(TopList) for the rankings — 1.4–7 µs
// per call on that shop, 31 µs for personalized (docs/BENCHMARKS.md).
package reco

import "time"

// Strategy names, as widgets, flows and the offline evaluation use them.
const (
	RecentlyViewed  = "recently_viewed"
	ViewedNotBought = "viewed_not_bought"
	BoughtTogether  = "bought_together"
	ViewedTogether  = "viewed_together"
	Personalized    = "personalized"
	SameCategory    = "same_category"
	Bestsellers     = "bestsellers"
	NewArrivals     = "new_arrivals"
	// Blended mixes anchor and history neighbours, repeat purchases and
	// bestsellers (see Blend); it is what an empty strategy means.
	Blended = "blended"
)

// Strategies lists every strategy.
var Strategies = []string{RecentlyViewed, ViewedNotBought, BoughtTogether, ViewedTogether, Personalized,
	SameCategory, Bestsellers, NewArrivals, Blended}

// Product is what the engine knows of a catalogue item.
type Product struct {
	ID         string
	Category   string
	PriceMinor int64
	InStock    bool
	CreatedAt  time.Time
}

// Interaction is one thing a person did with a product: "view", "cart" or
// "purchase". Person is a stable id (a contact id, or a visitor id before
// identification); Session groups what was done together (a browsing
// session for views, an order for purchases).
type Interaction struct {
	Person    string
	Session   string
	ProductID string
	Kind      string
	At        time.Time
}

// Interaction kinds.
const (
	KindView     = "view"
	KindCart     = "cart"
	KindPurchase = "purchase"
)

// Request asks for recommendations.
type Request struct {
	Strategy string
	// Person whose history personalises the answer (may be empty).
	Person string
	// Anchor is the product on screen (product pages, the order's items).
	Anchors []string
	// Category narrows same_category and bestsellers.
	Category string
	N        int
	// Filters.
	InStockOnly    bool
	ExcludeBought  bool
	ExcludeAnchors bool
	MinPriceMinor  int64
	MaxPriceMinor  int64 // 0: no upper bound
	// Fallback strategies tried in order when the strategy cannot fill N
	// (cold start). Nil means the default chain: ViewedTogether (of the
	// anchors), SameCategory, Bestsellers, NewArrivals — the asked
	// strategy itself is skipped.
	Fallback []string
	// NoFallback returns only what the asked strategy found. Added for the
	// offline evaluation, which must score each strategy on its own, and
	// for callers that would rather show nothing than a generic list.
	NoFallback bool
	// Blend overrides the engine's blend weights (offline tuning).
	Blend *Blend
}

// Result is a recommended product and the strategy that chose it (a
// fallback's name when the asked strategy ran short).
type Result struct {
	ProductID string
	Strategy  string
	Score     float64
}
