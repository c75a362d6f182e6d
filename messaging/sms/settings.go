package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cartwheelhq/cartwheel/store"
)

// Provider names in settings.
const (
	ProviderTwilio = "twilio"
	ProviderSMSAPI = "smsapi"
)

// Settings are a workspace's SMS settings as the API shows them: never
// the credentials, only whether they are set.
type Settings struct {
	// Provider is "twilio", "smsapi" or "" (SMS off: SMS steps skip).
	Provider string `json:"provider"`
	// TwilioAccountSID is the account (AC…); its Auth Token is a secret.
	TwilioAccountSID string `json:"twilio_account_sid,omitempty"`
	// TwilioMessagingServiceSID sends through a Messaging Service (MG…)
	// instead of FromNumber.
	TwilioMessagingServiceSID string `json:"twilio_messaging_service_sid,omitempty"`
	// SenderID is the alphanumeric sender (up to 11 letters, digits and
	// spaces), used where the recipient's country allows one. It must be
	// registered with the provider.
	SenderID string `json:"sender_id,omitempty"`
	// FromNumber is the sending number in E.164, used where a number is
	// required (the US, Canada) or no sender id is set.
	FromNumber string `json:"from_number,omitempty"`
	// DefaultCountry (ISO 3166 alpha-2) is the country of phone numbers
	// stored without their country code. Empty: the workspace's currency
	// decides (PLN → PL, USD → US…); see DefaultCountryFor.
	DefaultCountry string `json:"default_country,omitempty"`
	// Transliterate writes Polish diacritics as plain letters so that
	// texts go out in GSM-7 (160 characters a segment, not 70).
	Transliterate bool `json:"transliterate"`
	// HasCredentials reports whether the provider's secret is stored.
	HasCredentials bool `json:"has_credentials"`
}

// credentials are the secrets, sealed together at rest.
type credentials struct {
	TwilioAuthToken string `json:"twilio_auth_token,omitempty"`
	SMSAPIToken     string `json:"smsapi_token,omitempty"`
}

// Update is a change of settings: fields left out keep their value, and
// the secrets are write-only (empty keeps the stored one).
type Update struct {
	Provider                  *string `json:"provider"`
	TwilioAccountSID          *string `json:"twilio_account_sid"`
	TwilioAuthToken           string  `json:"twilio_auth_token"`
	TwilioMessagingServiceSID *string `json:"twilio_messaging_service_sid"`
	SMSAPIToken               string  `json:"smsapi_token"`
	SenderID                  *string `json:"sender_id"`
	FromNumber                *string `json:"from_number"`
	DefaultCountry            *string `json:"default_country"`
	Transliterate             *bool   `json:"transliterate"`
}

// InvalidSettings is a settings change that cannot be used; Field names
// the field at fault. The HTTP layer answers 400.
type InvalidSettings struct{ Field, Reason string }

func (e *InvalidSettings) Error() string { return "sms settings: " + e.Field + ": " + e.Reason }

// InvalidInput marks the error as the caller's fault.
func (e *InvalidSettings) InvalidInput() {}

// ErrNotConfigured is a workspace without an SMS provider (or without its
// credentials): SMS steps skip, the API says so.
var ErrNotConfigured = errors.New("sms: no provider configured")

var (
	twilioSID     = regexp.MustCompile(`^AC[0-9A-Za-z]{1,64}$`)
	twilioService = regexp.MustCompile(`^MG[0-9A-Za-z]{1,64}$`)
)

// secretContext binds sealed credentials to their workspace's row.
func secretContext(ws string) string { return "sms:" + ws + ":credentials" }

// load reads the stored settings and opens the credentials.
func (s *Service) load(ctx context.Context, ws string) (Settings, credentials, error) {
	var set Settings
	var cred credentials
	value, sealed, err := s.st.SMSSettings(ctx, ws)
	if errors.Is(err, store.ErrNotFound) {
		return set, cred, nil
	}
	if err != nil {
		return set, cred, err
	}
	if err := json.Unmarshal([]byte(value), &set); err != nil {
		return set, cred, fmt.Errorf("stored sms settings: %w", err)
	}
	plain, err := s.box.Open(sealed, secretContext(ws))
	if err != nil {
		return set, cred, fmt.Errorf("sms credentials: %w", err)
	}
	if plain != "" {
		if err := json.Unmarshal([]byte(plain), &cred); err != nil {
			return set, cred, fmt.Errorf("sms credentials: %w", err)
		}
	}
	set.HasCredentials = cred.token(set.Provider) != ""
	return set, cred, nil
}

// token is the secret the provider needs.
func (c credentials) token(provider string) string {
	switch provider {
	case ProviderTwilio:
		return c.TwilioAuthToken
	case ProviderSMSAPI:
		return c.SMSAPIToken
	}
	return ""
}

