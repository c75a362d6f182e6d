package sms

import (
	"context"
	"errors"
	"fmt"
)

// Provider sends texts through one SMS provider's HTTP API. It is the
// whole of what the channel needs from a provider to send; each provider
// also reads its own webhooks (see Webhooks).
type Provider interface {
	// Name is the provider's settings name: "twilio" or "smsapi".
	Name() string
	// Send hands one text to the provider. An error is a *SendError
	// saying whether trying again can help.
	Send(ctx context.Context, m Outgoing) (Sent, error)
}

// Outgoing is one text to send.
type Outgoing struct {
	To   string // E.164
	From string // a number in E.164 or an alphanumeric sender id
	Text string
	// Reference is Cartwheel's message id: sent where the provider keeps
	// one (SMSAPI's idx, which also refuses a second send with the same
	// reference) and put in the status callback URL.
	Reference string
	// StatusURL receives the provider's delivery receipts.
	StatusURL string
}

// Sent is the provider's answer to a send.
type Sent struct {
	ProviderID string `json:"provider_id"`
	Status     string `json:"status"`
	// Duplicate reports that the provider already had a text with this
	// Reference: an earlier attempt reached it.
	Duplicate bool `json:"duplicate,omitempty"`
}

// SendError is a send the provider refused or could not take.
type SendError struct {
	Provider string
	// Code is the provider's error code (Twilio 21211, SMSAPI 13…) or
	// the HTTP status when it gave none.
	Code    string
	Message string
	// Permanent means the same text to the same number will be refused
	// again (a bad number, an opted-out recipient, bad credentials); a
	// temporary error (rate limit, the provider down) may pass later.
	Permanent bool
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("%s: %s error %s: %s", e.Provider, kind, e.Code, e.Message)
}

// Permanent reports whether err is a send that must not be retried.
func Permanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// Delivery states of a receipt, the same for every provider.
const (
	DeliveryQueued      = "queued"
	DeliverySent        = "sent"
	DeliveryDelivered   = "delivered"
	DeliveryUndelivered = "undelivered"
	DeliveryFailed      = "failed"
)

// Receipt is one delivery report.
type Receipt struct {
	ProviderID string
	Reference  string // Cartwheel's message id, when the provider echoes it
	Status     string // one of the Delivery* states
	Code       string // the provider's own status or error code
}

// Inbound is one text a person sent to the workspace's number.
type Inbound struct {
	ProviderID string
	From       string
	To         string
	Text       string
}
