// Package smtptest runs a real SMTP server (emersion/go-smtp) in-process on
// 127.0.0.1 for tests of code that sends mail: AUTH PLAIN, optional
// STARTTLS or implicit TLS with a throwaway certificate, received messages
// parsed into headers and text/HTML parts, injected failures, and a count of
// connections to show that a client reuses them.
package smtptest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/mail"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From   string   // envelope sender (MAIL FROM)
	To     []string // envelope recipients (RCPT TO)
	Data   []byte   // the message as received
	Header mail.Header
	HTML   string // the text/html part, decoded
	Text   string // the text/plain part, decoded
}

// Option configures a Server.
type Option func(*Server)

// WithAuth sets the credentials AUTH PLAIN accepts (default "user",
// "secret"). An empty user turns authentication off.
func WithAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// WithSTARTTLS offers STARTTLS with a self-signed certificate for 127.0.0.1;
// ClientTLSConfig trusts it.
func WithSTARTTLS() Option { return func(s *Server) { s.tlsMode = "starttls" } }

// WithImplicitTLS makes the listener speak TLS from the first byte (port-465
// style); ClientTLSConfig trusts its certificate.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = "tls" } }

// WithDiscard counts messages without keeping or parsing them, for
// benchmarks that send more mail than memory should hold.
func WithDiscard() Option { return func(s *Server) { s.discard = true } }

// Server is a running test SMTP server. It stops when the test ends.
type Server struct {
	t         testing.TB
	srv       *smtp.Server
	host      string
	port      int
	user      string
	pass      string
	tlsMode   string
	clientTLS *tls.Config
	discard   bool
	ln        *countingListener

	conns    atomic.Int64
	received atomic.Int64

	mu       sync.Mutex
	msgs     []Message
	notify   chan struct{} // closed (and replaced) whenever a message arrives
	failN    int
	failCode int
	failMsg  string
	delay    time.Duration
	hold     chan struct{} // non-nil while HoldData holds messages
	held     int
	dropped  int
}

// NewServer starts a server on 127.0.0.1 with a random port.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, user: "user", pass: "secret", notify: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	addr := raw.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	s.ln = &countingListener{Listener: raw, n: &s.conns, open: map[net.Conn]struct{}{}}
	var ln net.Listener = s.ln

	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c.Conn()}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true // loopback only
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 25 << 20
	s.srv.MaxRecipients = 100
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // t.Log after the test ends would panic

	if s.tlsMode != "" {
		serverTLS, clientTLS, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.clientTLS = clientTLS
		if s.tlsMode == "tls" {
			ln = tls.NewListener(ln, serverTLS)
		} else {
			s.srv.TLSConfig = serverTLS
		}
	}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Addr is where the server listens.
func (s *Server) Addr() (host string, port int) { return s.host, s.port }

// Credentials are the user and password AUTH accepts.
func (s *Server) Credentials() (user, pass string) { return s.user, s.pass }

// ClientTLSConfig trusts the server's certificate; nil without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Connections is how many connections the server has accepted so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// DropConnections closes every open connection from the server side without
// a word, as a server does with idle connections after its timeout.
func (s *Server) DropConnections() { s.ln.closeAll() }

// Count is how many messages the server has accepted (kept or not).
func (s *Server) Count() int { return int(s.received.Load()) }

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until at least n messages have been accepted and returns
// them; the test fails if that takes longer than timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, ch := len(s.msgs), s.notify
		if got >= n {
			out := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return out
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			s.t.Fatalf("smtptest: %d messages after %v, want %d", got, timeout, n)
			return nil
		}
	}
}

// FailNext makes the next n RCPT TO commands fail with code and msg: 4xx
// codes for temporary failures (450 mailbox busy, 421 service closing),
// 5xx for permanent ones (550 no such user). The connection stays open,
// even after 421, which a client should not rely on.
func (s *Server) FailNext(n int, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode, s.failMsg = n, code, msg
}

// SetDelay makes the server wait d before answering each message's data,
// to test timeouts and cancellation.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// HoldData makes the server keep each message's data without answering
// until ReleaseData, so that a test can kill the sender while it waits for
// the reply. A message whose sender hung up meanwhile is not accepted —
// a server that cannot answer does not take the mail — and is counted by
// Dropped instead.
func (s *Server) HoldData() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// ReleaseData answers the messages HoldData holds, and stops holding.
func (s *Server) ReleaseData() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Held is how many messages HoldData holds now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// Dropped is how many held messages were not accepted because their
// sender was gone when they were released.
func (s *Server) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// holdData waits while HoldData holds messages; gone reports a sender
// that hung up meanwhile.
func (se *session) holdData() (gone bool) {
	s := se.s
	s.mu.Lock()
	hold := s.hold
	if hold != nil {
		s.held++
	}
	s.mu.Unlock()
	if hold == nil {
		return false
	}
	select {
	case <-hold:
	case <-time.After(5 * time.Minute):
	}
	s.mu.Lock()
	s.held--
	s.mu.Unlock()
	// After its data a client only waits for the answer: a read that ends
	// at once, rather than timing out, means it closed the connection.
	if se.conn == nil {
		return false
	}
	_ = se.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var b [1]byte
	_, err := se.conn.Read(b[:])
	_ = se.conn.SetReadDeadline(time.Time{})
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	s.mu.Lock()
	s.dropped++
	s.mu.Unlock()
	return true
}

func (s *Server) takeFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return nil
	}
	s.failN--
	return &smtp.SMTPError{Code: s.failCode, EnhancedCode: smtp.EnhancedCodeNotSet, Message: s.failMsg}
}

func (s *Server) currentDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delay
}

func (s *Server) add(m Message) {
	s.received.Add(1)
	if s.discard {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.notify)
	s.notify = make(chan struct{})
}

// session is one SMTP conversation.
type session struct {
	s      *Server
	conn   net.Conn
	authed bool
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string {
	if se.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != se.s.user || pass != se.s.pass {
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.user != "" && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from, se.to = from, nil
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := se.s.takeFailure(); err != nil {
		return err
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d := se.s.currentDelay(); d > 0 {
		time.Sleep(d)
	}
	if se.holdData() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "the client hung up before the answer"}
	}
	m := Message{From: se.from, To: se.to, Data: data}
	if !se.s.discard {
		// A message that does not parse is still accepted, with the parts
		// left empty: the test, not the server, should judge it.
		_ = parse(&m)
	}
	se.s.add(m)
	return nil
}

func (se *session) Reset() { se.from, se.to = "", nil }

func (se *session) Logout() error { return nil }

// countingListener counts accepted connections and keeps the open ones so
// that they can be dropped.
type countingListener struct {
	net.Listener
	n    *atomic.Int64
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.n.Add(1)
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	l.open[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

func (l *countingListener) closeAll() {
	l.mu.Lock()
	conns := make([]net.Conn, 0, len(l.open))
	for c := range l.open {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.open, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
