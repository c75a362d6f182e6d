package l10n

// english is the catalogue every other language is checked against.
var english = map[string]string{
	// Email chrome (messaging/email's layout and blocks).
	"email.qty":             "Qty",
	"email.subtotal":        "Subtotal",
	"email.off":             "%s off",
	"email.your_code":       "Your code",
	"email.code":            "Code",
	"email.valid_until":     "Valid until %s",
	"email.valid_until_mid": "valid until %s",
	"email.date_time":       "2 January 2006 15:04",
	"email.unsubscribe":     "Unsubscribe",
	"email.preferences":     "Manage preferences",
	"email.view_in_browser": "View in browser",

	// The unsubscribe page and the page after it.
	"unsubscribe.title":        "Unsubscribe",
	"unsubscribe.heading":      "Unsubscribe from %s emails?",
	"unsubscribe.body":         "We will stop sending marketing email to %s.",
	"unsubscribe.button":       "Unsubscribe",
	"unsubscribe.changed_mind": "Changed your mind?",
	"unsubscribe.preferences":  "Manage your email preferences instead.",
	"unsubscribed.title":       "Unsubscribed",
	"unsubscribed.heading":     "You are unsubscribed from %s emails",
	"unsubscribed.body":        "%s will no longer get marketing email from %s. Messages about your orders still arrive.",
	"unsubscribed.mistake":     "Unsubscribed by mistake?",
	"unsubscribed.resubscribe": "Re-subscribe on your preference page.",

	// The preference page.
	"preferences.title":   "Email preferences",
	"preferences.saved":   "Your choice is saved.",
	"preferences.for":     "For %s at %s.",
	"preferences.pending": "Your subscription waits for you to click the link in the confirmation email we sent.",
	"preferences.legend":  "Marketing email from %s",
	"preferences.yes":     "Yes, send me news and offers",
	"preferences.no":      "No, unsubscribe me",
	"preferences.save":    "Save",
	"preferences.choose":  "Choose yes or no",
	"preferences.go_back": "Go back and pick one of the two choices.",

	// The double opt-in confirmation email and the page its link opens.
	"doi.subject":        "Please confirm your subscription to %s",
	"doi.preheader":      "One click and you are in.",
	"doi.heading":        "Confirm your subscription",
	"doi.hi_name":        "Hi %s,",
	"doi.hi":             "Hello,",
	"doi.body":           "please confirm that you would like emails from %s: new arrivals, offers and the odd discount code.",
	"doi.button":         "Yes, subscribe me",
	"doi.ignore":         "If you did not sign up, ignore this email: you will not hear from us again.",
	"confirmed.title":    "Subscription confirmed",
	"confirmed.heading":  "Thank you — your subscription is confirmed",
	"confirmed.continue": "Continue to the shop",
	"confirmed.body":     "You will now get our news and offers by email. You can unsubscribe at any time from the link at the bottom of every email.",
}
