package actions

import (
	"context"
	"errors"
	"fmt"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// SkipNoChannel is a send_best step whose contact can be reached on none
// of its channels.
const SkipNoChannel = "no channel with consent and address"

// SendBest sends on the first channel of params.channels the contact can
// be reached on: consent granted and an address (sms: a phone and SMS
// consent, SMS configured; push: a browser subscription; email: an
// address and email consent). The chosen channel's params are those under
// its name, and it sends as its own step kind would, keyed on this step:
// once a channel's message is stored, a repeat of the step goes on with
// that channel, never a second one.
func (c *Channels) SendBest(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	p := paramsOf(s)
	order, err := bestOrder(p)
	if err != nil {
		return automation.Result{}, err
	}
	key := automation.StepKey(en, s.ID)
	switch m, err := c.o.Store.MessageByStepKey(ctx, en.WorkspaceID, key); {
	case err == nil:
		return c.sendOn(ctx, en, s, m.Channel)
	case !errors.Is(err, store.ErrNotFound):
		return automation.Result{}, err
	}
	r, skip, err := c.contactOf(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	for _, ch := range order {
		ok, err := c.reachable(ctx, r, ch)
		if err != nil {
			return automation.Result{}, err
		}
		if ok {
			return c.sendOn(ctx, en, s, ch)
		}
	}
	return skipped(SkipNoChannel), nil
}

// sendOn runs the step as the channel's own send, with its params.
func (c *Channels) sendOn(ctx context.Context, en automation.Enrollment, s automation.Step, channel string) (automation.Result, error) {
	sub, _ := s.Params[channel].(map[string]any)
	step := automation.Step{ID: s.ID, Params: sub}
	var res automation.Result
	var err error
	switch channel {
	case store.ChannelSMS:
		step.Kind = automation.KindSendSMS
		res, err = c.SendSMS(ctx, en, step)
	case store.ChannelPush:
		step.Kind = automation.KindSendPush
		res, err = c.SendPush(ctx, en, step)
	case store.ChannelEmail:
		step.Kind = automation.KindSendEmail
		res, err = c.SendEmail(ctx, en, step)
	default:
		return automation.Result{}, fmt.Errorf("step %s: channel %q cannot be chosen", s.ID, channel)
	}
	if err != nil {
		return res, err
	}
	if res.Data == nil {
		res.Data = map[string]any{}
	}
	res.Data["channel"] = channel
	return res, nil
}

// reachable reports whether the contact has consent and an address on
// the channel.
func (c *Channels) reachable(ctx context.Context, r recipient, channel string) (bool, error) {
	ws, id := r.contact.WorkspaceID, r.contact.ID
	switch channel {
	case store.ChannelEmail:
		if r.contact.Email == "" {
			return false, nil
		}
		return c.consent(ctx, ws, id, store.ChannelEmail)
	case store.ChannelSMS:
		if reason, err := c.smsReach(ctx, r); err != nil || reason != "" {
			return false, err
		}
		return c.o.SMS.Configured(ctx, ws)
	case store.ChannelPush:
		if c.o.Push == nil {
			return false, nil
		}
		subs, err := c.o.Store.ContactPushSubscriptions(ctx, ws, id)
		return len(subs) > 0, err
	}
	return false, nil
}

// bestOrder reads params.channels (automation.Validate checked its shape
// when the flow was saved).
func bestOrder(p params) ([]string, error) {
	raw, _ := p.m["channels"].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		ch, _ := v.(string)
		if ch != store.ChannelEmail && ch != store.ChannelSMS && ch != store.ChannelPush {
			return nil, p.bad("channels", "%v is not sms, push or email", v)
		}
		out = append(out, ch)
	}
	if len(out) == 0 {
		return nil, p.bad("channels", "is required: an ordered list of sms, push and email")
	}
	return out, nil
}

// checkBest checks each channel's params as its own step kind's, the
// param at fault named under the channel ("sms.text").
func (c *Channels) checkBest(s automation.Step) error {
	order, err := bestOrder(paramsOf(s))
	if err != nil {
		return err
	}
	kinds := map[string]string{store.ChannelSMS: automation.KindSendSMS, store.ChannelPush: automation.KindSendPush,
		store.ChannelEmail: automation.KindSendEmail}
	for _, ch := range order {
		sub, _ := s.Params[ch].(map[string]any)
		err := c.CheckStep(automation.Step{ID: s.ID, Kind: kinds[ch], Params: sub})
		var pe *ParamError
		if errors.As(err, &pe) {
			return &ParamError{Step: s.ID, Param: ch + "." + pe.Param, Reason: pe.Reason}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
