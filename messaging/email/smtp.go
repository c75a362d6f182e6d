package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is how to reach the shop's SMTP relay (its own server or an ESP
// such as SES, Postmark, Mailgun).
type SMTPConfig struct {
	Host     string
	Port     int    // default 587 for "starttls", 465 for "tls", 25 for "none"
	Username string // AUTH (PLAIN, else LOGIN) when set
	Password string
	// TLS is "starttls" (the default; required, not opportunistic), "tls"
	// (implicit, from the first byte) or "none" (a relay on the same host:
	// AUTH over plain text is refused except to localhost).
	TLS      string
	MaxConns int           // connections kept open and concurrent sends; default 4
	Timeout  time.Duration // dial and per-command timeout; default 30s
	// TLSConfig is optional (a private CA, say); ServerName defaults to Host.
	TLSConfig *tls.Config
	// HELO is the name announced in EHLO; the machine's hostname when empty.
	HELO string
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("email: sender closed")

// SMTPSender sends through an SMTP relay over a small pool of authenticated
// connections: dialling, TLS and AUTH cost several round trips, so each
// connection carries many messages and is re-dialled only after an error.
// At most MaxConns messages are in flight; further Sends wait for a
// connection (or their context).
type SMTPSender struct {
	cfg       SMTPConfig
	tlsConfig *tls.Config
	log       *slog.Logger
	idle      chan *smtpConn // holding one is the right to send
	done      chan struct{}
	closeOnce sync.Once
}

// NewSMTP checks cfg and prepares the pool. It does not connect: the first
// Send does (see Check to test the settings).
func NewSMTP(cfg SMTPConfig, log *slog.Logger) (*SMTPSender, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("email: smtp: host is required")
	}
	cfg.TLS = strings.ToLower(strings.TrimSpace(cfg.TLS))
	defaultPort := map[string]int{"": 587, "starttls": 587, "tls": 465, "none": 25}
	port, ok := defaultPort[cfg.TLS]
	if !ok {
		return nil, fmt.Errorf("email: smtp: TLS mode %q is not starttls, tls or none", cfg.TLS)
	}
	if cfg.TLS == "" {
		cfg.TLS = "starttls"
	}
	if cfg.Port == 0 {
		cfg.Port = port
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)

	s := &SMTPSender{
		cfg:       cfg,
		tlsConfig: tc,
		log:       log.With("smtp_host", cfg.Host),
		idle:      make(chan *smtpConn, cfg.MaxConns),
		done:      make(chan struct{}),
	}
	for range cfg.MaxConns {
		c := &smtpConn{s: s}
		client, err := gomail.NewClient(cfg.Host, s.clientOptions(c)...)
		if err != nil {
			return nil, fmt.Errorf("email: smtp: %w", err)
		}
		c.client = client
		s.idle <- c
	}
	return s, nil
}

func (s *SMTPSender) clientOptions(c *smtpConn) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithDialContextFunc(c.dial),
		// NOOP before and RSET after every message would add two round trips
		// to each; a dead connection is caught at MAIL FROM instead, and a
		// finished DATA needs no reset.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if s.cfg.TLS == "starttls" {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	} else {
		// "tls" is negotiated by c.dial before SMTP starts.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	return opts
}

// Send delivers m as multipart/alternative (text, then HTML), UTF-8, with
// Date and Message-ID. Failures are *SMTPError values wrapping ErrTemporary
// or ErrPermanent; invalid input wraps ErrInvalidMail; cancellation returns
// the context's error, and a send interrupted mid-transaction may or may not
// have been accepted by the server.
func (s *SMTPSender) Send(ctx context.Context, m Mail) error {
	p, err := prepare(m)
	if err != nil {
		return err
	}
	msg, err := buildMsg(p)
	if err != nil {
		return err
	}
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer s.release(c)
	return c.run(ctx, func() error { return c.deliver(ctx, msg) })
}

