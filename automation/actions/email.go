package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/store"
)

// outboxFrom is the sender shown on mail kept in the outbox when no
// from_email is set: it is never sent, and .invalid can never be a real
// domain.
const outboxFrom = "shop@example.invalid"

// emailBody is what the messages row keeps of an email: enough to send it
// again exactly as rendered if the first delivery died before sending.
type emailBody struct {
	From    string            `json:"from"`
	HTML    string            `json:"html"`
	Text    string            `json:"text"`
	Headers map[string]string `json:"headers,omitempty"`
}

// SendEmail renders and sends an email step.
//
// Params: subject and html (required, email templates), preheader, text;
// products (see products: "cart" by default when there is a cart, else
// "none"), product_count (4); discount_from (the
// id of an earlier discount step whose code the email offers); vars (an
// object, the template's .Vars).
func (c *Channels) SendEmail(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
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
	if c.o.Mail != nil && r.settings.FromEmail == "" {
		return automation.Result{}, errors.New("email cannot be sent: set messaging settings from_email")
	}
	if found {
		// Stored but not sent: the process died between the two, or the
		// relay failed temporarily. Sending now is the one at-least-once
		// gap: if the relay accepted the mail and the process died before
		// the status was written, the recipient gets it twice. The window is
		// one SMTP transaction wide; closing it would need the relay to
		// de-duplicate, which SMTP does not offer.
		if err := c.quiet(r); err != nil {
			return automation.Result{}, err
		}
		return c.deliverEmail(ctx, en, s, r, prev)
	}

	if r.contact.Email == "" {
		return c.skipMessage(ctx, en, key, store.ChannelEmail, SkipNoEmail)
	}
	ok, err := c.emailConsent(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return automation.Result{}, err
	}
	if !ok {
		return c.skipMessage(ctx, en, key, store.ChannelEmail, SkipNoConsent)
	}
	if capped, err := c.capped(ctx, r, store.ChannelEmail); err != nil || capped {
		if err != nil {
			return automation.Result{}, err
		}
		return c.skipMessage(ctx, en, key, store.ChannelEmail, SkipCap)
	}
	switch missing, err := c.codeMissing(ctx, en, paramsOf(s)); {
	case err != nil:
		return automation.Result{}, err
	case missing:
		return c.skipMessage(ctx, en, key, store.ChannelEmail, SkipNoCode)
	}
	if err := c.quiet(r); err != nil {
		return automation.Result{}, err
	}

	m, err := c.renderEmail(ctx, en, s, r, key)
	if err != nil {
		return automation.Result{}, err
	}
	stored, created, err := c.o.Store.CreateMessage(ctx, m)
	if err != nil {
		return automation.Result{}, err
	}
	if !created && stored.Status != store.MessageQueued {
		return settled(stored), nil // a concurrent delivery of the step finished it
	}
	return c.deliverEmail(ctx, en, s, r, stored)
}

// renderEmail builds the queued message of an email step, rendered and
// tracked.
func (c *Channels) renderEmail(ctx context.Context, en automation.Enrollment, s automation.Step, r recipient, key string) (store.Message, error) {
	p := paramsOf(s)
	tpl, err := c.emailTemplate(p)
	if err != nil {
		return store.Message{}, err
	}
	ct, err := c.content(ctx, en, p, r)
	if err != nil {
		return store.Message{}, err
	}
	id := newMessageID()
	links := c.o.Links.Email(en.WorkspaceID, en.ContactID, id)
	ct.data.Links.Unsubscribe, ct.data.Links.Preferences = links.Unsubscribe, links.Preferences
	out, err := tpl.Render(ct.data)
	if err != nil {
		return store.Message{}, fmt.Errorf("step %s: %w", s.ID, err)
	}
	html, err := c.o.Links.EmailTracker().Rewrite(out.HTML, id)
	if err != nil {
		return store.Message{}, err
	}
	from := r.settings.FromEmail
	if from == "" {
		from = outboxFrom
	}
	body, err := json.Marshal(emailBody{From: from, HTML: html, Text: out.Text, Headers: email.ListUnsubscribeHeaders(links.Unsubscribe, "")})
	if err != nil {
		return store.Message{}, err
	}
	return store.Message{ID: id, WorkspaceID: en.WorkspaceID, ContactID: en.ContactID, Channel: store.ChannelEmail,
		StepKey: key, FlowID: en.FlowID, EnrollmentID: en.ID, Status: store.MessageQueued, Recipient: r.contact.Email,
		Subject: out.Subject, Body: body, CreatedAt: c.o.Now()}, nil
}

// emailTemplate compiles (or finds in the cache) an email step's subject,
// preheader, html and text templates.
func (c *Channels) emailTemplate(p params) (*email.Compiled, error) {
	subject, err := p.required("subject")
	if err != nil {
		return nil, err
	}
	htmlSrc, err := p.required("html")
	if err != nil {
		return nil, err
	}
	tpl, err := c.templates.get(email.Template{Subject: subject, Preheader: p.str("preheader"), HTML: htmlSrc, Text: p.str("text")})
	var te *email.TemplateError
	if errors.As(err, &te) {
		return nil, p.bad(te.Part, "%s", strings.TrimPrefix(te.Error(), "email template: "+te.Part+": "))
	}
	if err != nil {
		return nil, p.bad("html", "%v", err)
	}
	return tpl, nil
}

// deliverEmail sends a queued email message and records what became of it.
func (c *Channels) deliverEmail(ctx context.Context, en automation.Enrollment, s automation.Step, r recipient, m store.Message) (automation.Result, error) {
	if c.o.Mail == nil {
		if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageOutbox, "", c.o.Now()); err != nil {
			return automation.Result{}, err
		}
		m.Status = store.MessageOutbox
		return settled(m), nil
	}
	var body emailBody
	if err := json.Unmarshal(m.Body, &body); err != nil {
		return automation.Result{}, fmt.Errorf("message %s body: %w", m.ID, err)
	}
	err := c.o.Mail.Send(ctx, email.Mail{From: r.settings.FromEmail, FromName: r.settings.FromName,
		ReplyTo: r.settings.ReplyTo, To: m.Recipient, ToName: joinName(r.contact.FirstName, r.contact.LastName),
		Subject: m.Subject, HTML: body.HTML, Text: body.Text, Headers: body.Headers, MessageID: m.ID})
	switch {
	case err == nil:
	case errors.Is(err, email.ErrPermanent) || errors.Is(err, email.ErrInvalidMail):
		// The relay refused it for good (or it can never be sent as is):
		// retrying would only be refused again.
		if serr := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageFailed, err.Error(), time.Time{}); serr != nil {
			return automation.Result{}, serr
		}
		c.log.Warn("automation: email rejected", "message", m.ID, "err", err)
		return skipped("rejected: " + err.Error()), nil
	default:
		// Temporary: the message stays queued and River's retry sends it.
		return automation.Result{}, fmt.Errorf("send email %s: %w", m.ID, err)
	}
	if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageSent, "", c.o.Now()); err != nil {
		return automation.Result{}, err
	}
	c.record(ctx, en.WorkspaceID, en.ContactID, EventEmailSent, map[string]any{"message_id": m.ID, "flow_id": en.FlowID, "step_id": s.ID})
	m.Status = store.MessageSent
	return settled(m), nil
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}
