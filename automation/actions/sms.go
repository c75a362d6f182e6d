package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/store"
)

// SMSChannel plans and sends texts; *sms.Service is one.
type SMSChannel interface {
	// Plan readies text for a phone in the workspace: the number in
	// E.164, the sender its country allows, the count. It returns
	// sms.ErrNotConfigured without a provider and *sms.Unsendable when
	// this text cannot go to this number.
	Plan(ctx context.Context, workspaceID, currency, phone, text string) (sms.Plan, error)
	// Deliver hands the planned text to the provider as message id.
	Deliver(ctx context.Context, workspaceID, messageID string, p sms.Plan) (sms.Sent, error)
	// Configured reports whether the workspace has a provider to send
	// through (send_best passes SMS by otherwise).
	Configured(ctx context.Context, workspaceID string) (bool, error)
}

// Skip reasons of SMS sends.
const (
	SkipNoPhone      = "no phone number"
	SkipNoSMSConsent = "no sms consent"
	SkipSMSDisabled  = "sms disabled"
)

// EventSMSSent is logged for each text handed to the provider.
const EventSMSSent = "sms_sent"

// SendSMS sends a text step.
//
// Params: text (required), a text/template over the same data as email
// ({{.Contact.FirstName}}, {{.Discount.Code}} with discount_from,
// {{.Links.Recovery}}…). The contact needs a phone number and SMS consent
// (granted, and not withdrawn by a STOP reply since); the channel's
// frequency cap and the quiet hours apply as for email and push. The
// messages row is keyed on the step like every send, so a repeated step
// sends nothing twice; SMSAPI also refuses a repeated reference itself.
func (c *Channels) SendSMS(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	key := automation.StepKey(en, s.ID)
	prev, found, done, res, err := c.previous(ctx, en, key)
	if err != nil || done {
		return res, err
	}
	r, skip, err := c.recipient(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	if reason, err := c.smsReach(ctx, r); err != nil || reason != "" {
		if err != nil {
			return automation.Result{}, err
		}
		return c.skipChannel(ctx, en, key, store.ChannelSMS, prev, found, reason)
	}
	if !found {
		if capped, err := c.capped(ctx, r, store.ChannelSMS); err != nil || capped {
			if err != nil {
				return automation.Result{}, err
			}
			return c.skipMessage(ctx, en, key, store.ChannelSMS, SkipCap)
		}
		switch missing, err := c.codeMissing(ctx, en, paramsOf(s)); {
		case err != nil:
			return automation.Result{}, err
		case missing:
			return c.skipMessage(ctx, en, key, store.ChannelSMS, SkipNoCode)
		}
	}
	if err := c.quiet(r); err != nil {
		return automation.Result{}, err
	}
	if !found {
		m, reason, err := c.renderSMS(ctx, en, s, r, key)
		if err != nil {
			return automation.Result{}, err
		}
		if reason != "" {
			return c.skipMessage(ctx, en, key, store.ChannelSMS, reason)
		}
		var created bool
		if prev, created, err = c.o.Store.CreateMessage(ctx, m); err != nil {
			return automation.Result{}, err
		}
		if !created && prev.Status != store.MessageQueued {
			return settled(prev), nil
		}
	}
	return c.deliverSMS(ctx, en, s, prev)
}

// smsReach says why the contact cannot get texts ("" when it can): SMS
// off in this instance, no phone, no SMS consent. Checked again before a
// queued text goes out: a STOP that came in between wins.
func (c *Channels) smsReach(ctx context.Context, r recipient) (string, error) {
	if c.o.SMS == nil {
		return SkipSMSDisabled, nil
	}
	if r.contact.Phone == "" {
		return SkipNoPhone, nil
	}
	ok, err := c.consent(ctx, r.contact.WorkspaceID, r.contact.ID, store.ChannelSMS)
	if err != nil || !ok {
		return SkipNoSMSConsent, err
	}
	return "", nil
}

// skipChannel settles a step as skipped, whether or not an earlier
// delivery had stored its message as queued.
func (c *Channels) skipChannel(ctx context.Context, en automation.Enrollment, key, channel string, prev store.Message, found bool, reason string) (automation.Result, error) {
	if !found {
		return c.skipMessage(ctx, en, key, channel, reason)
	}
	if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, prev.ID, store.MessageSkipped, reason, time.Time{}); err != nil {
		return automation.Result{}, err
	}
	return skipped(reason), nil
}

