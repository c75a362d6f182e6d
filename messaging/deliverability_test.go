package messaging_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

// mapResolver answers DNS from a map: the lookups only, every check on the
// answers is the real one.
type mapResolver map[string][]string

func (m mapResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := m[name]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (m mapResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, v := range m["ip:"+host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(v)})
	}
	return out, nil
}

type deliverEnv struct {
	*engagementEnv
	verp   *bounce.VERP
	dsvc   *messaging.Service
	listen string
	dns    mapResolver
}

func newDeliverEnv(t *testing.T) *deliverEnv {
	e := newEngagementEnv(t)
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	d := &deliverEnv{engagementEnv: e, verp: bounce.NewVERP(box.SigningKey("email-verp"), "bounce.shop.example"), dns: mapResolver{}}
	ingest := cdp.NewIngest(e.st, quiet, func() time.Time { return e.now })
	d.dsvc = messaging.New(e.st, box, quiet, func() time.Time { return e.now }, messaging.WithBounces(d.verp),
		messaging.WithRecorder(ingest), messaging.WithResolver(d.dns), messaging.WithRelayHost("smtp.relay.example"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := bounce.NewListener(d.verp, d.dsvc, slog.New(slog.DiscardHandler))
	go func() { _ = l.Serve(ln) }()
	t.Cleanup(func() { _ = l.Close() })
	d.listen = ln.Addr().String()
	return d
}

// report fills a testdata sample with the message's VERP address and
// recipient, as an MTA would write them.
func (d *deliverEnv) report(t *testing.T, file, msgID, rcpt string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("bounce", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := d.verp.Address(bounce.Ref{WorkspaceID: d.ws, MessageID: msgID})
	if !ok {
		t.Fatal("no VERP address")
	}
	s := strings.ReplaceAll(string(b), "bounces+ws_test.msg_test.sig@bounce.shop.example", addr)
	for _, old := range []string{"gone@example.net", "nobody.here@gmail.com", "full@contoso.example", "Angry@Example.NET"} {
		s = strings.ReplaceAll(s, old, rcpt)
	}
	return addr, []byte(s)
}

func (d *deliverEnv) deliver(to string, data []byte) error {
	return smtp.SendMail(d.listen, nil, "", []string{to}, data)
}

func (d *deliverEnv) suppressed(addr string) (store.Suppression, bool) {
	d.t.Helper()
	sp, ok, err := d.dsvc.Suppressed(context.Background(), d.ws, addr)
	if err != nil {
		d.t.Fatal(err)
	}
	return sp, ok
}

// A DSN delivered over SMTP to the listener suppresses the address, marks
// the message bounced and logs email_bounced; the next email to the
// address is refused by the guarded sender and never reaches the relay.
func TestHardBounceOverSMTPSuppresses(t *testing.T) {
	d := newDeliverEnv(t)
	d.message("msg_hard1", store.ChannelEmail, store.MessageSent)
	to, data := d.report(t, "postfix_hard.eml", "msg_hard1", "ann@example.com")
	if err := d.deliver(to, data); err != nil {
		t.Fatal(err)
	}
	sp, ok := d.suppressed("Ann@Example.com")
	if !ok || sp.Reason != store.SuppressHardBounce || sp.Source != messaging.SourceDSN || sp.MessageID != "msg_hard1" {
		t.Fatalf("suppression %+v %v", sp, ok)
	}
	if m := d.get("msg_hard1"); m.Status != store.MessageBounced || !strings.Contains(m.Error, "5.1.1") {
		t.Fatalf("message %s %q", m.Status, m.Error)
	}
	if evs := d.events(messaging.EventEmailBounced); len(evs) != 1 || !strings.Contains(string(evs[0].Props), `"bounce":"hard"`) {
		t.Fatalf("events %v", evs)
	}

	relay := smtptest.NewServer(t)
	host, port := relay.Addr()
	user, pass := relay.Credentials()
	smtpSender, err := email.NewSMTP(email.SMTPConfig{Host: host, Port: port, Username: user, Password: pass, TLS: "none",
		Timeout: 5 * time.Second}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSender.Close()
	guard := d.dsvc.GuardSender(smtpSender)
	next := d.message("msg_next", store.ChannelEmail, store.MessageQueued)
	err = guard.Send(context.Background(), email.Mail{From: "hello@shop.example", To: next.Recipient, Subject: "Hi", Text: "x", MessageID: next.ID})
	if !errors.Is(err, messaging.ErrSuppressed) || !errors.Is(err, email.ErrPermanent) {
		t.Fatalf("send to a suppressed address: %v", err)
	}
	// Another address goes out, with its own VERP envelope sender.
	other := d.contact("bob@example.com")
	m2, _, _ := d.st.CreateMessage(context.Background(), store.Message{ID: "msg_bob", WorkspaceID: d.ws, ContactID: other,
		Channel: store.ChannelEmail, StepKey: "s-bob", Status: store.MessageQueued, Recipient: "bob@example.com", CreatedAt: d.now})
	if err := guard.Send(context.Background(), email.Mail{From: "hello@shop.example", To: m2.Recipient, Subject: "Hi", Text: "x", MessageID: m2.ID}); err != nil {
		t.Fatal(err)
	}
	got := relay.WaitFor(1, 5*time.Second)
	if len(got) != 1 || got[0].To[0] != "bob@example.com" || !strings.HasPrefix(got[0].From, "bounces+"+d.ws+".msg_bob.") {
		t.Fatalf("relay got %+v", got)
	}
	if _, err := d.verp.Parse(got[0].From); err != nil {
		t.Fatalf("envelope sender %q does not parse: %v", got[0].From, err)
	}
}

// An ARF complaint to the plain bounces@ address (a feedback loop), naming
// the message by the Return-Path of the returned original, suppresses the
// address and revokes the email consent with its source.
func TestComplaintRevokesConsent(t *testing.T) {
	d := newDeliverEnv(t)
	d.message("msg_arf1", store.ChannelEmail, store.MessageSent)
	_, data := d.report(t, "arf_abuse.eml", "msg_arf1", "ann@example.com")
	for range 2 { // an MTA retrying delivers it twice: applied once
		if err := d.deliver("bounces@bounce.shop.example", data); err != nil {
			t.Fatal(err)
		}
	}
	if sp, ok := d.suppressed("ann@example.com"); !ok || sp.Reason != store.SuppressComplaint {
		t.Fatalf("suppression %+v %v", sp, ok)
	}
	if evs := d.events(messaging.EventEmailComplained); len(evs) != 1 {
		t.Fatalf("email_complained events: %v", evs)
	}
	c, ok := d.emailConsent()
	if !ok || c.Granted || c.Source != messaging.SourceComplaint {
		t.Fatalf("consent %+v %v", c, ok)
	}
	if m := d.get("msg_arf1"); m.Status != store.MessageSent {
		t.Fatalf("a complained message stays sent, got %s", m.Status)
	}
}

// Soft bounces suppress at the limit (3 within 30 days by default), and a
// report delivered twice counts once.
func TestSoftBounceThreshold(t *testing.T) {
	d := newDeliverEnv(t)
	for i := 1; i <= 3; i++ {
		id := "msg_soft" + strconv.Itoa(i)
		d.message(id, store.ChannelEmail, store.MessageSent)
		to, data := d.report(t, "exchange_soft.eml", id, "ann@example.com")
		for range 2 { // delivered twice
			if err := d.deliver(to, data); err != nil {
				t.Fatal(err)
			}
		}
		_, ok := d.suppressed("ann@example.com")
		if ok != (i == 3) {
			t.Fatalf("after %d soft bounces suppressed=%v", i, ok)
		}
		d.now = d.now.Add(24 * time.Hour)
	}
	if sp, _ := d.suppressed("ann@example.com"); sp.Reason != store.SuppressSoftBounce {
		t.Fatalf("reason %s", sp.Reason)
	}
	// Bounces older than the window do not count.
	d.now = d.now.Add(60 * 24 * time.Hour)
	b := d.contact("bea@example.com")
	for i := 1; i <= 2; i++ {
		id := "msg_bea" + strconv.Itoa(i)
		if _, _, err := d.st.CreateMessage(context.Background(), store.Message{ID: id, WorkspaceID: d.ws, ContactID: b,
			Channel: store.ChannelEmail, StepKey: id, Status: store.MessageSent, Recipient: "bea@example.com", CreatedAt: d.now}); err != nil {
			t.Fatal(err)
		}
		to, data := d.report(t, "exchange_soft.eml", id, "bea@example.com")
		if err := d.deliver(to, data); err != nil {
			t.Fatal(err)
		}
		d.now = d.now.Add(31 * 24 * time.Hour)
	}
	if _, ok := d.suppressed("bea@example.com"); ok {
		t.Fatal("two soft bounces a month apart suppressed the address")
	}
}

// Bad input gets an SMTP error, and the session goes on: a good report
// after it in the same connection is applied.
func TestListenerRefusesBadInput(t *testing.T) {
	d := newDeliverEnv(t)
	d.message("msg_ok", store.ChannelEmail, store.MessageSent)
	c, err := smtp.Dial(d.listen)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail(""); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("bounces+ws_eng.msg_ok.aaaaaaaaaaaaa@bounce.shop.example"); err == nil || !strings.HasPrefix(err.Error(), "550") {
		t.Fatalf("forged address: %v", err)
	}
	if err := c.Rcpt("someone@elsewhere.example"); err == nil {
		t.Fatal("a foreign address was accepted")
	}
	to, good := d.report(t, "postfix_hard.eml", "msg_ok", "ann@example.com")
	if err := c.Rcpt(to); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	notReport, _ := os.ReadFile(filepath.Join("bounce", "testdata", "not_report.eml"))
	_, _ = w.Write(notReport)
	if err := w.Close(); err == nil || !strings.HasPrefix(err.Error(), "554") {
		t.Fatalf("plain mail: %v", err)
	}
	if _, ok := d.suppressed("ann@example.com"); ok {
		t.Fatal("plain mail suppressed")
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(""); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(to); err != nil {
		t.Fatal(err)
	}
	w, _ = c.Data()
	_, _ = w.Write(good)
	if err := w.Close(); err != nil {
		t.Fatalf("good report after a bad one: %v", err)
	}
	if _, ok := d.suppressed("ann@example.com"); !ok {
		t.Fatal("the good report was lost")
	}
	// A report for a message of another workspace's id is refused.
	addr, _ := d.verp.Address(bounce.Ref{WorkspaceID: "ws_other", MessageID: "msg_ok"})
	if err := d.deliver(addr, good); err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("cross-workspace report: %v", err)
	}
}

func TestSuppressionImportExportRoundTrip(t *testing.T) {
	d := newDeliverEnv(t)
	ctx := context.Background()
	in := "Email,Reason,Detail\r\nAnn@Example.com,complaint,fbl\r\nbob@example.com,,\r\nnot-an-address,manual,\r\n\"Cy <cy@example.com>\",hard_bounce,\"=HYPERLINK(1)\"\r\n"
	res, err := d.dsvc.ImportSuppressions(ctx, d.ws, messaging.SourceImport, strings.NewReader(in))
	if err != nil || res.Imported != 3 || res.Skipped != 1 {
		t.Fatalf("import %+v %v", res, err)
	}
	var out bytes.Buffer
	if err := d.dsvc.ExportSuppressions(ctx, d.ws, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "'=HYPERLINK(1)") {
		t.Errorf("a formula was exported as is:\n%s", out.String())
	}
	// Into a second workspace and out again: the same addresses and reasons.
	if err := d.st.CreateWorkspace(ctx, store.Workspace{ID: "ws_two", Name: "Two", SiteKey: "pk_two", Timezone: "UTC",
		Currency: "EUR", Locale: "en", CreatedAt: d.now, UpdatedAt: d.now}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.dsvc.ImportSuppressions(ctx, "ws_two", messaging.SourceImport, bytes.NewReader(out.Bytes())); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := d.dsvc.ExportSuppressions(ctx, "ws_two", &again); err != nil {
		t.Fatal(err)
	}
	pick := func(s string) string {
		var rows []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n")[1:] {
			f := strings.Split(l, ",")
			rows = append(rows, f[0]+","+f[1])
		}
		return fmt.Sprint(rows)
	}
	want := "[ann@example.com,complaint bob@example.com,manual cy@example.com,hard_bounce]"
	if pick(out.String()) != pick(again.String()) || !strings.Contains(pick(again.String()), "ann@example.com,complaint") {
		t.Fatalf("round trip:\n%s\n%s\nwant rows %s", out.String(), again.String(), want)
	}
	if _, err := d.dsvc.ImportSuppressions(ctx, d.ws, messaging.SourceImport, strings.NewReader("a@b.c,\"unterminated\n")); err == nil {
		t.Fatal("a broken CSV was imported")
	}
}

func TestCheckDomain(t *testing.T) {
	d := newDeliverEnv(t)
	ctx := context.Background()
	if _, err := d.dsvc.UpdateSettings(ctx, d.ws, []byte(`{"from_email":"hello@shop.example"}`)); err != nil {
		t.Fatal(err)
	}
	rep, err := d.dsvc.CheckDomain(ctx, d.ws)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{messaging.WarnDKIMMissing, messaging.WarnNoSPF, messaging.WarnNoDMARC}
	if fmt.Sprint(rep.Warnings) != fmt.Sprint(want) || rep.DKIM == nil || rep.DKIM.Name != "cw1._domainkey.shop.example" ||
		!strings.HasPrefix(rep.DKIM.Value, "v=DKIM1; k=rsa; p=") {
		t.Fatalf("report %+v", rep)
	}
	// Published as shown, SPF without the relay, DMARC p=reject: DKIM
	// aligns, so only the SPF warning stays.
	d.dns[rep.DKIM.Name] = []string{rep.DKIM.Value[:100], rep.DKIM.Value[100:]}
	d.dns["shop.example"] = []string{"v=spf1 include:_spf.google.com -all"}
	d.dns["_dmarc.shop.example"] = []string{"v=DMARC1; p=reject; aspf=s"}
	rep, _ = d.dsvc.CheckDomain(ctx, d.ws)
	if fmt.Sprint(rep.Warnings) != fmt.Sprint([]string{messaging.WarnSPFRelay}) || !rep.DKIMOK {
		t.Fatalf("report %+v", rep)
	}
	// Another key published, and SPF covering the relay's address: DMARC
	// with strict SPF alignment against the bounce domain fails.
	d.dns[rep.DKIM.Name] = []string{"v=DKIM1; k=rsa; p=MIIBIjANBg"}
	d.dns["ip:smtp.relay.example"] = []string{"192.0.2.25"}
	d.dns["shop.example"] = []string{"v=spf1 ip4:192.0.2.0/24 -all"}
	rep, _ = d.dsvc.CheckDomain(ctx, d.ws)
	if fmt.Sprint(rep.Warnings) != fmt.Sprint([]string{messaging.WarnDKIMDifferent, messaging.WarnDMARCMisaligned}) {
		t.Fatalf("report %+v", rep)
	}
}
