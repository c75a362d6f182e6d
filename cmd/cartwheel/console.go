package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/admin"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/store"
)

// buildConsole makes the admin console and, while the instance has no
// user yet, prints the one-time link that creates the first one.
func buildConsole(ctx context.Context, inst *instance, ingest *cdp.Ingest, decider *personalization.Decider, out io.Writer) (*admin.Handler, error) {
	acc := accounts.New(inst.st, inst.log)
	o := admin.Options{Accounts: acc, Store: inst.st, Workspaces: inst.ws, Contacts: cdp.NewContacts(inst.st),
		Personalization: decider, Campaigns: inst.campaigns, Connectors: inst.hub, Messaging: inst.messaging, SMS: inst.sms, Ingest: ingest, PublicURL: inst.cfg.PublicURL, Log: inst.log,
		ShopifyAPIKey: inst.cfg.ShopifyAPIKey, ShopifyAPISecret: inst.cfg.ShopifyAPISecret, PushSubject: inst.cfg.PushSubject}
	// A read-only start (disk full) runs no flows: the flows page says so.
	if inst.auto != nil {
		o.Automation = inst.auto.engine
		o.Preview = inst.auto.channels
	}
	if inst.segments != nil {
		o.Segments = inst.segments.service
	}
	if inst.auto != nil && inst.auto.smtp != nil {
		from := "no-reply@localhost"
		if u, err := url.Parse(inst.cfg.PublicURL); err == nil && u.Hostname() != "" {
			from = "no-reply@" + u.Hostname()
		}
		smtp := inst.auto.smtp
		o.SendMail = func(ctx context.Context, to, subject, text string) error {
			return smtp.Send(ctx, email.Mail{From: from, FromName: "Cartwheel", To: to, Subject: subject, Text: text,
				HTML: "<p>" + strings.ReplaceAll(text, "\n", "<br>") + "</p>"})
		}
	}
	h, err := admin.New(o)
	if err != nil {
		return nil, err
	}
	token, err := acc.SetupLink(ctx)
	if store.IsUnavailable(err) {
		// A read-only start (disk full): the link comes at the next start.
		inst.log.Warn("console set-up link not made: the database cannot be written", "err", err)
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console set-up link: %w", err)
	}
	if token != "" {
		// Printed, never logged, like the admin token: it makes an owner.
		fmt.Fprintf(out, "\nSet up the admin console: open this link once (it works until the first account exists):\n\n    %s/admin/setup?t=%s\n\n",
			strings.TrimRight(inst.cfg.PublicURL, "/"), token)
	}
	return h, nil
}
