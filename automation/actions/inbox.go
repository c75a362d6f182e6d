package actions

import (
	"context"
	"encoding/json"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/internal/safeurl"
	"github.com/cartwheelhq/cartwheel/store"
)

// inboxBody is an inbox item as the on-site inbox shows it.
type inboxBody struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
	URL   string `json:"url,omitempty"`
	Image string `json:"image,omitempty"`
}

// AddInbox puts an item in the contact's on-site inbox. Nothing is sent:
// the item is shown when the contact next visits, so neither caps nor
// quiet hours apply, and it needs no consent.
//
// Params: title (required), body, url, image; title, body and url are
// text/templates over the same data as email.
func (c *Channels) AddInbox(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	key := automation.StepKey(en, s.ID)
	prev, found, done, res, err := c.previous(ctx, en, key)
	if err != nil || done {
		return res, err
	}
	if found {
		// Inbox items are stored sent in one write; a queued one can only
		// come from a bug elsewhere. Settle it rather than stay stuck.
		if err := c.o.Store.SetMessageStatus(ctx, en.WorkspaceID, prev.ID, store.MessageSent, "", c.o.Now()); err != nil {
			return automation.Result{}, err
		}
		prev.Status = store.MessageSent
		return settled(prev), nil
	}
	r, skip, err := c.recipient(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	p := paramsOf(s)
	titleSrc, err := p.required("title")
	if err != nil {
		return automation.Result{}, err
	}
	// Products are left out unless asked for: an inbox item rarely shows
	// them, and they cost catalogue reads.
	if _, ok := p.m["products"]; !ok {
		p.m = withDefault(p.m, "products", productsNone)
	}
	ct, err := c.content(ctx, en, p, r)
	if err != nil {
		return automation.Result{}, err
	}
	var item inboxBody
	for _, f := range []struct {
		name, src string
		dst       *string
	}{{"title", titleSrc, &item.Title}, {"body", p.str("body"), &item.Body}, {"url", p.str("url"), &item.URL}} {
		if *f.dst, err = renderText(f.src, ct.data); err != nil {
			return automation.Result{}, &ParamError{Step: s.ID, Param: f.name, Reason: err.Error()}
		}
	}
	// What a template rendered from event data is checked here, since a
	// flow's save could only check the literal part.
	item.URL = c.link(s, "url", item.URL, ct.shopURL)
	item.Image = c.link(s, "image", p.str("image"), ct.shopURL)
	body, err := json.Marshal(item)
	if err != nil {
		return automation.Result{}, err
	}
	now := c.o.Now()
	m := store.Message{ID: newMessageID(), WorkspaceID: en.WorkspaceID, ContactID: en.ContactID, Channel: store.ChannelInbox,
		StepKey: key, FlowID: en.FlowID, EnrollmentID: en.ID, Status: store.MessageSent, Subject: item.Title,
		Body: body, CreatedAt: now, SentAt: now}
	stored, created, err := c.o.Store.CreateMessage(ctx, m)
	if err != nil {
		return automation.Result{}, err
	}
	if created {
		// The site's inbox badge is kept in memory by /decide: the event
		// tells it there is a new item now, not at its next re-read.
		c.record(ctx, en.WorkspaceID, en.ContactID, cdp.EventInboxAdded, map[string]any{"message_id": stored.ID, "flow_id": en.FlowID})
	}
	return settled(stored), nil
}

// link resolves a message's link against the shop, or drops it (with a
// warning) when it is not http(s): such a link on the shop's page would
// run in the shop's origin when clicked.
func (c *Channels) link(s automation.Step, name, raw, shopURL string) string {
	u, err := safeurl.Resolve(raw, shopURL)
	if err != nil {
		c.log.Warn("automation: unsafe link dropped from a message", "step", s.ID, "param", name, "err", err)
		return ""
	}
	return u
}

// withDefault returns a copy of m with k set to v.
func withDefault(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}
