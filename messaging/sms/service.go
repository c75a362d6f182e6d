package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// Recorder logs an event about a known contact; *cdp.Ingest is one.
type Recorder interface {
	RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, at time.Time, props any) error
}

// Options configure a Service. Store, Box and PublicURL are required.
type Options struct {
	Store *store.Store
	Box   *secrets.Box
	// Events logs consent changes and delivery events.
	Events Recorder
	// PublicURL is how providers reach this server: webhook URLs are
	// built on it, and Twilio's signatures are over them.
	PublicURL string
	// TwilioBase and SMSAPIBase replace the providers' API addresses
	// (tests point them at smstest servers).
	TwilioBase, SMSAPIBase string
	// HTTP calls the providers; default a client with a 15 s timeout.
	HTTP *http.Client
	Now  func() time.Time
	Log  *slog.Logger
}

// Service is a workspace's SMS channel: its settings, its provider, and
// the providers' webhooks.
type Service struct {
	st     *store.Store
	box    *secrets.Box
	events Recorder
	public string
	twilio string
	smsapi string
	http   *http.Client
	now    func() time.Time
	log    *slog.Logger
}

// New returns the service for o.
func New(o Options) *Service {
	s := &Service{st: o.Store, box: o.Box, events: o.Events, public: strings.TrimRight(o.PublicURL, "/"),
		twilio: o.TwilioBase, smsapi: o.SMSAPIBase, http: o.HTTP, now: o.Now, log: o.Log}
	if s.http == nil {
		s.http = &http.Client{Timeout: 15 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// provider builds the workspace's provider from its settings.
func (s *Service) provider(set Settings, cred credentials) (Provider, error) {
	switch {
	case set.Provider == ProviderTwilio && cred.TwilioAuthToken != "":
		return &Twilio{AccountSID: set.TwilioAccountSID, AuthToken: cred.TwilioAuthToken,
			MessagingServiceSID: set.TwilioMessagingServiceSID, Base: s.twilio, HTTP: s.http}, nil
	case set.Provider == ProviderSMSAPI && cred.SMSAPIToken != "":
		return &SMSAPI{Token: cred.SMSAPIToken, Base: s.smsapi, HTTP: s.http}, nil
	}
	return nil, ErrNotConfigured
}

// Plan is a text made ready for one number: the number in E.164, the
// sender its country allows, the text as it will go (transliterated when
// the workspace asks) and its length.
type Plan struct {
	Provider string `json:"provider"`
	To       string `json:"to"`
	From     string `json:"from"`
	Text     string `json:"text"`
	Count    Count  `json:"count"`
}

// maxSegments bounds one text: longer ones cost a fortune and are
// refused by providers (Twilio's 1600 characters are 10 UCS-2 parts).
const maxSegments = 10

// Unsendable is a text that can never go to this contact as it is: a
// number that is not one, no sender allowed in its country, a text too
// long. Sends skip it with Reason rather than retrying.
type Unsendable struct{ Reason string }

func (e *Unsendable) Error() string { return "sms: " + e.Reason }

// Plan prepares text for phone in the workspace. currency is the
// workspace's, for the default country (DefaultCountryFor). It returns
// ErrNotConfigured when the workspace has no provider, and *Unsendable
// when this text cannot go to this number.
func (s *Service) Plan(ctx context.Context, ws, currency, phone, text string) (Plan, error) {
	set, cred, err := s.load(ctx, ws)
	if err != nil {
		return Plan{}, err
	}
	if _, err := s.provider(set, cred); err != nil {
		return Plan{}, err
	}
	return plan(set, currency, phone, text)
}

func plan(set Settings, currency, phone, text string) (Plan, error) {
	to, err := NormalizeE164(phone, DefaultCountryFor(set, currency))
	if err != nil {
		return Plan{}, &Unsendable{Reason: "phone number: " + err.Error()}
	}
	p := Plan{Provider: set.Provider, To: to, Text: strings.TrimSpace(text)}
	if set.Transliterate {
		p.Text = Transliterate(p.Text)
	}
	if p.Text == "" {
		return p, &Unsendable{Reason: "the text is empty"}
	}
	p.Count = CountText(p.Text)
	if p.Count.Segments > maxSegments {
		return p, &Unsendable{Reason: fmt.Sprintf("the text is %d segments long, more than %d", p.Count.Segments, maxSegments)}
	}
	if set.TwilioMessagingServiceSID != "" && set.Provider == ProviderTwilio {
		return p, nil // the Messaging Service picks the sender
	}
	if p.From, err = ChooseSender(to, set.SenderID, set.FromNumber); err != nil {
		return p, &Unsendable{Reason: err.Error() + " (" + CountryOf(to) + ")"}
	}
	return p, nil
}

// Deliver sends a planned text as message messageID and keeps the
// provider's id for its receipts. A *SendError says whether to retry.
func (s *Service) Deliver(ctx context.Context, ws, messageID string, p Plan) (Sent, error) {
	set, cred, err := s.load(ctx, ws)
	if err != nil {
		return Sent{}, err
	}
	prov, err := s.provider(set, cred)
	if err != nil {
		return Sent{}, err
	}
	sent, err := prov.Send(ctx, Outgoing{To: p.To, From: p.From, Text: p.Text, Reference: messageID,
		StatusURL: s.statusURL(ws, prov.Name(), messageID)})
	if err != nil {
		return sent, err
	}
	if sent.Duplicate {
		// An earlier attempt reached the provider: its row holds the id.
		return sent, nil
	}
	if err := s.st.RecordSMSSent(ctx, ws, store.SMSMessage{MessageID: messageID, Provider: prov.Name(), ProviderID: sent.ProviderID,
		Segments: p.Count.Segments, Delivery: DeliveryQueued, UpdatedAt: s.now()}); err != nil {
		// The text is out; losing its id only loses its receipts.
		s.log.Warn("sms: could not keep the provider's id", "message", messageID, "err", err)
	}
	return sent, nil
}

// Webhook kinds.
const (
	hookStatus  = "status"
	hookInbound = "inbound"
)

// statusURL is where the provider reports a text's delivery.
func (s *Service) statusURL(ws, provider, messageID string) string {
	u := s.hookURL(ws, provider, hookStatus)
	if provider == ProviderTwilio {
		return u + "?m=" + url.QueryEscape(messageID)
	}
	return u + "&m=" + url.QueryEscape(messageID)
}

// hookURL is a webhook's address. SMSAPI signs nothing, so its URLs carry
// a key only this instance can make (k, an HMAC of the workspace and the
// kind); Twilio signs every request with the account's Auth Token.
func (s *Service) hookURL(ws, provider, kind string) string {
	u := s.public + "/webhooks/sms/" + provider + "/" + url.PathEscape(ws) + "/" + kind
	if provider == ProviderSMSAPI {
		u += "?k=" + s.hookKey(ws, kind)
	}
	return u
}

func (s *Service) hookKey(ws, kind string) string {
	return s.box.Sign("sms-webhook", []byte(ws+"/"+ProviderSMSAPI+"/"+kind))
}

// WebhookURLs are the addresses to give the provider: where it reports
// deliveries (set on each text; shown for reference) and where it posts
// replies (set on the number in Twilio, as the callback URL in SMSAPI).
type WebhookURLs struct {
	Status  string `json:"status"`
	Inbound string `json:"inbound"`
}

// Webhooks returns the workspace's webhook URLs for its provider.
func (s *Service) Webhooks(ctx context.Context, ws string) (WebhookURLs, error) {
	set, err := s.Settings(ctx, ws)
	if err != nil || set.Provider == "" {
		return WebhookURLs{}, err
	}
	return WebhookURLs{Status: s.hookURL(ws, set.Provider, hookStatus), Inbound: s.hookURL(ws, set.Provider, hookInbound)}, nil
}

// IsUnsendable returns the reason of an *Unsendable error.
func IsUnsendable(err error) (string, bool) {
	var u *Unsendable
	if errors.As(err, &u) {
		return u.Reason, true
	}
	return "", false
}

// Configured reports whether the workspace has a provider with its
// credentials.
func (s *Service) Configured(ctx context.Context, ws string) (bool, error) {
	set, cred, err := s.load(ctx, ws)
	if err != nil {
		return false, err
	}
	_, err = s.provider(set, cred)
	return err == nil, nil
}
