package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/internal/safeurl"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/store"
)

// pushBody is what the messages row keeps of a push: the encrypted-to-be
// payload, so that a repeated step sends exactly what was stored, and the
// link behind the click-tracking URL for the admin.
type pushBody struct {
	Payload json.RawMessage `json:"payload"`
	Target  string          `json:"target,omitempty"`
}

// SendPush sends a web push step to every browser subscription of the
// contact.
//
// Params: title (required), body, url (default the recovery link, else
// the first cart item's or product's page, else the shop), icon, image —
// title, body and url are text/templates over the same data as email
// ({{.Contact.FirstName}}, {{(index .Items 0).Title}}, {{money 1250}}) —
// ttl ("24h"), urgency (very-low, low, normal, high) and topic.
func (c *Channels) SendPush(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
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
	if c.o.Push == nil {
		return c.skipPush(ctx, en, key, prev, found, SkipPushDisabled)
	}
	subs, err := c.o.Store.ContactPushSubscriptions(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return automation.Result{}, err
	}
	if len(subs) == 0 {
		return c.skipPush(ctx, en, key, prev, found, SkipNoSubscription)
	}
	opts, err := pushOptions(paramsOf(s))
	if err != nil {
		return automation.Result{}, err
	}
	opts.Subject = r.settings.PushSubject
	if !found {
		// Push needs no consent beyond the subscription itself: the
		// browser's permission prompt is the opt-in.
		if capped, err := c.capped(ctx, r, store.ChannelPush); err != nil || capped {
			if err != nil {
				return automation.Result{}, err
			}
			return c.skipMessage(ctx, en, key, store.ChannelPush, SkipCap)
		}
	}
	if err := c.quiet(r); err != nil {
		return automation.Result{}, err
	}
	if !found {
		m, err := c.renderPush(ctx, en, s, r, key)
		if err != nil {
			return automation.Result{}, err
		}
		var created bool
		if prev, created, err = c.o.Store.CreateMessage(ctx, m); err != nil {
			return automation.Result{}, err
		}
		if !created && prev.Status != store.MessageQueued {
			return settled(prev), nil
		}
	}
	// A queued message found here was stored by a delivery that died
	// before or while sending: it is sent now, which may repeat it on the
	// browsers the first delivery reached (the at-least-once gap of one
	// send; Topic, when set, lets the push service replace the duplicate).
	return c.deliverPush(ctx, en, s, prev, subs, opts)
}

// skipPush settles a push step as skipped, whether or not an earlier
// delivery had stored it as queued.
func (c *Channels) skipPush(ctx context.Context, en automation.Enrollment, key string, prev store.Message, found bool, reason string) (automation.Result, error) {
	if !found {
		return c.skipMessage(ctx, en, key, store.ChannelPush, reason)
	}
	if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, prev.ID, store.MessageSkipped, reason, time.Time{}); err != nil {
		return automation.Result{}, err
	}
	return skipped(reason), nil
}

// pushOptions reads a push step's delivery params: ttl (24h), urgency and
// topic (RFC 8030).
func pushOptions(p params) (webpush.SendOptions, error) {
	ttl, err := p.duration("ttl", 24*time.Hour)
	if err != nil {
		return webpush.SendOptions{}, err
	}
	o := webpush.SendOptions{TTL: ttl, Urgency: strings.TrimSpace(p.str("urgency")), Topic: strings.TrimSpace(p.str("topic"))}
	// One option at a time, so that the error names the param at fault.
	if err := (webpush.SendOptions{Urgency: o.Urgency}).Validate(); err != nil {
		return o, p.bad("urgency", "%s", strings.TrimPrefix(err.Error(), "webpush: "))
	}
	if err := (webpush.SendOptions{Topic: o.Topic}).Validate(); err != nil {
		return o, p.bad("topic", "%s", strings.TrimPrefix(err.Error(), "webpush: "))
	}
	return o, nil
}

// renderPush builds the queued message of a push step.
func (c *Channels) renderPush(ctx context.Context, en automation.Enrollment, s automation.Step, r recipient, key string) (store.Message, error) {
	p := paramsOf(s)
	titleSrc, err := p.required("title")
	if err != nil {
		return store.Message{}, err
	}
	ct, err := c.content(ctx, en, p, r)
	if err != nil {
		return store.Message{}, err
	}
	render := func(name, src string) (string, error) {
		out, err := renderText(src, ct.data)
		if err != nil {
			return "", &ParamError{Step: s.ID, Param: name, Reason: err.Error()}
		}
		return out, nil
	}
	title, err := render("title", titleSrc)
	if err != nil {
		return store.Message{}, err
	}
	body, err := render("body", p.str("body"))
	if err != nil {
		return store.Message{}, err
	}
	target, err := render("url", p.str("url"))
	if err != nil {
		return store.Message{}, err
	}
	target = c.link(s, "url", target, ct.shopURL)
	if target == "" {
		target = defaultTarget(ct)
	}
	id := newMessageID()
	msg := webpush.Message{Title: title, Body: body, Icon: c.link(s, "icon", p.str("icon"), ct.shopURL),
		Image: c.link(s, "image", p.str("image"), ct.shopURL), Tag: en.FlowID, ClickID: id}
	if target != "" {
		msg.URL = c.o.Links.PushTracker().ClickURL(id, 0, target)
	}
	payload, err := msg.Encode()
	if err != nil {
		return store.Message{}, fmt.Errorf("step %s: %w", s.ID, err)
	}
	stored, err := json.Marshal(pushBody{Payload: payload, Target: target})
	if err != nil {
		return store.Message{}, err
	}
	return store.Message{ID: id, WorkspaceID: en.WorkspaceID, ContactID: en.ContactID, Channel: store.ChannelPush,
		StepKey: key, FlowID: en.FlowID, EnrollmentID: en.ID, Status: store.MessageQueued, Subject: title,
		Body: stored, CreatedAt: c.o.Now()}, nil
}

