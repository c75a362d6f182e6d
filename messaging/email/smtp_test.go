package email_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

func hmacSigner(key string) (func([]byte) string, func([]byte, string) bool) {
	sign := func(msg []byte) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(msg)
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	return sign, func(msg []byte, sig string) bool { return hmac.Equal([]byte(sign(msg)), []byte(sig)) }
}

func newSender(t testing.TB, srv *smtptest.Server, mod func(*email.SMTPConfig)) *email.SMTPSender {
	t.Helper()
	host, port := srv.Addr()
	user, pass := srv.Credentials()
	cfg := email.SMTPConfig{Host: host, Port: port, Username: user, Password: pass, TLS: "none", Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := email.NewSMTP(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testMail(to string) email.Mail {
	return email.Mail{
		From: "hello@shop.example", FromName: "Café Müller", To: to, ToName: "Ann Lee",
		ReplyTo: "support@shop.example",
		Subject: "Ihr Warenkorb wartet – 10 % Rabatt 🎁",
		HTML:    `<!DOCTYPE html><html><body><h1>Hallo Ann</h1><p>Ihr <a href="https://shop.example/cart">Warenkorb</a> wartet. Größe: 42</p></body></html>`,
		Headers: email.ListUnsubscribeHeaders("https://shop.example/u/tok123", "unsubscribe@shop.example"),
	}
}

func TestSMTPSendMultipart(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	m := testMail("ann@example.com")
	m.MessageID = "msg_abc123"
	m.Text = "Hallo Ann,\nIhr Warenkorb wartet: https://shop.example/cart\nGröße: 42"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]

	if got.From != "hello@shop.example" || len(got.To) != 1 || got.To[0] != "ann@example.com" {
		t.Errorf("envelope = %q → %q", got.From, got.To)
	}
	if ct := got.ContentType(); ct != "multipart/alternative" {
		t.Errorf("content type = %q, want multipart/alternative", ct)
	}
	if got.Text != m.Text+"\r\n" && got.Text != m.Text && strings.ReplaceAll(got.Text, "\r\n", "\n") != m.Text {
		t.Errorf("text part = %q, want %q", got.Text, m.Text)
	}
	if !strings.Contains(got.HTML, "Größe: 42") || !strings.Contains(got.HTML, `<a href="https://shop.example/cart">`) {
		t.Errorf("html part = %q", got.HTML)
	}
	// Text and HTML in that order: clients show the last alternative they can.
	if i, j := strings.Index(string(got.Data), "text/plain"), strings.Index(string(got.Data), "text/html"); i < 0 || j < i {
		t.Error("text/plain does not come before text/html")
	}
	if !strings.Contains(string(got.Data), "charset=UTF-8") {
		t.Error("parts do not declare UTF-8")
	}

	h := got.Header
	if id := h.Get("Message-Id"); id != "<msg_abc123@shop.example>" {
		t.Errorf("Message-ID = %q", id)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute || time.Since(d) < -time.Minute {
		t.Errorf("Date = %q (%v)", h.Get("Date"), err)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Café Müller" || from[0].Address != "hello@shop.example" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ann Lee" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if rt := h.Get("Reply-To"); !strings.Contains(rt, "support@shop.example") {
		t.Errorf("Reply-To = %q", rt)
	}
	raw := h.Get("Subject")
	if !strings.HasPrefix(strings.ToUpper(raw), "=?UTF-8?") {
		t.Errorf("subject not RFC 2047 encoded: %q", raw)
	}
	if got.Subject() != m.Subject {
		t.Errorf("subject = %q, want %q", got.Subject(), m.Subject)
	}
	if lu := h.Get("List-Unsubscribe"); lu != "<https://shop.example/u/tok123>, <mailto:unsubscribe@shop.example>" {
		t.Errorf("List-Unsubscribe = %q", lu)
	}
	if lup := h.Get("List-Unsubscribe-Post"); lup != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", lup)
	}
}

func TestSMTPDerivesTextAndMessageID(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	if err := s.Send(context.Background(), testMail("bob@example.com")); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]
	if !strings.Contains(got.Text, "HALLO ANN") || !strings.Contains(got.Text, "Warenkorb (https://shop.example/cart)") {
		t.Errorf("derived text part = %q", got.Text)
	}
	if id := got.Header.Get("Message-Id"); !strings.HasSuffix(id, "@shop.example>") || len(id) < 30 {
		t.Errorf("generated Message-ID = %q", id)
	}
}

func TestSMTPPoolReusesConnections(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.MaxConns = 4 })
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() { errs <- s.Send(context.Background(), testMail(fmt.Sprintf("c%d@example.com", i))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.WaitFor(n, 10*time.Second)
	if len(msgs) != n {
		t.Errorf("server got %d messages, want %d", len(msgs), n)
	}
	if c := srv.Connections(); c > 4 || c < 1 {
		t.Errorf("server saw %d connections for %d messages, want 1..4", c, n)
	}
}

func TestSMTPErrorClasses(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.MaxConns = 1 })
	cases := []struct {
		code int
		msg  string
		want error
	}{
		{450, "4.2.1 Mailbox busy, try later", email.ErrTemporary},
		{421, "4.7.0 Too many connections", email.ErrTemporary},
		{550, "5.1.1 No such user here", email.ErrPermanent},
		{552, "5.2.2 Mailbox full", email.ErrPermanent},
	}
	for _, tc := range cases {
		srv.FailNext(1, tc.code, tc.msg)
		err := s.Send(context.Background(), testMail("x@example.com"))
		if !errors.Is(err, tc.want) {
			t.Errorf("%d: err = %v, want %v", tc.code, err, tc.want)
			continue
		}
		var se *email.SMTPError
		if !errors.As(err, &se) || se.Code != tc.code || se.Stage != "rcpt" || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%d: SMTPError = %+v", tc.code, se)
		}
		if tc.want == email.ErrTemporary && errors.Is(err, email.ErrPermanent) {
			t.Errorf("%d: both temporary and permanent", tc.code)
		}
		// The sender recovers: the next message goes through.
		if err := s.Send(context.Background(), testMail("ok@example.com")); err != nil {
			t.Errorf("after %d: %v", tc.code, err)
		}
	}
	if got := len(srv.Messages()); got != len(cases) {
		t.Errorf("delivered %d, want %d", got, len(cases))
	}
}

