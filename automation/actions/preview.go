package actions

import (
	"context"
	"fmt"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// Preview is a send step's message as one contact would get it now.
type Preview struct {
	// Subject, HTML and Text are an email's; Title, Body and URL a push's
	// or an inbox item's.
	Subject, HTML, Text string
	Title, Body, URL    string
}

// Preview renders a send step (send_email, send_push, inbox) for the
// contact of en through the send path's own rendering (templates, merge
// data, products), without storing, sending or tracking anything: no
// message row, no open pixel, no click-tracking links. en need not exist:
// its WorkspaceID and ContactID are required; a TriggerEventID gives the
// cart and merge fields of that event (else the contact's last cart), an
// ID the discount code an earlier step of that enrollment made (else none).
// A contact that does not exist is store.ErrNotFound.
func (c *Channels) Preview(ctx context.Context, en automation.Enrollment, s automation.Step) (Preview, error) {
	workspaceID, contactID := en.WorkspaceID, en.ContactID
	r, skip, err := c.recipient(ctx, en)
	if err != nil {
		return Preview{}, err
	}
	if skip != "" {
		return Preview{}, fmt.Errorf("preview for %s: %s: %w", contactID, skip, store.ErrNotFound)
	}
	p := paramsOf(s)
	if _, ok := p.m["products"]; !ok && s.Kind == automation.KindInbox {
		// As AddInbox: an inbox item shows products only when asked.
		p.m = withDefault(p.m, "products", productsNone)
	}
	switch s.Kind {
	case automation.KindSendEmail:
		tpl, err := c.emailTemplate(p)
		if err != nil {
			return Preview{}, err
		}
		ct, err := c.content(ctx, en, p, r)
		if err != nil {
			return Preview{}, err
		}
		// The real unsubscribe links, for a message that does not exist:
		// they show where the footer leads, and the preview's frame cannot
		// follow them.
		links := c.o.Links.Email(workspaceID, contactID, "preview")
		ct.data.Links.Unsubscribe, ct.data.Links.Preferences = links.Unsubscribe, links.Preferences
		out, err := tpl.Render(ct.data)
		if err != nil {
			return Preview{}, fmt.Errorf("step %s: %w", s.ID, err)
		}
		return Preview{Subject: out.Subject, HTML: out.HTML, Text: out.Text}, nil
	case automation.KindSendPush, automation.KindInbox:
		titleSrc, err := p.required("title")
		if err != nil {
			return Preview{}, err
		}
		ct, err := c.content(ctx, en, p, r)
		if err != nil {
			return Preview{}, err
		}
		var out Preview
		for _, f := range []struct {
			name string
			src  string
			dst  *string
		}{{"title", titleSrc, &out.Title}, {"body", p.str("body"), &out.Body}, {"url", p.str("url"), &out.URL}} {
			if *f.dst, err = renderText(f.src, ct.data); err != nil {
				return Preview{}, &ParamError{Step: s.ID, Param: f.name, Reason: err.Error()}
			}
		}
		if s.Kind == automation.KindSendPush {
			out.URL = c.link(s, "url", out.URL, ct.shopURL)
			if out.URL == "" {
				out.URL = defaultTarget(ct)
			}
		}
		return out, nil
	}
	return Preview{}, fmt.Errorf("step %s: a %s step sends no message", s.ID, s.Kind)
}
