package email

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Mail is one message to one recipient, rendered and ready to go.
type Mail struct {
	From     string // address only
	FromName string
	To       string // address only
	ToName   string
	ReplyTo  string
	Subject  string
	HTML     string
	Text     string            // derived from HTML when empty
	Headers  map[string]string // extra headers, e.g. ListUnsubscribeHeaders
	// MessageID becomes the Message-ID header "<MessageID@domain of From>"
	// (used as is when it already has an "@"); a random one when empty.
	// Using Cartwheel's message id lets bounces and replies be matched back.
	MessageID string
	// WorkspaceID is whose mail this is: deliverability (suppression, VERP,
	// DKIM) is per workspace. Empty, it is looked up from MessageID.
	WorkspaceID string
	// EnvelopeFrom is the SMTP MAIL FROM (the Return-Path bounces come back
	// to), e.g. a VERP address; From when empty.
	EnvelopeFrom string
	// DKIM signs the message when set.
	DKIM *DKIMKey
}

// Sender delivers mail. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// Delivery errors. Callers branch with errors.Is: ErrTemporary → retry later
// (the job queue's backoff); ErrPermanent → stop retrying. Both come wrapped
// in an *SMTPError from the SMTP sender, whose Stage tells whether the
// recipient was refused ("rcpt": the address may be marked bad) or something
// else was.
var (
	ErrTemporary = errors.New("email: temporary delivery failure")
	ErrPermanent = errors.New("email: permanent delivery failure")
	// ErrInvalidMail is a Mail that cannot be sent as given (no recipient,
	// a header with a line break…): retrying will not help, and neither the
	// recipient nor the server is at fault.
	ErrInvalidMail = errors.New("email: invalid mail")
)

// SMTPError is a failed delivery with the server's reply.
type SMTPError struct {
	// Stage is where it failed: "connect" (dial, TLS, AUTH), "mail" (MAIL
	// FROM), "rcpt" (RCPT TO), "data" (DATA and the message) or "reset".
	Stage string
	Code  int    // the SMTP reply code; 0 when the connection failed without one
	Msg   string // the server's text, or the network error
	Temp  bool
}

func (e *SMTPError) Error() string {
	if e.Code > 0 {
		return fmt.Sprintf("smtp %s: %d %s", e.Stage, e.Code, e.Msg)
	}
	return fmt.Sprintf("smtp %s: %s", e.Stage, e.Msg)
}

// Unwrap makes errors.Is(err, ErrTemporary) and errors.Is(err, ErrPermanent)
// work.
func (e *SMTPError) Unwrap() error {
	if e.Temp {
		return ErrTemporary
	}
	return ErrPermanent
}

// prepared is a Mail checked and completed for sending.
type prepared struct {
	Mail
	domain string
}

// prepare validates m and fills what the sender derives: the full Message-ID,
// the text part, a single-line subject.
func prepare(m Mail) (prepared, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return prepared{}, fmt.Errorf("%w: from %q: %w", ErrInvalidMail, m.From, err)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return prepared{}, fmt.Errorf("%w: to %q: %w", ErrInvalidMail, m.To, err)
	}
	if m.ReplyTo != "" {
		if _, err := mail.ParseAddress(m.ReplyTo); err != nil {
			return prepared{}, fmt.Errorf("%w: reply-to %q: %w", ErrInvalidMail, m.ReplyTo, err)
		}
	}
	if m.EnvelopeFrom != "" {
		if a, err := mail.ParseAddress(m.EnvelopeFrom); err != nil || a.Address != m.EnvelopeFrom {
			return prepared{}, fmt.Errorf("%w: envelope from %q", ErrInvalidMail, m.EnvelopeFrom)
		}
	}
	if m.HTML == "" && m.Text == "" {
		return prepared{}, fmt.Errorf("%w: no body", ErrInvalidMail)
	}
	for k, v := range m.Headers {
		if err := checkHeader(k, v); err != nil {
			return prepared{}, err
		}
	}
	if strings.ContainsAny(m.FromName+m.ToName, "\r\n") {
		return prepared{}, fmt.Errorf("%w: line break in a display name", ErrInvalidMail)
	}
	p := prepared{Mail: m}
	p.From, p.To = from.Address, strings.TrimSpace(m.To)
	if a, err := mail.ParseAddress(m.To); err == nil {
		p.To = a.Address
	}
	_, p.domain, _ = strings.Cut(from.Address, "@")
	p.Subject = singleLine(m.Subject)
	if p.Text == "" {
		p.Text = HTMLToText(m.HTML)
	}
	id := strings.Trim(strings.TrimSpace(m.MessageID), "<>")
	switch {
	case id == "":
		b := make([]byte, 16)
		_, _ = rand.Read(b) // never fails on supported platforms (Go 1.24+)
		id = hex.EncodeToString(b) + "@" + p.domain
	case !strings.Contains(id, "@"):
		id += "@" + p.domain
	}
	if strings.ContainsAny(id, " \t\r\n<>()[]\\,;:\"") || strings.Count(id, "@") != 1 {
		return prepared{}, fmt.Errorf("%w: message id %q", ErrInvalidMail, m.MessageID)
	}
	p.MessageID = id
	return p, nil
}

// checkHeader refuses header injection and headers the sender owns.
func checkHeader(name, value string) error {
	if name == "" || strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("%w: header %q", ErrInvalidMail, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return fmt.Errorf("%w: header name %q", ErrInvalidMail, name)
		}
	}
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
		"content-type", "content-transfer-encoding", "sender", "return-path", "dkim-signature":
		return fmt.Errorf("%w: header %q is set by the sender", ErrInvalidMail, name)
	}
	return nil
}

// OutboxStore keeps mail that was not sent because no SMTP server is
// configured, for the admin to read.
type OutboxStore interface {
	SaveOutboxMail(ctx context.Context, m Mail) error
}

// NewOutbox returns the Sender used when no SMTP server is configured: it
// stores each message, completed as the SMTP sender would send it (full
// Message-ID, text part), so that flows run and the admin can see what would
// have gone out.
func NewOutbox(s OutboxStore) Sender { return outbox{s} }

type outbox struct{ store OutboxStore }

func (o outbox) Send(ctx context.Context, m Mail) error {
	p, err := prepare(m)
	if err != nil {
		return err
	}
	if err := o.store.SaveOutboxMail(ctx, p.Mail); err != nil {
		// A store failure is the database's, not the message's: retry.
		return fmt.Errorf("email: outbox: %w: %w", ErrTemporary, err)
	}
	return nil
}
