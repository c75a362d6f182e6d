package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/store"
)

// WithBounces gives outgoing mail per-message VERP envelope senders of v's
// domain; the bounce listener checks them with the same v.
func WithBounces(v *bounce.VERP) Option { return func(s *Service) { s.verp = v } }

// WithRecorder is where bounces, complaints and the consent they revoke are
// logged (*cdp.Ingest).
func WithRecorder(r Recorder) Option { return func(s *Service) { s.rec = r } }

// WithResolver replaces the DNS resolver the SPF, DMARC and DKIM checks use.
func WithResolver(r Resolver) Option { return func(s *Service) { s.resolver = r } }

// WithRelayHost names the SMTP relay mail goes out through, for the SPF
// check.
func WithRelayHost(host string) Option { return func(s *Service) { s.relay = host } }

// Sources of suppressions and of the events bounces log.
const (
	SourceDSN       = "dsn"
	SourceARF       = "arf"
	SourceImport    = "import"
	SourceConsole   = "console"
	SourceAPI       = "api"
	SourceComplaint = "email_complaint"

	EventEmailBounced    = "email_bounced"
	EventEmailComplained = "email_complained"
)

// ErrSuppressed is returned by the guarded sender for an address on the
// workspace's suppression list. It wraps email.ErrPermanent: retrying
// will not help, and flows record the message as failed.
var ErrSuppressed = fmt.Errorf("%w: address suppressed", email.ErrPermanent)

// NormalizeEmail is the form addresses are kept and compared in.
func NormalizeEmail(addr string) (string, bool) {
	addr = strings.TrimSpace(addr)
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address == "" || !strings.Contains(a.Address, "@") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// Suppressed reports whether a workspace must not email addr, and why.
// Every sender of email calls it first: flows through GuardSender,
// campaigns directly.
func (s *Service) Suppressed(ctx context.Context, workspaceID, addr string) (store.Suppression, bool, error) {
	e, ok := NormalizeEmail(addr)
	if !ok {
		return store.Suppression{}, false, nil
	}
	sp, err := s.st.Suppression(ctx, workspaceID, e)
	if errors.Is(err, store.ErrNotFound) {
		return sp, false, nil
	}
	return sp, err == nil, err
}

// GuardSender wraps the SMTP sender every email goes through: it refuses
// suppressed addresses (ErrSuppressed), sets the message's VERP envelope
// sender, and DKIM-signs with the workspace's key for the From domain
// when there is one.
func (s *Service) GuardSender(next email.Sender) email.Sender { return guarded{s: s, next: next} }

type guarded struct {
	s    *Service
	next email.Sender
}

func (g guarded) Send(ctx context.Context, m email.Mail) error {
	if m.WorkspaceID == "" && m.MessageID != "" {
		msg, err := g.s.st.Message(ctx, "", m.MessageID)
		switch {
		case err == nil:
			m.WorkspaceID = msg.WorkspaceID
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("%w: %w", email.ErrTemporary, err)
		}
	}
	if m.WorkspaceID == "" {
		return g.next.Send(ctx, m)
	}
	sp, bad, err := g.s.Suppressed(ctx, m.WorkspaceID, m.To)
	if err != nil {
		return fmt.Errorf("%w: suppression check: %w", email.ErrTemporary, err)
	}
	if bad {
		return fmt.Errorf("%w (%s, %s)", ErrSuppressed, sp.Reason, sp.CreatedAt.UTC().Format(time.DateOnly))
	}
	if g.s.verp != nil && m.EnvelopeFrom == "" {
		if addr, ok := g.s.verp.Address(bounce.Ref{WorkspaceID: m.WorkspaceID, MessageID: m.MessageID}); ok {
			m.EnvelopeFrom = addr
		}
	}
	if m.DKIM == nil {
		k, err := g.s.dkimKey(ctx, m.WorkspaceID, domainOf(m.From), false)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: dkim key: %w", email.ErrTemporary, err)
		}
		m.DKIM = k
	}
	return g.next.Send(ctx, m)
}

func domainOf(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(strings.TrimSpace(d))
}

func dkimContext(workspaceID, domain string) string { return "dkim:" + workspaceID + ":" + domain }

// DKIMKey returns the workspace's DKIM key for a sending domain,
// generating and storing it (sealed) on first use.
func (s *Service) DKIMKey(ctx context.Context, workspaceID, domain string) (*email.DKIMKey, error) {
	return s.dkimKey(ctx, workspaceID, strings.ToLower(strings.TrimSpace(domain)), true)
}

// dkimKey reads (or with create, makes) a key; without create a domain
// that has none is store.ErrNotFound. Keys found are cached: they never
// change, and each send would otherwise cost a read and a decryption.
func (s *Service) dkimKey(ctx context.Context, workspaceID, domain string, create bool) (*email.DKIMKey, error) {
	if domain == "" {
		return nil, store.ErrNotFound
	}
	ck := workspaceID + "\x00" + domain
	s.dkimMu.Lock()
	k := s.dkim[ck]
	s.dkimMu.Unlock()
	if k != nil {
		return k, nil
	}
	row, err := s.st.DKIMKey(ctx, workspaceID, domain)
	if errors.Is(err, store.ErrNotFound) && create {
		pemKey, gerr := email.GenerateDKIMKey()
		if gerr != nil {
			return nil, gerr
		}
		if err := s.st.InsertDKIMKey(ctx, store.DKIMKeyRow{WorkspaceID: workspaceID, Domain: domain, Selector: email.DKIMSelector,
			PrivateKey: s.box.Seal(pemKey, dkimContext(workspaceID, domain)), CreatedAt: s.now()}); err != nil {
			return nil, err
		}
		s.log.Info("DKIM key generated", "workspace", workspaceID, "domain", domain)
		row, err = s.st.DKIMKey(ctx, workspaceID, domain)
	}
	if err != nil {
		return nil, err
	}
	pemKey, err := s.box.Open(row.PrivateKey, dkimContext(workspaceID, domain))
	if err != nil {
		return nil, fmt.Errorf("open DKIM key of %s: %w", domain, err)
	}
	k, err = email.ParseDKIMKey(domain, row.Selector, pemKey)
	if err != nil {
		return nil, err
	}
	s.dkimMu.Lock()
	s.dkim[ck] = k
	s.dkimMu.Unlock()
	return k, nil
}
