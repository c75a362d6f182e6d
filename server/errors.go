package server

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/store"
)

// apiError is an error with the status and machine-readable code the client
// gets. Every error response has the same JSON shape:
//
//	{"error": {"code": "not_found", "message": "…"}, "request_id": "…"}
type apiError struct {
	status  int
	code    string
	message string
	details any
}

func (e *apiError) Error() string { return e.message }

func errBadRequest(msg string) error {
	return &apiError{fiber.StatusBadRequest, "bad_request", msg, nil}
}
func errNotFound(msg string) error  { return &apiError{fiber.StatusNotFound, "not_found", msg, nil} }
func errForbidden(msg string) error { return &apiError{fiber.StatusForbidden, "forbidden", msg, nil} }
func errUnauthorized(msg string) error {
	return &apiError{fiber.StatusUnauthorized, "unauthorized", msg, nil}
}

// invalidInput is implemented by domain errors that are the caller's fault;
// matching on a method keeps this package from knowing every domain's types.
type invalidInput interface {
	error
	InvalidInput()
}

func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	var ae *apiError
	var fe *fiber.Error
	var inv invalidInput
	var up *connectors.UpstreamError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &up):
		status, code := upstreamStatus(up)
		ae = &apiError{status, code, up.Error(), nil}
	case errors.As(err, &inv):
		ae = &apiError{fiber.StatusBadRequest, "invalid", inv.Error(), nil}
	case errors.Is(err, store.ErrNotFound):
		ae = &apiError{fiber.StatusNotFound, "not_found", "not found", nil}
	case errors.Is(err, store.ErrConflict):
		ae = &apiError{fiber.StatusConflict, "conflict", "already exists", nil}
	case store.IsUnavailable(err):
		// Disk full or read-only: the store logs it once per interval.
		return s.errorHandler(c, unavailable(c))
	case errors.As(err, &fe):
		ae = &apiError{fe.Code, codeFor(fe.Code), fe.Message, nil}
	default:
		// The cause goes to the log, not to the client.
		s.opt.Log.Error("request failed", "method", c.Method(), "path", clipText(c.Path(), maxEcho),
			"request_id", c.Locals("requestid"), "err", clipText(err.Error(), maxLogErr))
		ae = &apiError{fiber.StatusInternalServerError, "internal", "internal error", nil}
	}
	// Whatever built the message, it never repeats a megabyte of input.
	body := fiber.Map{"code": ae.code, "message": clipText(ae.message, maxMessage)}
	if ae.details != nil {
		body["details"] = ae.details
	}
	return c.Status(ae.status).JSON(fiber.Map{"error": body, "request_id": c.Locals("requestid")})
}

// maxMessage bounds an error message as a whole: room for a sentence and
// an echo of at most maxEcho bytes of input.
const maxMessage = 300

// maxLogErr bounds an error in a log line.
const maxLogErr = 1000

func codeFor(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "bad_request"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusMethodNotAllowed:
		return "method_not_allowed"
	case fiber.StatusRequestEntityTooLarge:
		return "too_large"
	case fiber.StatusTooManyRequests:
		return "rate_limited"
	case fiber.StatusBadGateway:
		return "upstream_failed"
	case fiber.StatusGatewayTimeout:
		return "upstream_timeout"
	case fiber.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "internal"
	}
	return fmt.Sprintf("http_%d", status)
}

// upstreamStatus tells a shop that cannot be reached or answers nonsense
// (502) from one that did not answer in time (504). A dial error in the
// chain means unreachable even when the deadline ran out while retrying.
func upstreamStatus(up *connectors.UpstreamError) (int, string) {
	var op *net.OpError
	if errors.As(up, &op) && !op.Timeout() {
		return fiber.StatusBadGateway, "upstream_failed"
	}
	var ne net.Error
	if errors.Is(up, context.DeadlineExceeded) || errors.As(up, &ne) && ne.Timeout() {
		return fiber.StatusGatewayTimeout, "upstream_timeout"
	}
	return fiber.StatusBadGateway, "upstream_failed"
}
