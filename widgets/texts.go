package widgets

import "strings"

// texts are the fixed words of the widgets' user interface by locale;
// admin-written content comes from the widget itself.
var texts = map[string]map[string]string{
	"en": {
		"close": "Close", "inbox": "Your inbox", "empty": "Nothing here yet", "wishlist_add": "Add to wishlist",
		"wishlist_remove": "Remove from wishlist", "recently_viewed": "Recently viewed", "wishlist": "Wishlist",
		"messages": "Messages", "submit": "Submit", "email": "Email",
		"invalid_email": "Please enter a valid email address", "consent_required": "Please tick the box to continue",
		"no_code": "Thanks! You are on the list.",
	},
	"pl": {
		"close": "Zamknij", "inbox": "Twoja skrzynka", "empty": "Na razie nic tu nie ma", "wishlist_add": "Dodaj do listy życzeń",
		"wishlist_remove": "Usuń z listy życzeń", "recently_viewed": "Ostatnio oglądane", "wishlist": "Lista życzeń",
		"messages": "Wiadomości", "submit": "Wyślij", "email": "E-mail",
		"invalid_email": "Podaj poprawny adres e-mail", "consent_required": "Zaznacz zgodę, aby kontynuować",
		"no_code": "Dziękujemy! Jesteś na liście.",
	},
}

// Texts returns the interface texts for a locale ("pl", "pl-PL"), falling
// back to English for an unknown locale. The map is shared: do not change it.
func Texts(locale string) (string, map[string]string) {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if t, ok := texts[l]; ok {
		return l, t
	}
	return "en", texts["en"]
}
