package main

import (
	"context"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// buildCampaigns wires the campaigns service to the instance's SMTP pool
// (shared with flows) and a push sender; nil on a read-only start.
func buildCampaigns(ctx context.Context, inst *instance, links messaging.Links, now func() time.Time) (*campaigns.Service, error) {
	if inst.auto == nil {
		return nil, nil
	}
	keys, err := inst.messaging.VAPIDKeys(ctx)
	if err != nil {
		return nil, err
	}
	o := campaigns.Options{Store: inst.st, Settings: inst.messaging.Settings, Links: links, Now: now, Log: inst.log,
		Push: webpush.NewSender(keys, inst.cfg.PushSubject, webpush.WithLogger(inst.log),
			webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: inst.cfg.PushAllowPrivateEndpoints}))}
	// Campaign mail goes through the same guard as flows': suppressed
	// addresses are refused, and each message gets its bounce address and
	// DKIM signature.
	if inst.auto.smtp != nil {
		o.Mail = inst.messaging.GuardSender(inst.auto.smtp)
	}
	// Segment audiences read the membership the segments follower keeps.
	o.Segments = campaigns.SegmentMembers{Store: inst.st}
	return campaigns.New(o), nil
}

// runCampaigns sends due campaigns until ctx ends.
func runCampaigns(ctx context.Context, svc *campaigns.Service, workers *sync.WaitGroup) {
	if svc == nil {
		return
	}
	workers.Go(func() { _ = svc.Run(ctx) })
}
