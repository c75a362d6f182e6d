package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// consentPayload is Shopify's marketing consent object (email or SMS).
type consentPayload struct {
	State            text      `json:"state"`
	OptInLevel       text      `json:"opt_in_level"`
	ConsentUpdatedAt timestamp `json:"consent_updated_at"`
}

// consent converts a consent object; nil (or a null state) means the
// delivery said nothing about the channel.
func (c *consentPayload) consent() *commerce.Consent {
	if c == nil || c.State == "" {
		return nil
	}
	return &commerce.Consent{
		State:     consentState(string(c.State)),
		OptInMode: string(c.OptInLevel),
		UpdatedAt: c.ConsentUpdatedAt.Time(),
	}
}

// consentState maps Shopify's states onto commerce's four. "redacted" (the
// customer's data was erased) becomes unsubscribed and "invalid" (an SMS
// number that cannot receive) not_subscribed; an unknown state is treated
// as not_subscribed, because the safe reading of an unknown consent is no
// consent.
func consentState(s string) string {
	switch s = strings.ToLower(s); s {
	case commerce.ConsentSubscribed, commerce.ConsentUnsubscribed, commerce.ConsentPending, commerce.ConsentNotSubscribed:
		return s
	case "redacted":
		return commerce.ConsentUnsubscribed
	default:
		return commerce.ConsentNotSubscribed
	}
}

// tagList is a tags field: Shopify's REST payloads send one comma-separated
// string, some tools an array.
type tagList []string

// UnmarshalJSON accepts a comma-separated string or an array of strings.
func (t *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var xs []text
		if err := json.Unmarshal(b, &xs); err != nil {
			return err
		}
		out := tagList{}
		for _, x := range xs {
			if s := strings.TrimSpace(string(x)); s != "" {
				out = append(out, s)
			}
		}
		*t = out
		return nil
	}
	var s text
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	*t = splitTags(string(s))
	return nil
}

// customerPayload is the REST Customer of customers/create|update.
type customerPayload struct {
	ID             extID           `json:"id"`
	Email          text            `json:"email"`
	Phone          text            `json:"phone"`
	FirstName      text            `json:"first_name"`
	LastName       text            `json:"last_name"`
	Tags           tagList         `json:"tags"`
	Currency       text            `json:"currency"`
	OrdersCount    *int64          `json:"orders_count"`
	TotalSpent     decimal         `json:"total_spent"`
	CreatedAt      timestamp       `json:"created_at"`
	UpdatedAt      timestamp       `json:"updated_at"`
	EmailConsent   *consentPayload `json:"email_marketing_consent"`
	SMSConsent     *consentPayload `json:"sms_marketing_consent"`
	DefaultAddress *struct {
		CountryCode text `json:"country_code"`
	} `json:"default_address"`
	// Legacy fields, replaced by email_marketing_consent; read only when
	// the consent object is absent (old API versions).
	AcceptsMarketing          *bool     `json:"accepts_marketing"`
	AcceptsMarketingUpdatedAt timestamp `json:"accepts_marketing_updated_at"`
	MarketingOptInLevel       text      `json:"marketing_opt_in_level"`
}

func decodeCustomer(body []byte, shopCurrency string) (commerce.Change, error) {
	var p customerPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.ID == "" {
		return commerce.Change{}, errors.New("the customer has no id")
	}
	cur := strings.ToUpper(firstNonEmpty(string(p.Currency), shopCurrency))
	c := &commerce.Customer{
		ExternalID:   string(p.ID),
		Email:        string(p.Email),
		Phone:        string(p.Phone),
		FirstName:    string(p.FirstName),
		LastName:     string(p.LastName),
		Tags:         []string(p.Tags),
		Currency:     cur,
		EmailConsent: p.EmailConsent.consent(),
		SMSConsent:   p.SMSConsent.consent(),
		CreatedAt:    p.CreatedAt.Time(),
		UpdatedAt:    p.UpdatedAt.Time(),
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if p.DefaultAddress != nil {
		c.Country = strings.ToUpper(string(p.DefaultAddress.CountryCode))
	}
	if c.EmailConsent == nil && p.AcceptsMarketing != nil {
		c.EmailConsent = &commerce.Consent{
			State:     commerce.ConsentNotSubscribed,
			OptInMode: string(p.MarketingOptInLevel),
			UpdatedAt: p.AcceptsMarketingUpdatedAt.Time(),
		}
		if *p.AcceptsMarketing {
			c.EmailConsent.State = commerce.ConsentSubscribed
		}
	}
	if p.OrdersCount != nil {
		c.OrdersCount = *p.OrdersCount
	}
	var err error
	if c.SpentMinor, err = amount("total_spent", p.TotalSpent, cur); err != nil {
		return commerce.Change{}, err
	}
	return commerce.Change{Kind: commerce.ChangeCustomer, Customer: c, ExternalID: c.ExternalID, UpdatedAt: c.UpdatedAt}, nil
}

// emailConsentPayload is customers_email_marketing_consent/update. Its
// shape is taken from Shopify's webhook reference (customer_id,
// email_address, email_marketing_consent{state, opt_in_level,
// consent_updated_at}); the test sample built from it is reconstructed,
// not a captured delivery.
type emailConsentPayload struct {
	CustomerID   extID           `json:"customer_id"`
	EmailAddress text            `json:"email_address"`
	Consent      *consentPayload `json:"email_marketing_consent"`
}

func decodeEmailConsent(body []byte) (commerce.Change, error) {
	var p emailConsentPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.CustomerID == "" {
		return commerce.Change{}, errors.New("the consent update has no customer_id")
	}
	consent := p.Consent.consent()
	if consent == nil {
		return commerce.Change{}, errors.New("the consent update carries no email_marketing_consent state")
	}
	c := &commerce.Customer{
		ExternalID:   string(p.CustomerID),
		Email:        string(p.EmailAddress),
		EmailConsent: consent,
	}
	return commerce.Change{Kind: commerce.ChangeConsent, Customer: c, ExternalID: c.ExternalID, UpdatedAt: consent.UpdatedAt}, nil
}
