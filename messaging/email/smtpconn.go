package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"
)

// smtpConn is one slot of the pool: a go-mail client (settings and protocol)
// and, once dialled, its live connection. Only the goroutine holding the slot
// touches client and smtp; mu guards raw and cancelled, which the context's
// AfterFunc reaches from another goroutine.
type smtpConn struct {
	s      *SMTPSender
	client *gomail.Client
	smtp   *gomailsmtp.Client // nil when not connected
	sent   int                // messages on the current connection

	mu        sync.Mutex
	raw       *cancelConn
	cancelled bool
}

// run executes f so that cancelling ctx interrupts it. go-mail's SMTP
// commands take no context, so cancellation forces the socket's deadline
// into the past; the connection is then in an unknown state and is dropped.
func (c *smtpConn) run(ctx context.Context, f func() error) error {
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("email: send: %w", err)
	}
	c.mu.Lock()
	c.cancelled = false
	c.mu.Unlock()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.interrupt()
		close(fired)
	})
	err := f()
	if stop() {
		return err
	}
	<-fired
	c.discard()
	if err == nil {
		return nil // the server accepted the message before the cancellation bit
	}
	return fmt.Errorf("email: send: %w", context.Cause(ctx))
}

// deliver sends one message on the slot's connection, dialling if needed.
func (c *smtpConn) deliver(ctx context.Context, msg *gomail.Msg) error {
	reused := c.smtp != nil
	if !reused {
		if err := c.connect(ctx); err != nil {
			return err
		}
	}
	err := c.client.SendWithSMTPClient(c.smtp, msg)
	if err == nil {
		c.sent++
		return nil
	}
	serr := classify(err)
	if reused && serr.Code == 0 && (serr.Stage == "mail" || serr.Stage == "connect") && ctx.Err() == nil {
		// The server dropped the idle connection (servers close them after
		// a minute or so). Nothing was accepted before MAIL FROM failed, so
		// sending again on a fresh connection cannot duplicate the message.
		c.s.log.Debug("smtp connection went stale; redialling", "sent_on_it", c.sent, "err", serr.Msg)
		c.discard()
		if err := c.connect(ctx); err != nil {
			return err
		}
		if err = c.client.SendWithSMTPClient(c.smtp, msg); err == nil {
			c.sent++
			return nil
		}
		serr = classify(err)
	}
	c.afterFailure(serr)
	return serr
}

// afterFailure leaves the connection ready for the next message, or drops it.
func (c *smtpConn) afterFailure(e *SMTPError) {
	if e.Code == 0 || e.Code == 421 { // no reply, or "closing the channel"
		c.discard()
		return
	}
	// After a refused RCPT or DATA the transaction may still be open.
	if err := c.smtp.Reset(); err != nil {
		c.discard()
	}
}

func (c *smtpConn) connect(ctx context.Context) error {
	sc, err := c.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		// go-mail leaves the socket open when EHLO, STARTTLS or AUTH fails.
		c.closeRaw()
		return connectError(err)
	}
	c.smtp, c.sent = sc, 0
	c.s.log.Debug("smtp connected", "port", c.s.cfg.Port, "tls", c.s.cfg.TLS)
	return nil
}

// dial is the go-mail client's DialContextFunc: it keeps the raw connection
// reachable for cancellation and does implicit TLS itself (go-mail's own
// "SSL" dialer is bypassed by a custom dial function).
func (c *smtpConn) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: c.s.cfg.Timeout}
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cc := &cancelConn{Conn: nc}
	c.mu.Lock()
	c.raw = cc
	if c.cancelled {
		cc.cancel()
	}
	c.mu.Unlock()
	if c.s.cfg.TLS != "tls" {
		return cc, nil
	}
	tc := tls.Client(cc, c.s.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.closeRaw()
		return nil, err
	}
	return tc, nil
}

func (c *smtpConn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled = true
	if c.raw != nil {
		c.raw.cancel()
	}
}

// discard drops the connection without QUIT: it is broken or in an unknown
// state.
func (c *smtpConn) discard() {
	if c.smtp != nil {
		_ = c.smtp.Close()
		c.s.log.Debug("smtp connection dropped", "sent_on_it", c.sent)
		c.smtp = nil
	}
	c.closeRaw()
}

func (c *smtpConn) closeRaw() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.raw != nil {
		_ = c.raw.Close()
		c.raw = nil
	}
}

// quit ends the connection politely.
func (c *smtpConn) quit() {
	if c.smtp != nil {
		_ = c.smtp.UpdateDeadline(5 * time.Second)
		_ = c.smtp.Quit()
	}
	c.discard()
}

// cancelConn is a connection that cancellation can interrupt for good: once
// cancelled its deadline stays in the past even when go-mail extends it for
// the next command.
type cancelConn struct {
	net.Conn
	mu        sync.Mutex
	cancelled bool
}

func longAgo() time.Time { return time.Unix(1, 0) }

func (c *cancelConn) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled = true
	_ = c.Conn.SetDeadline(longAgo())
}

func (c *cancelConn) SetDeadline(t time.Time) error { return c.set(c.Conn.SetDeadline, t) }

func (c *cancelConn) SetReadDeadline(t time.Time) error { return c.set(c.Conn.SetReadDeadline, t) }

func (c *cancelConn) SetWriteDeadline(t time.Time) error { return c.set(c.Conn.SetWriteDeadline, t) }

// set applies a deadline through set, or one long past once cancelled.
func (c *cancelConn) set(set func(time.Time) error, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelled {
		t = longAgo()
	}
	return set(t)
}
