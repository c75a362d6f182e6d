package automation

import "github.com/cartwheelhq/cartwheel/messaging/l10n"

// libraryTexts are the ready-made flows' subjects, preheaders and push and
// inbox copy, per language, by flow and step. A flow is made in its
// workspace's language when it is enabled; the bodies are files in
// library/ (English) and library/<lang>/. Every language has every key
// (TestLibraryTextsComplete).
var libraryTexts = map[l10n.Lang]map[string]string{
	l10n.English: {
		"welcome.email-1.subject":   "Welcome to {{.Shop.Name}}{{with .Discount}} — here's {{.Percent}}% off{{end}}",
		"welcome.email-1.preheader": "A little hello from us{{if .Discount}}, and a code for your first order{{end}}.",
		"welcome.email-2.subject":   "The favourites everyone comes back for",
		"welcome.email-2.preheader": "Not sure where to start? Begin with these.",
		"welcome.email-3.subject":   "The story behind {{.Shop.Name}}",
		"welcome.email-3.preheader": "Who we are, and why we do what we do.",

		"checkout.email-1.subject":   "You left something in your basket",
		"checkout.email-1.preheader": "We saved your basket — finish your order in a click.",
		"checkout.push-1.title":      "Your basket is waiting",
		"checkout.push-1.body":       "Complete your order before your items sell out.",
		"checkout.email-2.subject":   "{{with .Discount}}{{.Percent}}% off the basket you left behind{{else}}Your basket is still waiting{{end}}",
		"checkout.email-2.preheader": "Your basket is still here{{if .Discount}}, now with a discount{{end}}.",

		"cart_push.push.title": "Forgot something?",
		"cart_push.push.body":  "Your cart is saved — come back and check out when you're ready.",

		"browse.email.subject":   "Still thinking about it?",
		"browse.email.preheader": "The product you were looking at is still here.",
		"browse.push.title":      "Still thinking about it?",
		"browse.push.body":       "Take another look before it's gone.",

		"cross_sell.email.subject":   "Thank you!{{with .Discount}} Here's {{.Percent}}% off what goes with it{{else}} Here's what goes with it{{end}}",
		"cross_sell.email.preheader": "Hand-picked to go with your order.",

		"replenish.email.subject":   "Running low? Time to restock",
		"replenish.email.preheader": "Reorder your favourite in a couple of clicks.",
		"replenish.push.title":      "Time for a top-up?",
		"replenish.push.body":       "You're probably running low — reorder in a click.",

		"winback.email.subject":   "We miss you{{with .Discount}} — here's {{.Percent}}% off{{end}}",
		"winback.email.preheader": "It's been a while. Come and see what's new.",

		"birthday.email.subject":   "Happy birthday{{with .Contact.FirstName}}, {{.}}{{end}}!{{if .Discount}} A gift inside{{end}}",
		"birthday.email.preheader": "{{with .Discount}}{{.Percent}}% off, just for you, all week.{{else}}Everyone here wishes you a wonderful day.{{end}}",
		"birthday.inbox.title":     "Happy birthday! 🎂",
		"birthday.inbox.body":      "Enjoy 20% off anything this week — your code is in your email.",
	},
	l10n.Polish: {
		"welcome.email-1.subject":   "Witamy w {{.Shop.Name}}{{with .Discount}} — oto {{.Percent}}% rabatu{{end}}",
		"welcome.email-1.preheader": "Krótkie powitanie od nas{{if .Discount}} i kod na pierwsze zamówienie{{end}}.",
		"welcome.email-2.subject":   "Ulubione produkty, do których się wraca",
		"welcome.email-2.preheader": "Nie wiesz, od czego zacząć? Zacznij od tych.",
		"welcome.email-3.subject":   "Historia {{.Shop.Name}}",
		"welcome.email-3.preheader": "Kim jesteśmy i dlaczego robimy to, co robimy.",

		"checkout.email-1.subject":   "Coś zostało w Twoim koszyku",
		"checkout.email-1.preheader": "Zachowaliśmy Twój koszyk — dokończ zamówienie jednym kliknięciem.",
		"checkout.push-1.title":      "Twój koszyk czeka",
		"checkout.push-1.body":       "Dokończ zamówienie, zanim produkty się wyprzedadzą.",
		"checkout.email-2.subject":   "{{with .Discount}}{{.Percent}}% rabatu na pozostawiony koszyk{{else}}Twój koszyk wciąż czeka{{end}}",
		"checkout.email-2.preheader": "Twój koszyk wciąż tu jest{{if .Discount}}, teraz z rabatem{{end}}.",

		"cart_push.push.title": "Czegoś zapomniano?",
		"cart_push.push.body":  "Koszyk jest zapisany — wróć i dokończ zakupy, kiedy zechcesz.",

		"browse.email.subject":   "Nadal się zastanawiasz?",
		"browse.email.preheader": "Produkt, który oglądano, wciąż tu jest.",
		"browse.push.title":      "Nadal się zastanawiasz?",
		"browse.push.body":       "Zobacz jeszcze raz, zanim zniknie.",

		"cross_sell.email.subject":   "Dziękujemy!{{with .Discount}} Oto {{.Percent}}% rabatu na to, co do niego pasuje{{else}} Oto, co do niego pasuje{{end}}",
		"cross_sell.email.preheader": "Wybrane specjalnie do Twojego zamówienia.",

		"replenish.email.subject":   "Kończy się? Czas uzupełnić zapasy",
		"replenish.email.preheader": "Zamów ulubiony produkt ponownie w kilka kliknięć.",
		"replenish.push.title":      "Czas uzupełnić zapasy?",
		"replenish.push.body":       "Pewnie już się kończy — zamów ponownie jednym kliknięciem.",

		"winback.email.subject":   "Tęsknimy{{with .Discount}} — oto {{.Percent}}% rabatu{{end}}",
		"winback.email.preheader": "Dawno Cię nie było. Zobacz, co nowego.",

		"birthday.email.subject":   "Wszystkiego najlepszego{{with .Contact.FirstName}}, {{.}}{{end}}!{{if .Discount}} Prezent w środku{{end}}",
		"birthday.email.preheader": "{{with .Discount}}{{.Percent}}% rabatu, tylko dla Ciebie, przez cały tydzień.{{else}}Wszyscy tutaj życzą Ci wspaniałego dnia.{{end}}",
		"birthday.inbox.title":     "Wszystkiego najlepszego! 🎂",
		"birthday.inbox.body":      "20% rabatu na wszystko przez ten tydzień — kod jest w e-mailu.",
	},
}
