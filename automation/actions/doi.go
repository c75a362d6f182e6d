package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// confirmStep is the double opt-in email. It goes through the same
// rendering, tracking and outbox as a flow's emails, but it is
// transactional: no caps, no quiet hours, and it is sent precisely because
// consent is not granted yet.
var confirmStep = automation.Step{ID: "confirm", Kind: automation.KindSendEmail, Params: map[string]any{
	"subject":   `{{t "doi.subject" .Shop.Name}}`,
	"preheader": `{{t "doi.preheader"}}`,
	"products":  "none",
	"html": `<h1>{{t "doi.heading"}}</h1>
<p>{{with .Contact.FirstName}}{{t "doi.hi_name" .}}{{else}}{{t "doi.hi"}}{{end}} {{t "doi.body" .Shop.Name}}</p>
{{template "button" (button (t "doi.button") (index .Vars "confirm_url"))}}
<p>{{t "doi.ignore"}}</p>`,
}}

// ConfirmSubscription is the automation processor's hook for consent
// events: when the event left the contact's email consent waiting for
// confirmation (the workspace asks for double opt-in), it sends the
// confirmation email with the signed link that grants it.
//
// The message is keyed on the event, so a replayed event sends nothing
// again. A relay that fails for now leaves the message queued and is
// logged rather than returned: the hook runs inside the processor, which
// must not stop for an SMTP outage.
func (c *Channels) ConfirmSubscription(ctx context.Context, ev store.Event, contactID string) error {
	var props struct {
		Email    any `json:"email"` // a flag from the tracker, the address on API events
		Channels struct {
			Email bool `json:"email"`
		} `json:"channels"`
	}
	if json.Unmarshal(ev.Props, &props) != nil || props.Email != true && !props.Channels.Email {
		return nil // not a sign-up for email (tracking consent, say)
	}
	pending, err := c.pendingEmailConsent(ctx, ev.WorkspaceID, contactID)
	if err != nil || !pending {
		return err
	}
	en := automation.Enrollment{ID: fmt.Sprintf("doi-%d", ev.ID), WorkspaceID: ev.WorkspaceID, ContactID: contactID}
	key := automation.StepKey(en, confirmStep.ID)
	prev, found, done, _, err := c.previous(ctx, en, key)
	if err != nil || done {
		return err
	}
	r, skip, err := c.recipient(ctx, en)
	if err != nil || skip != "" || r.contact.Email == "" {
		return err
	}
	if c.o.Mail != nil && r.settings.FromEmail == "" {
		c.log.Warn("double opt-in: set messaging settings from_email to send confirmations", "workspace", ev.WorkspaceID)
		return nil
	}
	m := prev
	if !found {
		s := confirmStep
		s.Params = maps.Clone(confirmStep.Params)
		s.Params["vars"] = map[string]any{"confirm_url": c.o.Links.Confirm(ev.WorkspaceID, contactID, "")}
		if m, err = c.renderEmail(ctx, en, s, r, key); err != nil {
			return err
		}
		stored, created, err := c.o.Store.CreateMessage(ctx, m)
		if err != nil {
			return err
		}
		if !created && stored.Status != store.MessageQueued {
			return nil
		}
		m = stored
	}
	if _, err := c.deliverEmail(ctx, en, confirmStep, r, m); err != nil {
		c.log.Warn("double opt-in confirmation not sent yet", "message", m.ID, "err", err)
	}
	return nil
}

// pendingEmailConsent reports whether the contact's email consent waits
// for its double opt-in confirmation.
func (c *Channels) pendingEmailConsent(ctx context.Context, ws, contact string) (bool, error) {
	cons, err := c.o.Store.Consents(ctx, ws, contact)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, x := range cons {
		if x.Channel == "email" {
			return !x.Granted && strings.HasPrefix(x.Text, cdp.PendingConsentPrefix), nil
		}
	}
	return false, nil
}
