// Package actions is the real channel implementation of the automation
// engine's side effects (automation.Actions) and of the facts its branches
// test (automation.Facts): email through SMTP or the outbox, web push, the
// on-site inbox, tags, discount codes and outbound webhooks.
//
// Every send is keyed on automation.StepKey: the messages table holds one
// row per (workspace, step key), written before anything goes out, so a
// step River delivers again after a crash finds what the first delivery
// made and does not send twice.
//
// Guards, in order, before a message goes out: the contact exists and can
// be reached on the channel (an email address with email consent granted;
// a push subscription on one of its browsers), the channel's frequency cap,
// then quiet hours in the contact's timezone, which defer rather than skip
// (see DeferError). A skipped send is a Result with Skipped set, never an
// error: errors are what River retries.
package actions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/store"
)

// PushSender delivers one web push message; *webpush.Sender is one.
type PushSender interface {
	Send(ctx context.Context, sub webpush.Subscription, payload []byte, o webpush.SendOptions) (webpush.Result, error)
}

// Recorder logs an event about a known contact; *cdp.Ingest is one.
type Recorder interface {
	RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, at time.Time, props any) error
}

// Options configure Channels. Store and Links are required; the rest have
// the defaults their comments give.
type Options struct {
	Store *store.Store
	// Settings returns a workspace's messaging settings
	// (messaging.Service.Settings); nil means messaging.DefaultSettings.
	Settings func(ctx context.Context, workspaceID string) (messaging.Settings, error)
	Links    messaging.Links
	// Mail is the SMTP sender; nil means no SMTP is configured, and every
	// email is stored with status outbox and not sent.
	Mail email.Sender
	// Push delivers web push; nil disables push (sends are skipped).
	Push PushSender
	// SMS plans and sends texts (*sms.Service); nil disables SMS (sends
	// are skipped).
	SMS SMSChannel
	// Discounts creates discount codes in the shop; nil makes discount
	// steps fail with a clear error.
	Discounts Discounter
	// Events logs what the actions did (email_sent, tag_added…).
	Events Recorder
	// Recommender chooses the products of blocks other than the cart
	// (personalization.Decider, whose engines also fill the site's frames);
	// nil makes such steps fail with a clear error.
	Recommender Recommender
	// HTTP posts outbound webhooks; default a client with a 10 s timeout.
	HTTP *http.Client
	// Now is the clock (the engine's, in tests a fake); default time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Channels implements automation.Actions and automation.Facts.
type Channels struct {
	o         Options
	log       *slog.Logger
	templates templateCache
}

var (
	_ automation.Actions = (*Channels)(nil)
	_ automation.Facts   = (*Channels)(nil)
)

// New returns the channels for o.
func New(o Options) *Channels {
	if o.Settings == nil {
		o.Settings = func(context.Context, string) (messaging.Settings, error) { return messaging.DefaultSettings(), nil }
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Channels{o: o, log: o.Log}
}

// DeferError asks the engine to run the step again at Until instead of
// retrying it with backoff: the send is allowed, just not now (quiet hours
// in the contact's timezone). It is not a failure and must not count as an
// attempt; the engine should answer it with river.JobSnooze(Until - now).
// Engines find it with errors.As through any wrapping.
type DeferError struct {
	Until  time.Time
	Reason string
}

func (e *DeferError) Error() string {
	return fmt.Sprintf("deferred until %s: %s", e.Until.UTC().Format(time.RFC3339), e.Reason)
}

// AsDefer returns the DeferError in err's chain, if any.
func AsDefer(err error) (*DeferError, bool) {
	var d *DeferError
	ok := errors.As(err, &d)
	return d, ok
}

// Event types the actions log, through Options.Events, with source
// "automation".
const (
	EventEmailSent = "email_sent"
	EventPushSent  = "push_sent"
	sourceName     = "automation"
)

// record logs an event best effort: the action happened whether or not
// its trace could be written, and failing the step now would repeat it.
func (c *Channels) record(ctx context.Context, ws, contact, typ string, props map[string]any) {
	if c.o.Events == nil {
		return
	}
	if err := c.o.Events.RecordFor(ctx, ws, contact, typ, sourceName, c.o.Now(), props); err != nil {
		c.log.Warn("automation: could not log event", "type", typ, "contact", contact, "err", err)
	}
}

func skipped(reason string) automation.Result { return automation.Result{Skipped: reason} }

// DeferUntil makes DeferError an automation.Deferred: the engine snoozes
// the step until then without counting an attempt.
func (e *DeferError) DeferUntil() time.Time { return e.Until }

var _ automation.Deferred = (*DeferError)(nil)
