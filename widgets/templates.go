package widgets

import "slices"

// Template is a ready-made widget.
type Template struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Definition  Definition `json:"definition"`
}

func intp(n int) *int { return &n }

// Templates returns the ready-made widgets, each a fresh copy (created as
// drafts: the admin activates them).
func Templates() []Template {
	return []Template{
		{Name: "first_visit_discount", Description: "10 % off the first order, offered 10 to 20 seconds into a first visit",
			Definition: Definition{Name: "First visit 10 %", Kind: KindPopup, Layout: LayoutModal,
				Targeting: Targeting{FirstVisit: true, MaxOrders: intp(0)},
				Trigger:   Trigger{AfterSeconds: 10, AfterSecondsMax: 20},
				Caps:      Caps{PerSession: 1, EveryDays: 7, StopAfterConversion: true},
				Variants: []Variant{{ID: "a", Weight: 100, Content: Content{
					Title: "10 % off your first order",
					Body:  "Join our list and get 10 % off your first order, plus first word of new arrivals.",
					CTA:   "Get my code",
					Form: &Form{Email: true, ConsentRequired: true,
						ConsentText: "Yes, email me offers and news. I can unsubscribe at any time."},
					Success: "Thanks! Your code is {code}.",
				}}},
				Discount: &Discount{Percent: 10, ValidDays: 14, Prefix: "WELCOME"}}},
		{Name: "still_deciding", Description: "On the 4th visit without an order: the products the visitor looked at",
			Definition: Definition{Name: "Still deciding?", Kind: KindPopup, Layout: LayoutCorner,
				Targeting: Targeting{MinVisits: 4, MaxOrders: intp(0)},
				Trigger:   Trigger{AfterSeconds: 5},
				Caps:      Caps{PerSession: 1, EveryDays: 3, StopAfterConversion: true},
				Variants: []Variant{{ID: "a", Weight: 100, Content: Content{
					Title:    "Still deciding?",
					Body:     "Here is what you looked at. Questions? We are happy to help.",
					CTA:      "Take another look",
					Products: &ProductBlock{Strategy: "recently_viewed", Count: 3},
				}}}}},
		{Name: "product_recommendations", Description: "Products often viewed together, in the product-page placeholder",
			Definition: Definition{Name: "Customers also viewed", Kind: KindFrame,
				Frame: &Frame{Name: "product-page", Strategy: "viewed_together", Count: 4, Title: "Customers also viewed",
					InStockOnly: true, ExcludeBought: true}}},
		{Name: "inbox", Description: "The floating shopping inbox: messages, recently viewed, wishlist",
			Definition: Definition{Name: "Shopping inbox", Kind: KindInbox}},
	}
}

// TemplateByName returns a ready-made widget, validated (defaults filled).
func TemplateByName(name string) (Template, bool) {
	ts := Templates()
	i := slices.IndexFunc(ts, func(t Template) bool { return t.Name == name })
	if i < 0 {
		return Template{}, false
	}
	t := ts[i]
	_ = t.Definition.Validate()
	return t, true
}
