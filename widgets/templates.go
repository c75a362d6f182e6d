package widgets

import (
	"slices"
	"strings"
)

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

// PromisesCode reports whether a widget promises the visitor a discount
// code: it has a discount, or a variant's success text shows "{code}".
func PromisesCode(d *Definition) bool {
	if d.Discount != nil {
		return true
	}
	return slices.ContainsFunc(d.Variants, func(v Variant) bool { return strings.Contains(v.Content.Success, "{code}") })
}

// templateTexts are the ready-made pop-ups' words by locale (English is
// in Templates itself), and "*_nocode" their wording where no code can be
// made: a sign-up that promises news, not a code.
var templateTexts = map[string]map[string]Content{
	"en": {
		"first_visit_discount_nocode": {Title: "Be the first to know",
			Body: "Join our list for first word of new arrivals and offers.", CTA: "Sign me up",
			Form: &Form{Email: true, ConsentRequired: true,
				ConsentText: "Yes, email me offers and news. I can unsubscribe at any time."},
			Success: "Thanks! You are on the list."},
	},
	"pl": {
		"first_visit_discount": {Title: "10% zniżki na pierwsze zamówienie",
			Body: "Zapisz się i odbierz 10% zniżki na pierwsze zamówienie oraz informacje o nowościach jako pierwszy.",
			CTA:  "Odbierz kod",
			Form: &Form{Email: true, ConsentRequired: true,
				ConsentText: "Tak, chcę otrzymywać e-mailem oferty i nowości. Mogę w każdej chwili zrezygnować."},
			Success: "Dziękujemy! Twój kod to {code}."},
		"first_visit_discount_nocode": {Title: "Bądź na bieżąco",
			Body: "Zapisz się, a jako pierwszy dowiesz się o nowościach i ofertach.", CTA: "Zapisz mnie",
			Form: &Form{Email: true, ConsentRequired: true,
				ConsentText: "Tak, chcę otrzymywać e-mailem oferty i nowości. Mogę w każdej chwili zrezygnować."},
			Success: "Dziękujemy! Jesteś na liście."},
		"still_deciding": {Title: "Wciąż się zastanawiasz?",
			Body: "Oto produkty, które oglądałeś. Masz pytania? Chętnie pomożemy.", CTA: "Zobacz jeszcze raz"},
	},
}

// templateNames are the ready-made widgets' names by locale.
var templateNames = map[string]map[string]string{
	"pl": {"first_visit_discount": "Pierwsza wizyta 10%", "still_deciding": "Wciąż się zastanawiasz?",
		"product_recommendations": "Inni oglądali również", "inbox": "Skrzynka zakupowa"},
}

// TemplateFor returns a ready-made widget for a workspace: in its locale
// (fallback English), validated, and, where the workspace cannot make
// discount codes (codes false), without the discount and any promise of
// a code.
func TemplateFor(name, locale string, codes bool) (Template, bool) {
	t, ok := TemplateByName(name)
	if !ok {
		return t, false
	}
	l := lang(locale)
	key := name
	if !codes && PromisesCode(&t.Definition) {
		key = name + "_nocode"
		t.Definition.Discount = nil
		if _, ok := templateTexts[l][key]; !ok {
			l = "en" // the English no-code wording beats a broken promise
		}
	}
	if n, ok := templateNames[l][name]; ok {
		t.Definition.Name = n
	}
	if c, ok := templateTexts[l][key]; ok {
		for i := range t.Definition.Variants {
			v := &t.Definition.Variants[i].Content
			products := v.Products
			*v = c
			if c.Form != nil {
				f := *c.Form
				v.Form = &f
			}
			v.Products = products
		}
	}
	if f := t.Definition.Frame; f != nil {
		f.Title = FrameTitle(l, f.Strategy)
	}
	_ = t.Definition.Validate()
	return t, true
}
