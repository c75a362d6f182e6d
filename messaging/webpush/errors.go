package webpush

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrGone means the push service no longer knows the subscription (404 or
// 410): the user revoked permission, the browser dropped the subscription or
// it expired. The caller deletes the subscription; it never comes back.
var ErrGone = errors.New("webpush: subscription gone")

// ErrVAPIDRejected means the push service refused the VAPID authorization
// (401 or 403). It almost always means the subscription was created with
// another applicationServerKey than the workspace's current VAPID public key
// (the key was rotated or the database restored next to another key); more
// rarely that the JWT's claims are off (clock skew, subject).
var ErrVAPIDRejected = errors.New("webpush: VAPID authorization rejected")

// StatusError is a push service answer that is neither success nor retried
// to success. errors.Is matches it against ErrGone, ErrVAPIDRejected and
// ErrPayloadTooLarge according to its status.
type StatusError struct {
	Status int
	// Body is the start of the response body, for the push service's reason.
	Body string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("push service answered %d %s", e.Status, http.StatusText(e.Status))
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += " (the VAPID key probably does not match the one this subscription was created with)"
	case http.StatusNotFound, http.StatusGone:
		msg += " (subscription expired or unsubscribed: delete it)"
	case http.StatusRequestEntityTooLarge:
		msg += " (payload too large)"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Unwrap maps the status to this package's sentinel errors.
func (e *StatusError) Unwrap() error {
	switch e.Status {
	case http.StatusNotFound, http.StatusGone:
		return ErrGone
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrVAPIDRejected
	case http.StatusRequestEntityTooLarge:
		return ErrPayloadTooLarge
	}
	return nil
}
