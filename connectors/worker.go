package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// maxAttempts bounds how often a delivery whose processing failed for a
// reason other than its content (a locked database, a crash) is retried.
const maxAttempts = 8

// permanentError marks a delivery that no retry can fix (its content).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// permanent reports whether err is one no retry can fix: marked so by the
// hub, or a database refusal of the delivery's data (a constraint it
// breaks). Retrying those eight times over hours only delays the failure
// and hides its reason.
func permanent(err error) bool {
	var perm *permanentError
	return errors.As(err, &perm) || store.IsPermanent(err)
}

// Run processes stored deliveries and runs the periodic syncs until ctx
// ends. Deliveries are processed in arrival order, one at a time: two
// updates of one order must apply in the order they came.
func (h *Hub) Run(ctx context.Context) error {
	defer h.sync.wg.Wait()
	h.sync.wg.Go(func() { h.commit.run(ctx) })
	h.sync.wg.Go(func() { h.prune(ctx) })
	h.runCtx.Store(&ctx)
	h.sync.wg.Go(func() { h.sync.run(ctx) })
	for {
		n, err := h.ProcessPending(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			h.log.Error("process webhook deliveries", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-time.After(time.Second):
		}
	}
}

// ProcessPending processes the deliveries that are due and reports how many.
func (h *Hub) ProcessPending(ctx context.Context) (int, error) {
	ds, err := h.opt.Store.PendingDeliveries(ctx, h.now(), 100)
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		if err := h.process(ctx, d); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

func (h *Hub) process(ctx context.Context, d store.Delivery) error {
	err := h.handle(ctx, d)
	now := h.now()
	switch {
	case err == nil:
		return h.opt.Store.FinishDelivery(ctx, d.ID, store.DeliveryDone, "", now)
	case errors.Is(err, shopify.ErrUnknownTopic) || errors.Is(err, woocommerce.ErrUnknownTopic):
		return h.opt.Store.FinishDelivery(ctx, d.ID, store.DeliveryIgnored, err.Error(), now)
	case permanent(err) || d.Attempts+1 >= maxAttempts:
		h.log.Error("webhook delivery failed", "delivery", d.ID, "shop", d.ShopID, "topic", d.Topic, "attempts", d.Attempts+1, "err", err)
		return h.opt.Store.FinishDelivery(ctx, d.ID, store.DeliveryFailed, err.Error(), now)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	backoff := time.Duration(1<<min(d.Attempts, 10)) * 5 * time.Second
	h.log.Warn("webhook delivery will be retried", "delivery", d.ID, "shop", d.ShopID, "topic", d.Topic, "in", backoff, "err", err)
	return h.opt.Store.RetryDelivery(ctx, d.ID, err.Error(), now.Add(backoff))
}

func (h *Hub) handle(ctx context.Context, d store.Delivery) error {
	sh, err := h.opt.Store.Shop(ctx, d.WorkspaceID, d.ShopID)
	if err != nil {
		return &permanentError{err}
	}
	var ch commerce.Change
	switch d.Platform {
	case Shopify:
		ch, err = shopify.DecodeWithCurrency(d.Topic, d.Body, sh.Currency)
	case WooCommerce:
		ch, err = woocommerce.DecodeWithCurrency(d.Topic, d.Body, sh.Currency)
	default:
		err = fmt.Errorf("platform %q has no decoder", d.Platform)
	}
	if errors.Is(err, shopify.ErrUnknownTopic) || errors.Is(err, woocommerce.ErrUnknownTopic) {
		return err
	}
	if err != nil {
		return &permanentError{err}
	}
	if d.Platform == Shopify && (ch.Kind == commerce.ChangeOrder || ch.Kind == commerce.ChangeCheckout) {
		// The storefront knows the cart token (the app embed puts it in
		// the page context on the cart page, and the tracker reports it),
		// while orders and checkouts are named by their own tokens and
		// carry the cart's only as cart_token: join on that when the
		// visitor id attribute is missing.
		h.linkCartToken(ctx, sh, ch)
	}
	return h.apply(ctx, sh, ch, true)
}

// Raw deliveries are kept for inspection and replay for a while, not for
// ever: at Shopify order volumes the table would outgrow everything else.
const (
	keepDone   = 30 * 24 * time.Hour
	keepFailed = 90 * 24 * time.Hour
)

// prune deletes old deliveries once an hour.
func (h *Hub) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := h.now()
		if n, err := h.opt.Store.PruneDeliveries(ctx, now.Add(-keepDone), now.Add(-keepFailed)); err != nil {
			if ctx.Err() == nil {
				h.log.Warn("prune webhook deliveries", "err", err)
			}
		} else if n > 0 {
			h.log.Info("old webhook deliveries pruned", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// linkCartToken sets the visitor of a Shopify order or checkout that has
// none from the visitor who reported its cart token.
func (h *Hub) linkCartToken(ctx context.Context, sh store.Shop, ch commerce.Change) {
	var visitor *string
	var tok string
	switch {
	case ch.Order != nil:
		visitor, tok = &ch.Order.VisitorID, ch.Order.CartToken
	case ch.Checkout != nil:
		visitor, tok = &ch.Checkout.VisitorID, ch.Checkout.CartToken
	default:
		return
	}
	if *visitor != "" || tok == "" {
		return
	}
	*visitor = h.tokenVisitor(ctx, sh, tok)
}