func TestSMTPRedialsDroppedConnection(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.MaxConns = 1 })
	ctx := context.Background()
	if err := s.Send(ctx, testMail("a@example.com")); err != nil {
		t.Fatal(err)
	}
	srv.DropConnections() // as after the server's idle timeout
	time.Sleep(20 * time.Millisecond)
	if err := s.Send(ctx, testMail("b@example.com")); err != nil {
		t.Fatalf("send after the server dropped the connection: %v", err)
	}
	if got := len(srv.WaitFor(2, 5*time.Second)); got != 2 {
		t.Errorf("delivered %d, want 2 (and no duplicate)", got)
	}
	if c := srv.Connections(); c != 2 {
		t.Errorf("connections = %d, want 2", c)
	}
}

func TestSMTPContextCancellation(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.MaxConns = 1 })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, testMail("a@example.com")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}

	// A server that stalls in DATA: the send returns when the context ends,
	// not when the server answers.
	srv.SetDelay(3 * time.Second)
	ctx, cancel = context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, testMail("slow@example.com"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled send: err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stalled send returned after %v", d)
	}

	// Waiting for a free connection also honours the context.
	srv.SetDelay(500 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), testMail("holder@example.com")) }()
	time.Sleep(100 * time.Millisecond) // let it take the only connection
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := s.Send(ctx2, testMail("waiter@example.com")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a connection: err = %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("holder: %v", err)
	}

	// The interrupted connection was dropped; the next send dials afresh.
	srv.SetDelay(0)
	if err := s.Send(context.Background(), testMail("after@example.com")); err != nil {
		t.Errorf("send after cancellation: %v", err)
	}
}

