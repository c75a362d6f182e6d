package automation

import (
	"context"
	"fmt"
)

// Step kinds of the SMS channel and of the channel chosen per contact.
const (
	// KindSendSMS sends a text (params: text, a template).
	KindSendSMS = "send_sms"
	// KindSendBest sends on the first channel of params.channels (an
	// ordered list of "sms", "push", "email") that the contact has both
	// consent and an address for, with that channel's params under its
	// name ({"channels": ["sms", "email"], "sms": {...}, "email": {...}}).
	KindSendBest = "send_best"
)

// bestChannels are the channels a send_best step may name.
var bestChannels = map[string]bool{"email": true, "sms": true, "push": true}

// ChannelActions is what Actions implement to run send_sms and send_best
// steps. It is separate from Actions so that an implementation without
// SMS still satisfies Actions; a flow with these steps then fails them
// with a clear error.
type ChannelActions interface {
	SendSMS(ctx context.Context, en Enrollment, s Step) (Result, error)
	SendBest(ctx context.Context, en Enrollment, s Step) (Result, error)
}

// actChannel runs a send_sms or send_best step.
func (e *Engine) actChannel(ctx context.Context, en Enrollment, s Step) (Result, error) {
	ca, ok := e.actions.(ChannelActions)
	if !ok {
		return Result{}, fmt.Errorf("step kind %q: this engine's actions have no SMS channel", s.Kind)
	}
	if s.Kind == KindSendSMS {
		return ca.SendSMS(ctx, en, s)
	}
	return ca.SendBest(ctx, en, s)
}

// validateBest checks a send_best step's channel list: known channels,
// each once, each with its params object.
func validateBest(field string, s *Step) error {
	raw, ok := s.Params["channels"].([]any)
	if !ok || len(raw) == 0 {
		return invalid(field+".params.channels", "is required: an ordered list of sms, push and email")
	}
	seen := map[string]bool{}
	for i, v := range raw {
		ch, _ := v.(string)
		if !bestChannels[ch] || seen[ch] {
			return invalid(fmt.Sprintf("%s.params.channels[%d]", field, i), "%v is not sms, push or email, or is named twice", v)
		}
		seen[ch] = true
		if _, ok := s.Params[ch].(map[string]any); !ok {
			return invalid(field+".params."+ch, "is required: the %s message's params", ch)
		}
	}
	return nil
}
