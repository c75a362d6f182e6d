package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// collectSink stores an accepted tracker batch: it resolves the site key,
// enforces the workspace's origins, consent rule and per-visitor rate, and
// appends the events with group commit, returning only once they are durable.
func (s *Server) collectSink(ctx context.Context, c tracker.Collected) error {
	now := time.Now()
	si, err := s.sites.get(ctx, c.Batch.SiteKey, now)
	if err != nil {
		return err
	}
	if !si.found {
		return tracker.ErrUnknownSite
	}
	if !si.allows(c.Origin) {
		s.sites.refused.note(s.opt.Log, si.ws.ID, c.Origin)
		return tracker.ErrForbidden
	}
	// A shop that requires consent gets nothing without it, whatever a
	// modified or outdated tracker sends.
	if si.ws.RequireConsent && (c.Batch.Consent.Tracking == nil || !*c.Batch.Consent.Tracking) {
		return fmt.Errorf("%w: this shop requires tracking consent", tracker.ErrForbidden)
	}
	if !s.visitorLimit.allow(si.ws.ID+"/"+c.Batch.VisitorID, now) {
		return tracker.ErrRateLimited
	}
	evs := make([]store.Event, 0, len(c.Batch.Events))
	for _, e := range c.Batch.Events {
		ectx := cdp.EventContext{URL: e.URL, PV: e.PageViewID, Device: c.Client.Device, Browser: c.Client.Browser,
			OS: c.Client.OS, TimeAdjusted: e.TimeAdjusted}
		typ := e.Type
		if typ == tracker.EventCustom {
			// Custom names go to the log as they are. tracker.Decode
			// already refuses the names only the server may log (orders,
			// messages…); this stays as a second guard, since a page must
			// never be able to forge a sale.
			typ = e.Name
			if cdp.ServerOnlyType(e.Name) {
				typ, ectx.Name = tracker.EventCustom, e.Name
			}
		}
		b, err := json.Marshal(ectx)
		if err != nil {
			return err
		}
		evs = append(evs, store.Event{WorkspaceID: si.ws.ID, Type: typ, Source: "tracker", VisitorID: c.Batch.VisitorID,
			SessionID: c.Batch.SessionID, OccurredAt: e.Time, ReceivedAt: now, Props: e.Props, Context: b, ClientID: e.ID})
	}
	err = s.opt.Writer.Append(ctx, evs)
	if errors.Is(err, cdp.ErrOverloaded) || errors.Is(err, cdp.ErrClosed) || store.IsUnavailable(err) {
		return fmt.Errorf("%w: %w", tracker.ErrBusy, err)
	}
	if err == nil && s.opt.Personalization != nil {
		// Stored: pop-up caps apply now, not once the processor reads it.
		s.opt.Personalization.Collected(evs)
	}
	return err
}

// limitIP applies the per-IP rate limit to the public ingest endpoints.
func (s *Server) limitIP(c *fiber.Ctx) error {
	if !s.ipLimit.allow(s.clientIP(c), time.Now()) {
		c.Set(fiber.HeaderRetryAfter, "1")
		return &apiError{fiber.StatusTooManyRequests, "rate_limited", "too many requests from this address", nil}
	}
	return c.Next()
}

// admitCollect sheds a /collect request while the event queue is nearly
// full, before its body is handed to the net/http adaptor (a copy) and
// decoded: the answer is the tracker's 503, which it retries later.
func (s *Server) admitCollect(c *fiber.Ctx) error {
	if s.opt.Writer.Admit() {
		return c.Next()
	}
	c.Set(fiber.HeaderRetryAfter, "5")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": fiber.Map{"code": "busy", "message": "busy, retry later"}})
}