// renderSMS builds the queued message of a text step; reason is why it
// cannot be sent to this contact (no provider, a number that is not one,
// no sender allowed in its country).
func (c *Channels) renderSMS(ctx context.Context, en automation.Enrollment, s automation.Step, r recipient, key string) (store.Message, string, error) {
	p := paramsOf(s)
	src, err := p.required("text")
	if err != nil {
		return store.Message{}, "", err
	}
	ct, err := c.content(ctx, en, p, r)
	if err != nil {
		return store.Message{}, "", err
	}
	text, err := renderText(src, ct.data)
	if err != nil {
		return store.Message{}, "", &ParamError{Step: s.ID, Param: "text", Reason: err.Error()}
	}
	plan, err := c.o.SMS.Plan(ctx, en.WorkspaceID, r.ws.Currency, r.contact.Phone, text)
	if errors.Is(err, sms.ErrNotConfigured) {
		return store.Message{}, SkipSMSDisabled, nil
	}
	if reason, ok := sms.IsUnsendable(err); ok {
		return store.Message{}, reason, nil
	}
	if err != nil {
		return store.Message{}, "", err
	}
	body, err := json.Marshal(plan)
	if err != nil {
		return store.Message{}, "", err
	}
	return store.Message{ID: newMessageID(), WorkspaceID: en.WorkspaceID, ContactID: en.ContactID, Channel: store.ChannelSMS,
		StepKey: key, FlowID: en.FlowID, EnrollmentID: en.ID, Status: store.MessageQueued, Recipient: plan.To,
		Body: body, CreatedAt: c.o.Now()}, "", nil
}

// deliverSMS sends a queued text exactly as it was stored.
func (c *Channels) deliverSMS(ctx context.Context, en automation.Enrollment, s automation.Step, m store.Message) (automation.Result, error) {
	var plan sms.Plan
	if err := json.Unmarshal(m.Body, &plan); err != nil {
		return automation.Result{}, fmt.Errorf("message %s body: %w", m.ID, err)
	}
	sent, err := c.o.SMS.Deliver(ctx, en.WorkspaceID, m.ID, plan)
	switch {
	case err == nil:
	case errors.Is(err, sms.ErrNotConfigured):
		// The provider was removed since the text was stored.
		if serr := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageSkipped, SkipSMSDisabled, time.Time{}); serr != nil {
			return automation.Result{}, serr
		}
		return skipped(SkipSMSDisabled), nil
	case sms.Permanent(err):
		if serr := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageFailed, err.Error(), time.Time{}); serr != nil {
			return automation.Result{}, serr
		}
		c.log.Warn("automation: sms rejected", "message", m.ID, "err", err)
		return skipped("rejected: " + err.Error()), nil
	default:
		// Temporary: the text stays queued and River's retry sends it.
		return automation.Result{}, fmt.Errorf("send sms %s: %w", m.ID, err)
	}
	if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageSent, "", c.o.Now()); err != nil {
		return automation.Result{}, err
	}
	c.record(ctx, en.WorkspaceID, en.ContactID, EventSMSSent, map[string]any{"message_id": m.ID, "flow_id": en.FlowID,
		"step_id": s.ID, "segments": plan.Count.Segments, "encoding": plan.Count.Encoding})
	m.Status = store.MessageSent
	res := settled(m)
	res.Data["segments"] = plan.Count.Segments
	if sent.ProviderID != "" {
		res.Data["provider_id"] = sent.ProviderID
	}
	return res, nil
}

// checkSMS checks a text step's text: required, a template that parses.
func checkSMS(p params) error {
	src, err := p.required("text")
	if err != nil {
		return err
	}
	if _, err := textTemplate(src, ""); err != nil {
		return p.bad("text", "%v", err)
	}
	return nil
}
