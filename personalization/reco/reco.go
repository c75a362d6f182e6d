// Package reco recommends products: from what a visitor did (recently
// viewed, viewed but not bought, personalised item-to-item), from what
// everyone did (bought together, viewed together, bestsellers with time
// decay, per category), and from the catalogue (same category, new
// arrivals). Its statistics live in memory and grow one event at a time
// from the event log; one Engine serves frames, emails and pushes.
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
)

// Strategies lists every strategy.
var Strategies = []string{RecentlyViewed, ViewedNotBought, BoughtTogether, ViewedTogether, Personalized,
	SameCategory, Bestsellers, NewArrivals}

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
	// (cold start); the default is Bestsellers then NewArrivals.
	Fallback []string
}

// Result is a recommended product and the strategy that chose it (a
// fallback's name when the asked strategy ran short).
type Result struct {
	ProductID string
	Strategy  string
	Score     float64
}
