package widgets

import (
	"slices"
	"strings"
)

// texts are the fixed words of the widgets' user interface by locale;
// admin-written content comes from the widget itself. Every locale has
// every key (widgets/texts_test.go checks it): w.js falls back to English
// for a key the answer lacks, which would mix languages.
var texts = map[string]map[string]string{
	"en": {
		"close": "Close", "inbox": "Your inbox", "empty": "Nothing here yet", "wishlist_add": "Add to wishlist",
		"wishlist_remove": "Remove from wishlist", "recently_viewed": "Recently viewed", "wishlist": "Wishlist",
		"messages": "Messages", "submit": "Submit", "email": "Email",
		"invalid_email": "Please enter a valid email address", "consent_required": "Please tick the box to continue",
		"no_code": "Thanks! You are on the list.", "interests": "Interests", "copy": "Copy", "copied": "Copied",
		"error": "Something went wrong. Please try again.", "unread": "{n} unread", "loading": "Loading…",
	},
	"pl": {
		"close": "Zamknij", "inbox": "Twoja skrzynka", "empty": "Na razie nic tu nie ma", "wishlist_add": "Dodaj do listy życzeń",
		"wishlist_remove": "Usuń z listy życzeń", "recently_viewed": "Ostatnio oglądane", "wishlist": "Lista życzeń",
		"messages": "Wiadomości", "submit": "Wyślij", "email": "E-mail",
		"invalid_email": "Podaj poprawny adres e-mail", "consent_required": "Zaznacz zgodę, aby kontynuować",
		"no_code": "Dziękujemy! Jesteś na liście.", "interests": "Zainteresowania", "copy": "Kopiuj", "copied": "Skopiowano",
		"error": "Coś poszło nie tak. Spróbuj ponownie.", "unread": "nieprzeczytane: {n}", "loading": "Wczytywanie…",
	},
}

// Push topics: what the workspace's active push flows are about, named
// from their triggers, so that the soft push prompt promises only those.
const (
	PushTopicCart    = "cart"    // cart and checkout reminders
	PushTopicViewed  = "viewed"  // products the visitor looked at
	PushTopicReorder = "reorder" // running out of a product
	PushTopicOrders  = "orders"  // about an order placed
	PushTopicNews    = "news"    // anything else: news and offers
)

// pushTopicOrder is the order topics are listed in a sentence.
var pushTopicOrder = []string{PushTopicCart, PushTopicViewed, PushTopicReorder, PushTopicOrders, PushTopicNews}

// PushTopic names what a push flow triggered by event is about.
func PushTopic(event string) string {
	switch event {
	case "add_to_cart", "remove_from_cart", "checkout_started", "checkout_updated":
		return PushTopicCart
	case "product_view", "browse_abandoned":
		return PushTopicViewed
	case "replenishment_due":
		return PushTopicReorder
	case "order_placed", "order_fulfilled", "order_cancelled":
		return PushTopicOrders
	}
	return PushTopicNews
}

// pushTexts are the soft push prompt's words by locale: the sentence
// ("{topics}" is the list of topics) and each topic's phrase.
var pushTexts = map[string]map[string]string{
	"en": {
		"title": "Get notified?", "allow": "Allow", "later": "Not now", "text": "Allow notifications for {topics}.",
		"and": " and ", "any": "Allow notifications from this shop.",
		PushTopicCart: "reminders about your cart", PushTopicViewed: "the products you looked at",
		PushTopicReorder: "reminders to reorder what runs out", PushTopicOrders: "news about your orders",
		PushTopicNews: "news and offers",
	},
	"pl": {
		"title": "Włączyć powiadomienia?", "allow": "Zezwól", "later": "Nie teraz", "text": "Zezwól na powiadomienia: {topics}.",
		"and": " i ", "any": "Zezwól na powiadomienia z tego sklepu.",
		PushTopicCart: "przypomnienia o koszyku", PushTopicViewed: "oglądane przez Ciebie produkty",
		PushTopicReorder: "przypomnienia o ponownym zamówieniu", PushTopicOrders: "informacje o zamówieniach",
		PushTopicNews: "nowości i oferty",
	},
}

// PushPromptTexts returns the soft push prompt's title, text, allow and
// later in a locale (fallback English), the text naming only topics.
func PushPromptTexts(locale string, topics []string) (string, map[string]string) {
	l := lang(locale)
	t, ok := pushTexts[l]
	if !ok {
		l, t = "en", pushTexts["en"]
	}
	var phrases []string
	for _, k := range pushTopicOrder {
		if slices.Contains(topics, k) {
			phrases = append(phrases, t[k])
		}
	}
	text := t["any"]
	if n := len(phrases); n > 0 {
		list := phrases[0]
		if n > 1 {
			list = strings.Join(phrases[:n-1], ", ") + t["and"] + phrases[n-1]
		}
		text = strings.ReplaceAll(t["text"], "{topics}", list)
	}
	return l, map[string]string{"title": t["title"], "text": text, "allow": t["allow"], "later": t["later"]}
}

// frameTitles are a frame's titles by the strategy that filled it: a frame
// the engine filled by a fallback strategy (a cold start) takes the
// fallback's title, in the workspace's language.
var frameTitles = map[string]map[string]string{
	"en": {"viewed_together": "Customers also viewed", "bought_together": "Frequently bought together",
		"same_category": "More from this category", "bestsellers": "Bestsellers", "new_arrivals": "New arrivals",
		"personalized": "Picked for you", "viewed_not_bought": "Still interested?", "recently_viewed": "Recently viewed",
		"wishlist": "Your wishlist", "": "You may also like"},
	"pl": {"viewed_together": "Inni oglądali również", "bought_together": "Często kupowane razem",
		"same_category": "Więcej z tej kategorii", "bestsellers": "Bestsellery", "new_arrivals": "Nowości",
		"personalized": "Wybrane dla Ciebie", "viewed_not_bought": "Nadal się zastanawiasz?", "recently_viewed": "Ostatnio oglądane",
		"wishlist": "Twoja lista życzeń", "": "Może Ci się spodobać"},
}

// FrameTitle is the title of a frame filled by strategy, in a locale
// (fallback English); an unknown strategy gets a neutral title.
func FrameTitle(locale, strategy string) string {
	t, ok := frameTitles[lang(locale)]
	if !ok {
		t = frameTitles["en"]
	}
	if s, ok := t[strategy]; ok {
		return s
	}
	return t[""]
}

// lang is a locale's language ("pl-PL" → "pl").
func lang(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	return l
}

// Texts returns the interface texts for a locale ("pl", "pl-PL"), falling
// back to English for an unknown locale. The map is shared: do not change it.
func Texts(locale string) (string, map[string]string) {
	l := lang(locale)
	if t, ok := texts[l]; ok {
		return l, t
	}
	return "en", texts["en"]
}
