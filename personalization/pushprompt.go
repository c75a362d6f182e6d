package personalization

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// pushTopicsTTL is how long a workspace's push topics are trusted: flows
// change through the admin API without telling the Decider, and the
// prompt's wording may lag that much behind.
const pushTopicsTTL = 30 * time.Second

// pushTopics caches, per workspace, what its active flows send by push.
type pushTopics struct {
	mu sync.Mutex
	m  map[string]pushTopicsEntry
}

type pushTopicsEntry struct {
	topics []string
	at     time.Time
}

// PushPrompt is the soft push prompt's wording (GET /push/prompt): Show is
// false when no active flow sends a push, so that the prompt asks for
// nothing the shop will not send; Texts promise only the topics of the
// active push flows, in the workspace's language.
type PushPrompt struct {
	Show   bool              `json:"show"`
	Locale string            `json:"locale"`
	Topics []string          `json:"topics"`
	Texts  map[string]string `json:"texts"`
}

// PushPrompt answers whether the soft push prompt may ask this workspace's
// visitors, and with which words.
func (d *Decider) PushPrompt(ctx context.Context, ws, locale string) (PushPrompt, error) {
	topics, err := d.pushTopicsOf(ctx, ws)
	if err != nil {
		return PushPrompt{}, err
	}
	l, texts := widgets.PushPromptTexts(locale, topics)
	if topics == nil {
		topics = []string{}
	}
	return PushPrompt{Show: len(topics) > 0, Locale: l, Topics: topics, Texts: texts}, nil
}

// pushTopicsOf lists the topics (widgets.PushTopic*) of the workspace's
// active flows that have a push step, cached for pushTopicsTTL.
func (d *Decider) pushTopicsOf(ctx context.Context, ws string) ([]string, error) {
	now := d.now()
	d.push.mu.Lock()
	e, ok := d.push.m[ws]
	d.push.mu.Unlock()
	if ok && now.Sub(e.at) < pushTopicsTTL {
		return e.topics, nil
	}
	flows, err := d.st.Flows(ctx, ws)
	if err != nil {
		return nil, err
	}
	topics := activePushTopics(flows)
	d.push.mu.Lock()
	if d.push.m == nil {
		d.push.m = map[string]pushTopicsEntry{}
	}
	d.push.m[ws] = pushTopicsEntry{topics: topics, at: now}
	d.push.mu.Unlock()
	return topics, nil
}

// activePushTopics reads the flows' definitions (automation's documents:
// only the trigger event and the step kinds are read here) and names what
// each active flow with a push step is about, from its trigger.
func activePushTopics(flows []store.Flow) []string {
	var out []string
	for _, f := range flows {
		if f.Status != "active" {
			continue
		}
		var def struct {
			Trigger struct {
				Event string `json:"event"`
			} `json:"trigger"`
			Steps []struct {
				Kind string `json:"kind"`
			} `json:"steps"`
		}
		if json.Unmarshal(f.Definition, &def) != nil {
			continue
		}
		push := slices.ContainsFunc(def.Steps, func(s struct {
			Kind string `json:"kind"`
		}) bool {
			return s.Kind == "send_push" // automation.KindSendPush
		})
		if !push {
			continue
		}
		t := widgets.PushTopic(def.Trigger.Event)
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
