package woocommerce

import (
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Customer meta keys the plugin writes. WooCommerce core records no
// marketing consent, so without the plugin's opt-in field EmailConsent stays
// nil ("the delivery said nothing about it").
const (
	// MetaEmailConsent is "yes" or "no".
	MetaEmailConsent = "_cartwheel_email_consent"
	// MetaEmailConsentAt is when the shopper answered, ISO 8601 GMT.
	MetaEmailConsentAt = "_cartwheel_email_consent_at"
)

// customerChange maps a customer payload. is_paying_customer has no place in
// commerce.Customer and is not carried: the orders themselves say it.
func customerChange(c customer, currency string) (commerce.Change, error) {
	if c.ID == "" {
		return commerce.Change{}, errMissingID
	}
	updated := c.DateModifiedGMT.Time
	if updated.IsZero() {
		// Customers never edited since registering have a null
		// date_modified in some versions.
		updated = c.DateCreatedGMT.Time
	}
	email := strings.TrimSpace(c.Email)
	if email == "" {
		email = strings.TrimSpace(c.Billing.Email)
	}
	out := commerce.Customer{
		ExternalID: string(c.ID),
		Email:      email,
		Phone:      strings.TrimSpace(c.Billing.Phone),
		FirstName:  firstNonEmpty(c.FirstName, c.Billing.FirstName),
		LastName:   firstNonEmpty(c.LastName, c.Billing.LastName),
		Country:    strings.ToUpper(c.Billing.Country),
		Currency:   currency,
		CreatedAt:  c.DateCreatedGMT.Time,
		UpdatedAt:  updated,
	}
	if n, err := strconv.ParseInt(string(c.OrdersCount), 10, 64); err == nil && n > 0 {
		out.OrdersCount = n
	}
	if spent, err := amount(c.TotalSpent, "total_spent", currency); err == nil && spent > 0 {
		out.SpentMinor = spent
	}
	out.EmailConsent = emailConsent(c.MetaData)
	return commerce.Change{Kind: commerce.ChangeCustomer, Customer: &out, ExternalID: out.ExternalID, UpdatedAt: updated}, nil
}

// emailConsent reads the plugin's opt-in meta; anything but "yes"/"no" is
// no statement at all. The statement's time is when the shopper answered
// (_cartwheel_email_consent_at); without it the statement has no time of
// its own and is left zero. The customer's modification time must not
// stand in: an address edited after an unsubscribe would carry the old
// "yes" past it (cdp treats a statement without a time as never newer
// than a stored refusal).
func emailConsent(ms []meta) *commerce.Consent {
	var state string
	switch strings.ToLower(metaValue(ms, MetaEmailConsent)) {
	case "yes":
		state = commerce.ConsentSubscribed
	case "no":
		state = commerce.ConsentUnsubscribed
	default:
		return nil
	}
	c := &commerce.Consent{State: state, OptInMode: "single_opt_in"}
	if at, err := parseGMT(metaValue(ms, MetaEmailConsentAt)); err == nil && !at.IsZero() {
		c.UpdatedAt = at
	}
	return c
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
