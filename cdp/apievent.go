package cdp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// APIEvent is one server-side event sent to POST /api/v1/events: a custom
// event about a person named by at least one identifier.
type APIEvent struct {
	// ID is the caller's id for the event, optional: an event whose id was
	// already stored for the same person (visitor_id, or none) is not
	// stored again, so a request whose answer was lost can be retried.
	ID         string          `json:"id,omitempty"`
	Type       string          `json:"type"`
	Email      string          `json:"email,omitempty"`
	Phone      string          `json:"phone,omitempty"`
	CustomerID string          `json:"customer_id,omitempty"`
	VisitorID  string          `json:"visitor_id,omitempty"`
	ContactID  string          `json:"contact_id,omitempty"`
	OccurredAt *time.Time      `json:"occurred_at,omitempty"`
	Properties json.RawMessage `json:"properties,omitempty"`
}

// EventNamePattern is what a custom event name must match: lower snake
// case, so names stay stable keys for flows and segments.
var EventNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Limits on API events.
const (
	MaxAPIProps   = 8 << 10
	maxAPIPast    = 30 * 24 * time.Hour
	maxClockAhead = 5 * time.Minute
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`)

// APIClientIDPrefix keeps API event ids apart from the tracker's, which
// never contain a colon: the two share the log's (visitor, client id)
// uniqueness, and an API caller must not be able to shadow a browser's
// event or the reverse.
const APIClientIDPrefix = "api:"

// ErrServerOnlyType is an event type only Cartwheel itself logs (orders,
// checkouts, messages, flows): accepting it from a caller would let them
// forge a sale or a send.
var ErrServerOnlyType = errors.New("is logged by Cartwheel itself (connectors, messaging, flows) and cannot be sent")

// ToEvent validates a and turns it into a log event of the workspace.
// Identifiers are folded into the props, where the profile processor reads
// them, so an API event identifies exactly as a tracker identify would.
func (a APIEvent) ToEvent(workspaceID string, now time.Time) (store.Event, error) {
	if !EventNamePattern.MatchString(a.Type) {
		return store.Event{}, fmt.Errorf("type %q: must match %s", a.Type, EventNamePattern)
	}
	if ServerOnlyType(a.Type) {
		return store.Event{}, fmt.Errorf("type %q: %w", a.Type, ErrServerOnlyType)
	}
	if a.ID != "" && !idPattern.MatchString(a.ID) {
		return store.Event{}, errors.New("id: must be 1 to 128 letters, digits or _.:-")
	}
	props := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(a.Properties)) > 0 && !bytes.Equal(bytes.TrimSpace(a.Properties), []byte("null")) {
		if len(a.Properties) > MaxAPIProps {
			return store.Event{}, fmt.Errorf("properties: larger than %d bytes", MaxAPIProps)
		}
		if err := json.Unmarshal(a.Properties, &props); err != nil {
			return store.Event{}, errors.New("properties: must be a JSON object")
		}
	}
	if a.Type == EventConsent {
		if err := checkConsentChannels(props); err != nil {
			return store.Event{}, err
		}
		moveConsentChannels(props)
	}
	if a.Email != "" {
		em := NormalizeEmail(a.Email)
		if em == "" {
			return store.Event{}, fmt.Errorf("email %q: not an email address", a.Email)
		}
		props["email"], _ = json.Marshal(em)
	}
	if a.Phone != "" {
		if normalizePhone(a.Phone) == "" {
			return store.Event{}, fmt.Errorf("phone %q: not a phone number", a.Phone)
		}
		props["phone"], _ = json.Marshal(a.Phone)
	}
	for name, v := range map[string]string{"customer_id": a.CustomerID, "visitor_id": a.VisitorID, "contact_id": a.ContactID} {
		if v != "" && !idPattern.MatchString(v) {
			return store.Event{}, fmt.Errorf("%s: must be 1 to 128 letters, digits or _.:-", name)
		}
	}
	if a.CustomerID != "" {
		props["customer_id"], _ = json.Marshal(a.CustomerID)
	}
	if a.Email == "" && a.Phone == "" && a.CustomerID == "" && a.VisitorID == "" && a.ContactID == "" {
		return store.Event{}, errors.New("name the person: email, phone, customer_id, visitor_id or contact_id")
	}
	at := now
	if a.OccurredAt != nil {
		at = *a.OccurredAt
		if at.Before(now.Add(-maxAPIPast)) || at.After(now.Add(maxClockAhead)) {
			return store.Event{}, errors.New("occurred_at: must be within the last 30 days and not in the future")
		}
	}
	raw, err := json.Marshal(props)
	if err != nil {
		return store.Event{}, err
	}
	ev := store.Event{WorkspaceID: workspaceID, Type: a.Type, Source: "api", VisitorID: a.VisitorID,
		ContactID: a.ContactID, OccurredAt: at.UTC(), ReceivedAt: now.UTC(), Props: raw, Context: json.RawMessage("{}")}
	if a.ID != "" {
		ev.ClientID = APIClientIDPrefix + a.ID
	}
	return ev, nil
}

// ServerOnlyType reports whether an event type may only be logged by
// Cartwheel itself (connectors, messaging, forms), never by a browser.
func ServerOnlyType(t string) bool {
	switch t {
	case EventCheckoutUpdated, EventOrderPlaced, EventOrderUpdated, EventOrderCancelled, "order_paid",
		"customer_updated", "consent_changed", "product_updated", "form_submitted":
		return true
	}
	for _, prefix := range []string{"email_", "push_", "message_", "inbox_", "flow_", "segment_", "order_", "refund_"} {
		if len(t) > len(prefix) && t[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

// checkConsentChannels refuses a consent event whose channel flags are not
// booleans ({"email": "yes"}): the processor reads only booleans, so such
// an event would be stored and then mean nothing, while the caller
// believed consent was recorded. At least one channel must be stated.
func checkConsentChannels(props map[string]json.RawMessage) error {
	stated := 0
	check := func(where string, m map[string]json.RawMessage) error {
		for _, ch := range consentChannels {
			raw, ok := m[ch]
			if !ok {
				continue
			}
			var b bool
			if json.Unmarshal(raw, &b) != nil {
				return fmt.Errorf("%s%s: must be true or false, not %s", where, ch, raw)
			}
			stated++
		}
		return nil
	}
	if err := check("properties.", props); err != nil {
		return err
	}
	if raw, ok := props["channels"]; ok {
		var channels map[string]json.RawMessage
		if json.Unmarshal(raw, &channels) != nil {
			return errors.New("properties.channels: must be an object of booleans")
		}
		if err := check("properties.channels.", channels); err != nil {
			return err
		}
	}
	if stated == 0 {
		return fmt.Errorf("consent: state at least one of %v as true or false", consentChannels)
	}
	return nil
}

// moveConsentChannels moves a consent event's channel flags into
// "channels": a flat {"email": true} would otherwise be overwritten by the
// person's email address, which identifies API events under the same key.
func moveConsentChannels(props map[string]json.RawMessage) {
	channels := map[string]json.RawMessage{}
	if raw, ok := props["channels"]; ok {
		_ = json.Unmarshal(raw, &channels)
	}
	for _, ch := range consentChannels {
		var b bool
		if raw, ok := props[ch]; ok && json.Unmarshal(raw, &b) == nil {
			channels[ch] = raw
			delete(props, ch)
		}
	}
	if len(channels) > 0 {
		props["channels"], _ = json.Marshal(channels)
	}
}
