package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// Skip reasons (Result.Skipped). They are shown to admins and tested by
// flows' reports; keep them stable.
const (
	SkipErased         = "contact erased"
	SkipNoEmail        = "no email address"
	SkipNoConsent      = "no email consent"
	SkipNoSubscription = "no subscription"
	SkipPushDisabled   = "push disabled"
	SkipCap            = "frequency cap"
)

// recipient is what a send needs to know about its contact and workspace.
type recipient struct {
	contact  store.Contact
	attrs    map[string]any
	ws       store.Workspace
	settings messaging.Settings
	loc      *time.Location
}

// recipient loads the enrollment's contact, its workspace and the
// workspace's messaging settings. skip is SkipErased when the contact no
// longer exists (erased by a privacy request).
func (c *Channels) recipient(ctx context.Context, en automation.Enrollment) (r recipient, skip string, err error) {
	if r, skip, err = c.contactOf(ctx, en); err != nil || skip != "" {
		return r, skip, err
	}
	if r.settings, err = c.o.Settings(ctx, en.WorkspaceID); err != nil {
		return r, "", fmt.Errorf("messaging settings: %w", err)
	}
	return r, "", nil
}

// contactOf is recipient without the messaging settings: the contact, its
// attributes, its workspace and its timezone.
func (c *Channels) contactOf(ctx context.Context, en automation.Enrollment) (r recipient, skip string, err error) {
	r.contact, err = c.o.Store.Contact(ctx, en.WorkspaceID, en.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return r, SkipErased, nil
	}
	if err != nil {
		return r, "", err
	}
	if len(r.contact.Attributes) > 0 {
		// Attributes are whatever identify calls sent; a document that is
		// not an object just means no attributes.
		_ = json.Unmarshal(r.contact.Attributes, &r.attrs)
	}
	if r.ws, err = c.o.Store.Workspace(ctx, en.WorkspaceID); err != nil {
		return r, "", fmt.Errorf("workspace %s: %w", en.WorkspaceID, err)
	}
	r.loc = location(r.attr("timezone"), r.ws.Timezone)
	return r, "", nil
}

// attr is a string attribute of the contact, "" when absent.
func (r recipient) attr(name string) string {
	s, _ := r.attrs[name].(string)
	return strings.TrimSpace(s)
}

// timezone is the IANA name of the contact's timezone as resolved.
func (r recipient) timezone() string { return r.loc.String() }

// location is the first of the names that loads, else UTC: a timezone the
// tracker guessed wrong must not stop a send.
func location(names ...string) *time.Location {
	for _, n := range names {
		if n == "" {
			continue
		}
		if loc, err := time.LoadLocation(n); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Timezone is a contact's timezone: its "timezone" attribute, else its
// workspace's, else UTC. It fits automation.Options.TimezoneOf.
func (c *Channels) Timezone(ctx context.Context, workspaceID, contactID string) *time.Location {
	r, skip, err := c.contactOf(ctx, automation.Enrollment{WorkspaceID: workspaceID, ContactID: contactID})
	if err != nil || skip != "" {
		return nil
	}
	return r.loc
}

// emailConsent reports whether the contact granted email consent.
func (c *Channels) emailConsent(ctx context.Context, ws, contact string) (bool, error) {
	return c.consent(ctx, ws, contact, store.ChannelEmail)
}

// consent reports whether the contact granted consent on the channel.
func (c *Channels) consent(ctx context.Context, ws, contact, channel string) (bool, error) {
	cs, err := c.o.Store.Consents(ctx, ws, contact)
	if err != nil {
		return false, err
	}
	for _, x := range cs {
		if x.Channel == channel {
			return x.Granted, nil
		}
	}
	return false, nil
}

// capped reports whether the contact reached the channel's frequency cap.
// A channel without a cap (or with a zero count) is uncapped.
func (c *Channels) capped(ctx context.Context, r recipient, channel string) (bool, error) {
	cp, ok := r.settings.Caps[channel]
	if !ok || cp.Count <= 0 || cp.Window <= 0 {
		return false, nil
	}
	since := c.o.Now().Add(-time.Duration(cp.Window))
	n, err := c.o.Store.CountMessagesSince(ctx, r.contact.WorkspaceID, r.contact.ID, channel, since)
	if err != nil {
		return false, err
	}
	return n >= cp.Count, nil
}

// quiet returns a DeferError when now is in the quiet hours where the
// contact is.
func (c *Channels) quiet(r recipient) error {
	if in, end := r.settings.QuietHours.Quiet(c.o.Now(), r.loc); in {
		return &DeferError{Until: end, Reason: "quiet hours in " + r.timezone()}
	}
	return nil
}

// previous is what an earlier delivery of the same step made, if anything:
// done reports that the step's outcome is settled (res is it), and a
// queued message (the process died between storing and sending it, or the
// send failed temporarily) is returned for the caller to send now.
func (c *Channels) previous(ctx context.Context, en automation.Enrollment, key string) (m store.Message, found, done bool, res automation.Result, err error) {
	m, err = c.o.Store.MessageByStepKey(ctx, en.WorkspaceID, key)
	if errors.Is(err, store.ErrNotFound) {
		return m, false, false, res, nil
	}
	if err != nil {
		return m, false, false, res, err
	}
	if m.Status == store.MessageQueued {
		return m, true, false, res, nil
	}
	return m, true, true, settled(m), nil
}

// settled is the Result a stored, finished message stands for.
func settled(m store.Message) automation.Result {
	switch m.Status {
	case store.MessageSkipped:
		return skipped(m.Error)
	case store.MessageFailed:
		return skipped("rejected: " + m.Error)
	}
	return automation.Result{Data: map[string]any{"message_id": m.ID, "status": m.Status}}
}

// skipMessage stores a skipped send for the step, so the admin sees why
// nothing went out and a repeat of the step finds the same answer.
func (c *Channels) skipMessage(ctx context.Context, en automation.Enrollment, key, channel, reason string) (automation.Result, error) {
	m, _, err := c.o.Store.CreateMessage(ctx, store.Message{ID: newMessageID(), WorkspaceID: en.WorkspaceID,
		ContactID: en.ContactID, Channel: channel, StepKey: key, FlowID: en.FlowID, EnrollmentID: en.ID,
		Status: store.MessageSkipped, Error: reason, CreatedAt: c.o.Now()})
	if err != nil {
		return automation.Result{}, err
	}
	if m.Status == store.MessageQueued {
		// A concurrent delivery of the same step got there first and is
		// sending; its outcome will be recorded, not this skip.
		return automation.Result{}, fmt.Errorf("step %s: a concurrent delivery is sending", key)
	}
	return settled(m), nil
}
