package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// automationParts is the delivery side of an instance: the channels flows
// send through, the engine that runs flows, and the processors that feed
// it.
type automationParts struct {
	engine    *automation.Engine
	processor *automation.Processor
	sweeper   *automation.Sweeper
	channels  *actions.Channels
	smtp      *email.SMTPSender
	log       *slog.Logger
	started   bool
}

// newMailSender returns the SMTP sender CARTWHEEL_SMTP_URL names, or nil
// (emails stay in the outbox).
func newMailSender(cfg config.Config, log *slog.Logger) (*email.SMTPSender, error) {
	if cfg.SMTPURL == "" {
		return nil, nil
	}
	s, err := config.SMTP(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	return email.NewSMTP(email.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password,
		TLS: s.TLS, MaxConns: s.MaxConns}, log)
}

// buildAutomation wires channels, engine and processors; startAutomation
// runs them.
func buildAutomation(ctx context.Context, inst *instance, ingest *cdp.Ingest, links messaging.Links, clock automation.Clock,
	recommender actions.Recommender) (*automationParts, error) {
	cfg, log, st := inst.cfg, inst.log, inst.st
	p := &automationParts{}
	var err error
	if p.smtp, err = newMailSender(cfg, log); err != nil {
		return nil, fmt.Errorf("SMTP: %w", err)
	}
	keys, err := inst.messaging.VAPIDKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("VAPID keys: %w", err)
	}
	push := webpush.NewSender(keys, cfg.PushSubject, webpush.WithLogger(log),
		webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: cfg.PushAllowPrivateEndpoints}))
	opt := actions.Options{Store: st, Settings: inst.messaging.Settings, Links: links, Push: push,
		// Sends log through the group commit: one transaction for many.
		Discounts: shopDiscounts{hub: inst.hub}, Events: inst.writer, Recommender: recommender, Now: clock.Now, Log: log}
	if p.smtp != nil {
		// Every flow email passes the suppression list, gets its VERP
		// envelope sender and is DKIM-signed.
		opt.Mail = inst.messaging.GuardSender(p.smtp)
	}
	if inst.sms != nil {
		opt.SMS = inst.sms
	}
	p.channels = actions.New(opt)
	// The engine gets a clock only when a test gave one: with none, River
	// keeps the database's clock and its rescuer, as in production.
	engineClock := clock
	if _, system := clock.(systemClock); system {
		engineClock = nil
	}
	p.engine, err = automation.New(ctx, st, automation.Options{Actions: p.channels, Facts: p.channels, Clock: engineClock,
		TimezoneOf: p.channels.Timezone, Log: log, Workers: cfg.AutomationWorkers,
		// Due steps are found by polling (SQLite has no LISTEN): a short
		// interval is what keeps an immediate step within a second of its
		// event.
		PollInterval: 50 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	p.processor = automation.NewProcessor(st, p.engine, log)
	p.sweeper = automation.NewSweeper(st, p.engine, ingest, log)
	p.log = log
	p.processor.On(cdp.EventConsent, p.channels.ConfirmSubscription)
	inst.processor.OnAdvance(p.processor.Notify)
	ingest.OnAppend(inst.processor.Notify)
	return p, nil
}

// shopDiscounts creates a flow's discount codes through the connectors.
type shopDiscounts struct{ hub *connectors.Hub }

func (d shopDiscounts) CreateDiscount(ctx context.Context, workspaceID string, r actions.DiscountRequest) (actions.Discount, error) {
	got, err := d.hub.CreateWorkspaceDiscountCode(ctx, workspaceID, connectors.DiscountRequest{Percent: r.Percent,
		AmountMinor: r.AmountMinor, ValidDays: r.ValidDays, Prefix: r.Prefix, Email: r.Email, CustomerID: r.CustomerID,
		Code: r.Code})
	if errors.Is(err, connectors.ErrNoDiscountShop) {
		return actions.Discount{}, actions.ErrNoDiscounts
	}
	if err != nil {
		return actions.Discount{}, err
	}
	return actions.Discount{Code: got.Code, ExpiresAt: got.ExpiresAt}, nil
}

// start runs the engine and its processors on the instance's work context.
func (p *automationParts) start(ctx context.Context, workers *sync.WaitGroup) error {
	// River runs until stop: cancelling the context it started with would
	// cancel the steps it is running, mid-send. The followers below end
	// with ctx, before River is stopped, so that they no longer compete
	// with its last steps for the database's one writer.
	if err := p.engine.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	p.started = true
	workers.Go(func() {
		if err := p.processor.Run(ctx); err != nil {
			p.log.Error("automation processor stopped", "err", err)
		}
	})
	workers.Go(func() {
		if err := p.sweeper.Run(ctx); err != nil {
			p.log.Error("automation sweeper stopped", "err", err)
		}
	})
	return nil
}

// stop waits for running steps (up to ctx) and closes the SMTP pool; steps
// not yet run stay queued for the next start. Safe on a nil receiver.
func (p *automationParts) stop(ctx context.Context) error {
	if p == nil {
		return nil
	}
	var err error
	if p.started {
		err = p.engine.Stop(ctx)
		p.started = false
	}
	if p.smtp != nil {
		err = errors.Join(err, p.smtp.Close())
	}
	return err
}

// seedDemoFlows enables every ready-made flow in the demo workspace the
// first time it starts (a workspace without flows), so the demo's outbox
// fills as visitors browse and buy; later starts leave the admin's
// choices alone.
func seedDemoFlows(ctx context.Context, e *automation.Engine, workspaceID string, log *slog.Logger) error {
	flows, err := e.Flows(ctx, workspaceID)
	if err != nil || len(flows) > 0 {
		return err
	}
	for _, t := range automation.Templates() {
		if _, err := e.EnableTemplate(ctx, workspaceID, t.Name); err != nil {
			return fmt.Errorf("demo flow %s: %w", t.Name, err)
		}
	}
	log.Info("demo flows enabled", "workspace", workspaceID, "flows", len(automation.Templates()))
	return nil
}