// Check connects (if no connection is open yet) to test the settings, for
// the admin's "send a test" and start-up checks.
func (s *SMTPSender) Check(ctx context.Context) error {
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer s.release(c)
	return c.run(ctx, func() error {
		if c.smtp != nil {
			return nil
		}
		return c.connect(ctx)
	})
}

// Close waits for sends in flight, then says QUIT on every open connection.
func (s *SMTPSender) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		for range s.cfg.MaxConns {
			c := <-s.idle
			c.quit()
		}
	})
	return nil
}

func (s *SMTPSender) acquire(ctx context.Context) (*smtpConn, error) {
	select {
	case <-s.done:
		return nil, ErrClosed
	default:
	}
	select {
	case c := <-s.idle:
		return c, nil
	case <-s.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("email: waiting for an SMTP connection: %w", context.Cause(ctx))
	}
}

func (s *SMTPSender) release(c *smtpConn) { s.idle <- c }

func buildMsg(p prepared) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(p.FromName, p.From); err != nil {
		return nil, fmt.Errorf("%w: from: %w", ErrInvalidMail, err)
	}
	if err := msg.AddToFormat(p.ToName, p.To); err != nil {
		return nil, fmt.Errorf("%w: to: %w", ErrInvalidMail, err)
	}
	if p.ReplyTo != "" {
		if err := msg.ReplyTo(p.ReplyTo); err != nil {
			return nil, fmt.Errorf("%w: reply-to: %w", ErrInvalidMail, err)
		}
	}
	if p.EnvelopeFrom != "" {
		if err := msg.EnvelopeFrom(p.EnvelopeFrom); err != nil {
			return nil, fmt.Errorf("%w: envelope from: %w", ErrInvalidMail, err)
		}
	}
	msg.Subject(p.Subject)
	msg.SetMessageIDWithValue(p.MessageID)
	msg.SetDate()
	for k, v := range p.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, p.Text)
	if p.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, p.HTML)
	}
	if p.DKIM != nil {
		if err := p.DKIM.sign(msg); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// classify turns go-mail's errors into an *SMTPError.
func classify(err error) *SMTPError {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		return &SMTPError{
			Stage: stage(se.Reason),
			Code:  code,
			Msg:   replyText(err.Error(), code),
			// No reply code means the connection failed: worth a retry.
			Temp: code == 0 || code/100 == 4,
		}
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &SMTPError{Stage: "send", Code: tp.Code, Msg: tp.Msg, Temp: tp.Code/100 != 5}
	}
	return &SMTPError{Stage: "send", Msg: err.Error(), Temp: true}
}

func stage(r gomail.SendErrReason) string {
	switch r {
	case gomail.ErrSMTPMailFrom:
		return "mail"
	case gomail.ErrSMTPRcptTo:
		return "rcpt"
	case gomail.ErrSMTPData, gomail.ErrWriteContent, gomail.ErrSMTPDataClose:
		return "data"
	case gomail.ErrSMTPReset:
		return "reset"
	case gomail.ErrConnCheck:
		return "connect"
	}
	return "send"
}

// replyText cuts the server's reply out of go-mail's error text
// ("sending RCPT TO command: 550 5.1.1 No such user, affected recipient(s): …").
func replyText(s string, code int) string {
	if code == 0 {
		return s
	}
	i := strings.Index(s, strconv.Itoa(code)+" ")
	if i < 0 {
		return s
	}
	s = s[i+4:]
	if j := strings.Index(s, ", affected "); j >= 0 {
		s = s[:j]
	}
	return s
}

// connectError is a failure to dial, start TLS or authenticate. It is always
// temporary, whatever the code: a refused login or a certificate problem is
// the configuration's fault, not the message's or the recipient's, and the
// message should go out once the admin fixes it.
func connectError(err error) *SMTPError {
	e := &SMTPError{Stage: "connect", Msg: err.Error(), Temp: true}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code, e.Msg = tp.Code, tp.Msg
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		e.Msg = "timeout: " + e.Msg
	}
	return e
}
