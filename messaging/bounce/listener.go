package bounce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// ErrUnknownMessage is returned by a Handler for a signed address whose
// message no longer exists (erased): the report is refused for good.
var ErrUnknownMessage = errors.New("bounce: unknown message")

// Handler applies a report about one message.
type Handler interface {
	HandleReport(ctx context.Context, ref Ref, rep Report) error
}

// MaxMessageBytes is the largest report accepted: a DSN or ARF report
// returning a whole message with images stays well under it.
const MaxMessageBytes = 10 << 20

// Listener is the inbound SMTP server bounces and complaints are sent to.
// It accepts mail only for signed VERP addresses (and the plain bounces@
// address, for feedback loops whose reports carry the original headers),
// and only reports: anything else gets an SMTP error, so that the sending
// MTA, not Cartwheel, keeps it.
type Listener struct {
	verp    *VERP
	handler Handler
	log     *slog.Logger
	srv     *smtp.Server
}

// NewListener returns a listener; Serve starts it.
func NewListener(v *VERP, h Handler, log *slog.Logger) *Listener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Listener{verp: v, handler: h, log: log.With("component", "bounce-listener")}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{l: l, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	s.Domain = v.Domain()
	s.ReadTimeout = 60 * time.Second
	s.WriteTimeout = 60 * time.Second
	s.MaxMessageBytes = MaxMessageBytes
	s.MaxRecipients = 50
	s.MaxLineLength = 4000
	l.srv = s
	return l
}

// Serve accepts connections on ln until Close.
func (l *Listener) Serve(ln net.Listener) error {
	err := l.srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the listener and ends open sessions.
func (l *Listener) Close() error { return l.srv.Close() }

type session struct {
	l      *Listener
	remote string
	refs   []Ref
	plain  bool
}

func smtpErr(code int, enh smtp.EnhancedCode, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

func (s *session) Reset() { s.refs, s.plain = nil, false }

func (s *session) Logout() error { return nil }

// Mail accepts any sender: DSNs come from the null sender (<>).
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.l.verp.IsPlain(to) {
		s.plain = true
		return nil
	}
	ref, err := s.l.verp.Parse(to)
	if err != nil {
		return smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "No such bounce address")
	}
	s.refs = append(s.refs, ref)
	return nil
}

func (s *session) Data(r io.Reader) error {
	rep, err := Parse(r)
	// Whatever is left must be read for the session to go on.
	_, _ = io.Copy(io.Discard, r)
	if err != nil {
		s.l.log.Info("refused mail that is not a report", "remote", s.remote, "err", err)
		return smtpErr(554, smtp.EnhancedCode{5, 6, 0}, "Only delivery status notifications and feedback reports are accepted here")
	}
	refs := s.refs
	if len(refs) == 0 && s.plain {
		ref, ok := s.l.verp.FindIn(rep.Original)
		if !ok {
			return smtpErr(550, smtp.EnhancedCode{5, 1, 0}, "The report does not name a message sent from here")
		}
		refs = []Ref{ref}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, ref := range refs {
		err := s.l.handler.HandleReport(ctx, ref, rep)
		switch {
		case err == nil:
		case errors.Is(err, ErrUnknownMessage):
			return smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "Unknown message")
		default:
			// Temporary: the sending MTA retries later, nothing is lost.
			s.l.log.Error("bounce report not applied", "workspace", ref.WorkspaceID, "message", ref.MessageID, "err", err)
			return smtpErr(451, smtp.EnhancedCode{4, 3, 0}, fmt.Sprintf("Try again later (%s)", ref.MessageID))
		}
	}
	return nil
}