func TestSMTPTLSModes(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			opt := smtptest.WithSTARTTLS()
			if mode == "tls" {
				opt = smtptest.WithImplicitTLS()
			}
			srv := smtptest.NewServer(t, opt)
			s := newSender(t, srv, func(c *email.SMTPConfig) {
				c.TLS = mode
				c.TLSConfig = srv.ClientTLSConfig()
			})
			if err := s.Send(context.Background(), testMail("tls@example.com")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			srv.WaitFor(1, 5*time.Second)
		})
	}

	// STARTTLS is required, not opportunistic: a server without it is an error.
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.TLS = "starttls" })
	err := s.Send(context.Background(), testMail("x@example.com"))
	var se *email.SMTPError
	if !errors.As(err, &se) || se.Stage != "connect" || !errors.Is(err, email.ErrTemporary) {
		t.Errorf("starttls against a plain server: err = %v", err)
	}

	// An untrusted certificate is refused.
	srv = smtptest.NewServer(t, smtptest.WithSTARTTLS())
	s = newSender(t, srv, func(c *email.SMTPConfig) { c.TLS = "starttls" })
	if err := s.Send(context.Background(), testMail("x@example.com")); err == nil || len(srv.Messages()) != 0 {
		t.Errorf("untrusted certificate: err = %v", err)
	}
}

func TestSMTPAuthFailureIsNotTheRecipients(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, func(c *email.SMTPConfig) { c.Password = "wrong" })
	err := s.Send(context.Background(), testMail("x@example.com"))
	var se *email.SMTPError
	if !errors.As(err, &se) || se.Stage != "connect" || se.Code != 535 || !errors.Is(err, email.ErrTemporary) {
		t.Errorf("bad password: err = %v (%+v)", err, se)
	}
}

func TestInvalidMail(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	mods := map[string]func(*email.Mail){
		"no recipient":       func(m *email.Mail) { m.To = "" },
		"bad sender":         func(m *email.Mail) { m.From = "not an address" },
		"header injection":   func(m *email.Mail) { m.Headers = map[string]string{"X-Campaign": "a\r\nBcc: victim@example.com"} },
		"owned header":       func(m *email.Mail) { m.Headers = map[string]string{"bcc": "victim@example.com"} },
		"bad header name":    func(m *email.Mail) { m.Headers = map[string]string{"X Bad": "1"} },
		"no body":            func(m *email.Mail) { m.HTML, m.Text = "", "" },
		"name with newline":  func(m *email.Mail) { m.ToName = "Ann\r\nBcc: x@y.z" },
		"message id garbage": func(m *email.Mail) { m.MessageID = "a b<c>" },
	}
	for name, mod := range mods {
		m := testMail("ann@example.com")
		mod(&m)
		if err := s.Send(context.Background(), m); !errors.Is(err, email.ErrInvalidMail) {
			t.Errorf("%s: err = %v, want ErrInvalidMail", name, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d invalid messages were sent", n)
	}
}

func TestSMTPClose(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newSender(t, srv, nil)
	if err := s.Send(context.Background(), testMail("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMail("b@example.com")); !errors.Is(err, email.ErrClosed) {
		t.Errorf("send after Close: err = %v", err)
	}
	if _, err := email.NewSMTP(email.SMTPConfig{}, nil); err == nil {
		t.Error("NewSMTP accepted an empty host")
	}
	if _, err := email.NewSMTP(email.SMTPConfig{Host: "h", TLS: "ssl3"}, nil); err == nil {
		t.Error("NewSMTP accepted an unknown TLS mode")
	}
}

type memOutbox struct {
	mu   sync.Mutex
	mail []email.Mail
	err  error
}

func (o *memOutbox) SaveOutboxMail(_ context.Context, m email.Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	o.mail = append(o.mail, m)
	return nil
}

func TestOutbox(t *testing.T) {
	store := &memOutbox{}
	ob := email.NewOutbox(store)
	m := testMail("ann@example.com")
	m.MessageID = "msg_9"
	if err := ob.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(store.mail) != 1 {
		t.Fatalf("stored %d", len(store.mail))
	}
	got := store.mail[0]
	if got.MessageID != "msg_9@shop.example" || got.Text == "" || got.Subject != m.Subject {
		t.Errorf("stored mail = %+v", got)
	}
	m.To = ""
	if err := ob.Send(context.Background(), m); !errors.Is(err, email.ErrInvalidMail) {
		t.Errorf("invalid mail: %v", err)
	}
	store.err = errors.New("database is locked")
	if err := ob.Send(context.Background(), testMail("b@example.com")); !errors.Is(err, email.ErrTemporary) || !errors.Is(err, store.err) {
		t.Errorf("store failure: %v", err)
	}
}
