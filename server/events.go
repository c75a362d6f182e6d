package server

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// itemError reports one rejected event of a batch by its index.
type itemError struct {
	Index   int    `json:"index"`
	Message string `json:"message"`
}

// Limits of POST /api/v1/events.
const (
	maxAPIBody   = 1 << 20
	maxAPIEvents = 500
)

// postEvents takes server-side custom events. Invalid events are reported
// by index and the valid ones of the same batch are kept.
func (s *Server) postEvents(c *fiber.Ctx) error {
	// Shed before decoding: see cdp.Writer.Admit.
	if !s.opt.Writer.Admit() {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(cdp.RetryAfter().Seconds())))
		return &apiError{fiber.StatusServiceUnavailable, "unavailable", "busy: retry after " + cdp.RetryAfter().String(), nil}
	}
	if len(c.Body()) > maxAPIBody {
		return &apiError{fiber.StatusRequestEntityTooLarge, "too_large", "body larger than 1 MiB", nil}
	}
	var in struct {
		Events []cdp.APIEvent `json:"events"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.Events) == 0 || len(in.Events) > maxAPIEvents {
		return errBadRequest("events must hold 1 to " + strconv.Itoa(maxAPIEvents) + " events")
	}
	ws := currentWorkspace(c).ID
	now := time.Now()
	var good []store.Event
	bad := []itemError{}
	for i, a := range in.Events {
		ev, err := a.ToEvent(ws, now)
		if err == nil && a.ContactID != "" {
			// Checked here so that a contact of another workspace, or a
			// typo, is the caller's error now rather than a skipped event later.
			if _, cerr := s.opt.Store.Contact(c.UserContext(), ws, a.ContactID); errors.Is(cerr, store.ErrNotFound) {
				err = errors.New("contact_id: no such contact")
			} else if cerr != nil {
				return cerr
			}
		}
		if err != nil {
			bad = append(bad, itemError{Index: i, Message: clipText(err.Error(), maxMessage)})
			continue
		}
		good = append(good, ev)
	}
	if len(good) == 0 {
		return &apiError{fiber.StatusBadRequest, "invalid", "no valid event in the batch", bad}
	}
	if err := s.appendEvents(c, good); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": len(good), "errors": bad})
}

// appendEvents hands events to the group-commit writer and maps its
// back-pressure to 503 with Retry-After.
func (s *Server) appendEvents(c *fiber.Ctx, evs []store.Event) error {
	err := s.opt.Writer.Append(c.UserContext(), evs)
	switch {
	case errors.Is(err, cdp.ErrOverloaded), errors.Is(err, cdp.ErrClosed):
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(cdp.RetryAfter().Seconds())))
		return &apiError{fiber.StatusServiceUnavailable, "unavailable", "busy: retry after " + cdp.RetryAfter().String(), nil}
	case store.IsUnavailable(err):
		return unavailable(c)
	case err != nil:
		return err
	}
	return nil
}

// unavailable answers a write the database cannot take now (disk full,
// read-only device): 503 with Retry-After, since it is the server's state,
// not the request, that is wrong. The store logs the condition, once per
// interval.
func unavailable(c *fiber.Ctx) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(cdp.UnavailableRetryAfter().Seconds())))
	return &apiError{fiber.StatusServiceUnavailable, "unavailable", "cannot store data right now: retry after " +
		cdp.UnavailableRetryAfter().String(), nil}
}