// Settings returns a workspace's SMS settings.
func (s *Service) Settings(ctx context.Context, ws string) (Settings, error) {
	set, _, err := s.load(ctx, ws)
	return set, err
}

// UpdateSettings applies a change (JSON of Update; unknown fields are
// refused) and stores the result, the credentials sealed.
func (s *Service) UpdateSettings(ctx context.Context, ws string, patch json.RawMessage) (Settings, error) {
	var u Update
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		return Settings{}, &InvalidSettings{Field: "body", Reason: err.Error()}
	}
	return s.Apply(ctx, ws, u)
}

// Apply stores a settings change after checking it.
func (s *Service) Apply(ctx context.Context, ws string, u Update) (Settings, error) {
	set, cred, err := s.load(ctx, ws)
	if err != nil {
		return set, err
	}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&set.Provider, u.Provider}, {&set.TwilioAccountSID, u.TwilioAccountSID}, {&set.TwilioMessagingServiceSID, u.TwilioMessagingServiceSID},
		{&set.SenderID, u.SenderID}, {&set.FromNumber, u.FromNumber}, {&set.DefaultCountry, u.DefaultCountry}} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	if u.Transliterate != nil {
		set.Transliterate = *u.Transliterate
	}
	if t := strings.TrimSpace(u.TwilioAuthToken); t != "" {
		cred.TwilioAuthToken = t
	}
	if t := strings.TrimSpace(u.SMSAPIToken); t != "" {
		cred.SMSAPIToken = t
	}
	set.DefaultCountry = strings.ToUpper(set.DefaultCountry)
	if err := validate(set, cred); err != nil {
		return set, err
	}
	set.HasCredentials = cred.token(set.Provider) != ""
	value, err := json.Marshal(set)
	if err != nil {
		return set, err
	}
	plain, err := json.Marshal(cred)
	if err != nil {
		return set, err
	}
	sealed := ""
	if cred != (credentials{}) {
		sealed = s.box.Seal(string(plain), secretContext(ws))
	}
	return set, s.st.PutSMSSettings(ctx, ws, string(value), sealed, s.now())
}

func validate(set Settings, cred credentials) error {
	switch set.Provider {
	case "":
	case ProviderTwilio:
		if !twilioSID.MatchString(set.TwilioAccountSID) {
			return &InvalidSettings{"twilio_account_sid", "is required for Twilio: AC followed by letters and digits"}
		}
		if cred.TwilioAuthToken == "" {
			return &InvalidSettings{"twilio_auth_token", "is required for Twilio"}
		}
	case ProviderSMSAPI:
		if cred.SMSAPIToken == "" {
			return &InvalidSettings{"smsapi_token", "is required for SMSAPI"}
		}
	default:
		return &InvalidSettings{"provider", fmt.Sprintf("%q is not twilio, smsapi or empty", set.Provider)}
	}
	if v := set.TwilioMessagingServiceSID; v != "" && !twilioService.MatchString(v) {
		return &InvalidSettings{"twilio_messaging_service_sid", "must be MG followed by letters and digits"}
	}
	if set.SenderID != "" && !ValidSenderID(set.SenderID) {
		return &InvalidSettings{"sender_id", "1 to 11 letters, digits and spaces, with at least one letter"}
	}
	if set.FromNumber != "" {
		if n, err := NormalizeE164(set.FromNumber, ""); err != nil || n != set.FromNumber {
			return &InvalidSettings{"from_number", "must be a number in E.164, such as +48500100200"}
		}
	}
	if set.DefaultCountry != "" && !KnownCountry(set.DefaultCountry) {
		return &InvalidSettings{"default_country", fmt.Sprintf("%q is not a country code this version knows", set.DefaultCountry)}
	}
	if set.Provider != "" && set.SenderID == "" && set.FromNumber == "" && set.TwilioMessagingServiceSID == "" {
		return &InvalidSettings{"sender_id", "set a sender id, a sending number or both"}
	}
	return nil
}

// currencyCountry is the country a workspace's currency points to when
// its SMS settings name none. The euro names no single country.
var currencyCountry = map[string]string{"PLN": "PL", "USD": "US", "CAD": "CA", "GBP": "GB", "CZK": "CZ", "SEK": "SE",
	"DKK": "DK", "NOK": "NO", "CHF": "CH", "HUF": "HU", "RON": "RO", "UAH": "UA"}

// DefaultCountryFor is the country of national numbers: the setting,
// else the one the workspace's currency points to, else none (such
// numbers are then refused rather than guessed).
func DefaultCountryFor(set Settings, currency string) string {
	if set.DefaultCountry != "" {
		return set.DefaultCountry
	}
	return currencyCountry[strings.ToUpper(currency)]
}