// defaultTarget is where a notification without a url leads: the cart to
// recover, else the first item or product shown, else the shop. These come
// from event and catalogue data, so each is checked like a param.
func defaultTarget(ct content) string {
	d := ct.data
	cands := []string{d.Links.Recovery}
	for _, it := range d.Items {
		cands = append(cands, it.URL)
	}
	for _, pr := range d.Products {
		cands = append(cands, pr.URL)
	}
	for _, u := range cands {
		if r, err := safeurl.Resolve(u, ct.shopURL); err == nil && r != "" {
			return r
		}
	}
	return ct.shopURL
}

// renderText runs a text/template over the message data. It has the email
// templates' simplest helpers: money and default.
func renderText(src string, d email.Data) (string, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	t, err := localTextTemplate(src, d.Shop.Currency, d.Shop.Locale)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// textTemplate parses a push or inbox text; money formats in currency.
func textTemplate(src, currency string) (*template.Template, error) {
	return localTextTemplate(src, currency, "")
}

// localTextTemplate is textTemplate with money written as locale writes it.
func localTextTemplate(src, currency, locale string) (*template.Template, error) {
	return template.New("text").Option("missingkey=zero").Funcs(template.FuncMap{
		"money": func(minor int64) string { return commerce.FormatMoneyIn(minor, currency, locale) },
		"default": func(def string, v any) string {
			if s := fmt.Sprint(v); v != nil && s != "" {
				return s
			}
			return def
		},
	}).Parse(src)
}

// deliverPush sends a queued push to every subscription. A subscription
// the push service says is gone is deleted; the message counts as sent
// when at least one browser took it, and is retried (left queued) when
// none did for a reason other than gone.
func (c *Channels) deliverPush(ctx context.Context, en automation.Enrollment, s automation.Step, m store.Message, subs []store.PushSubscription, opts webpush.SendOptions) (automation.Result, error) {
	var body pushBody
	if err := json.Unmarshal(m.Body, &body); err != nil {
		return automation.Result{}, fmt.Errorf("message %s body: %w", m.ID, err)
	}
	delivered, gone := 0, 0
	var errs []error
	for _, sub := range subs {
		res, err := c.o.Push.Send(ctx, webpush.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, body.Payload, opts)
		switch {
		case err == nil:
			delivered++
		case res.Gone || errors.Is(err, webpush.ErrGone) || errors.Is(err, webpush.ErrForbiddenEndpoint):
			// A forbidden endpoint (not public https) can never be posted
			// to: it goes like one the push service dropped.
			gone++
			if derr := c.o.Store.DeletePushSubscription(ctx, en.WorkspaceID, sub.Endpoint); derr != nil && !errors.Is(derr, store.ErrNotFound) {
				c.log.Warn("automation: could not delete a gone push subscription", "subscription", sub.ID, "err", derr)
			}
		default:
			errs = append(errs, err)
		}
	}
	switch {
	case delivered == 0 && len(errs) > 0:
		return automation.Result{}, fmt.Errorf("send push %s: %w", m.ID, errors.Join(errs...))
	case delivered == 0:
		if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageSkipped, SkipNoSubscription, time.Time{}); err != nil {
			return automation.Result{}, err
		}
		return skipped(SkipNoSubscription), nil
	case len(errs) > 0:
		// Some browsers have it: retrying would send it to them again.
		c.log.Warn("automation: push not delivered to every browser", "message", m.ID, "delivered", delivered, "err", errors.Join(errs...))
	}
	if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, m.ID, store.MessageSent, "", c.o.Now()); err != nil {
		return automation.Result{}, err
	}
	c.record(ctx, en.WorkspaceID, en.ContactID, EventPushSent, map[string]any{"message_id": m.ID, "flow_id": en.FlowID,
		"step_id": s.ID, "delivered": delivered})
	m.Status = store.MessageSent
	res := settled(m)
	res.Data["delivered"] = delivered
	if gone > 0 {
		res.Data["gone"] = gone
	}
	return res, nil
}
