package l10n

// polish is the Polish catalogue.
var polish = map[string]string{
	"email.qty":             "Ilość",
	"email.subtotal":        "Suma",
	"email.off":             "%s rabatu",
	"email.your_code":       "Twój kod",
	"email.code":            "Kod",
	"email.valid_until":     "Ważny do %s",
	"email.valid_until_mid": "ważny do %s",
	"email.date_time":       "02.01.2006, 15:04",
	"email.unsubscribe":     "Wypisz się",
	"email.preferences":     "Zarządzaj preferencjami",
	"email.view_in_browser": "Otwórz w przeglądarce",

	"unsubscribe.title":        "Wypisanie",
	"unsubscribe.heading":      "Wypisać się z e-maili od %s?",
	"unsubscribe.body":         "Przestaniemy wysyłać e-maile marketingowe na adres %s.",
	"unsubscribe.button":       "Wypisz mnie",
	"unsubscribe.changed_mind": "Zmiana zdania?",
	"unsubscribe.preferences":  "Zamiast tego zarządzaj preferencjami e-mail.",
	"unsubscribed.title":       "Wypisano",
	"unsubscribed.heading":     "Wypisano Cię z e-maili od %s",
	"unsubscribed.body":        "Na adres %s nie będą już przychodzić e-maile marketingowe od %s. Wiadomości o zamówieniach nadal będą wysyłane.",
	"unsubscribed.mistake":     "Wypisano Cię przez pomyłkę?",
	"unsubscribed.resubscribe": "Zapisz się ponownie na stronie preferencji.",

	"preferences.title":   "Preferencje e-mail",
	"preferences.saved":   "Twój wybór został zapisany.",
	"preferences.for":     "Adres %s w sklepie %s.",
	"preferences.pending": "Subskrypcja czeka na kliknięcie linku w e-mailu z potwierdzeniem, który wysłaliśmy.",
	"preferences.legend":  "E-maile marketingowe od %s",
	"preferences.yes":     "Tak, wysyłajcie mi nowości i oferty",
	"preferences.no":      "Nie, wypiszcie mnie",
	"preferences.save":    "Zapisz",
	"preferences.choose":  "Wybierz tak lub nie",
	"preferences.go_back": "Wróć i wybierz jedną z dwóch odpowiedzi.",
}
