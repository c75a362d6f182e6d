package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// personalizationParts are the Decider /decide answers from and the
// processor keeping it current.
type personalizationParts struct {
	decider   *personalization.Decider
	processor *personalization.Processor
	log       *slog.Logger
}

// buildPersonalization makes the Decider (one recommendation engine per
// workspace, codes from the workspace's shop) and its processor.
func buildPersonalization(inst *instance, box *secrets.Box, log *slog.Logger) *personalizationParts {
	d := personalization.New(personalization.Options{Store: inst.st, Events: inst.writer,
		Discounts:      widgetDiscounts{hub: inst.hub},
		NewRecommender: func() personalization.Recommender { return reco.New(reco.Options{}) },
		CodeKey:        box.SigningKey("widget-discount-code"), Log: log})
	return &personalizationParts{decider: d, processor: personalization.NewProcessor(d), log: log}
}

// run runs the processor until ctx ends.
func (p *personalizationParts) run(ctx context.Context) {
	if err := p.processor.Run(ctx); err != nil {
		p.log.Error("personalization processor stopped", "err", err)
	}
}

// widgetDiscounts creates pop-ups' discount codes through the connectors,
// as flows do (shopDiscounts).
type widgetDiscounts struct{ hub *connectors.Hub }

func (d widgetDiscounts) CreateDiscount(ctx context.Context, workspaceID string, dc widgets.Discount, code, email string) (string, error) {
	got, err := d.hub.CreateWorkspaceDiscountCode(ctx, workspaceID, connectors.DiscountRequest{Percent: dc.Percent,
		AmountMinor: dc.AmountMinor, ValidDays: dc.ValidDays, Prefix: dc.Prefix, Email: email, Code: code,
		Title: "Cartwheel pop-up " + dc.Prefix})
	if errors.Is(err, connectors.ErrNoDiscountShop) {
		return "", personalization.ErrNoDiscounts
	}
	return got.Code, err
}

// CanCreateDiscount reports whether the workspace has a shop that makes
// codes (a connected platform's, or the demo's).
func (d widgetDiscounts) CanCreateDiscount(ctx context.Context, workspaceID string) (bool, error) {
	return d.hub.CanCreateWorkspaceDiscountCode(ctx, workspaceID)
}

// seedDemoWidgets turns on every ready-made widget in the demo workspace the
// first time it starts (a workspace without widgets), so that a first visit
// to the demo shows the pop-up, the frames and the inbox without any API
// call; later starts leave the admin's choices alone.
func seedDemoWidgets(ctx context.Context, st *store.Store, d *personalization.Decider, workspaceID, locale string, log *slog.Logger) error {
	have, err := st.Widgets(ctx, workspaceID)
	if err != nil || len(have) > 0 {
		return err
	}
	codes, err := d.CanMakeCodes(ctx, workspaceID)
	if err != nil {
		return err
	}
	for _, t := range widgets.Templates() {
		t, _ := widgets.TemplateFor(t.Name, locale, codes)
		t.Definition.Status = widgets.StatusActive
		if _, err := d.CreateWidget(ctx, workspaceID, t.Definition, t.Name); err != nil {
			return fmt.Errorf("demo widget %s: %w", t.Name, err)
		}
	}
	log.Info("demo widgets enabled", "workspace", workspaceID, "widgets", len(widgets.Templates()))
	return nil
}
