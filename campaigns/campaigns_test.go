package campaigns_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

const ws = "ws_1"

var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	clock *testclock.Clock
	smtp  *smtptest.Server
	svc   *campaigns.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cw.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, st: st, clock: testclock.New(t0)}
	msg := messaging.New(st, box, log, f.clock.Now)
	if err := st.CreateWorkspace(ctx, store.Workspace{ID: ws, Name: "Sklep Ani", SiteKey: "sk_test", Timezone: "Europe/Warsaw",
		Currency: "PLN", Locale: "pl", AllowedOrigins: []string{}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := msg.UpdateSettings(ctx, ws, json.RawMessage(`{"from_email":"hello@shop.example","from_name":"Sklep",
		"address":"ul. Prosta 1, Warszawa","quiet_hours":{"start":0,"end":0}}`)); err != nil {
		t.Fatal(err)
	}
	f.smtp = smtptest.NewServer(t)
	host, port := f.smtp.Addr()
	user, pass := f.smtp.Credentials()
	mail, err := email.NewSMTP(email.SMTPConfig{Host: host, Port: port, Username: user, Password: pass, TLS: "none",
		Timeout: 5 * time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mail.Close() })
	f.svc = campaigns.New(campaigns.Options{Store: st, Settings: msg.Settings, Links: messaging.NewLinks("https://cw.example", box),
		Mail: mail, Now: f.clock.Now, Log: log, Workers: 4, Segments: campaigns.SegmentMembers{Store: st}})
	return f
}

// contact adds a contact; consent grants email consent; attrs is JSON.
func (f *fixture) contact(id, addr, first string, consent bool, attrs string) {
	f.t.Helper()
	if attrs == "" {
		attrs = "{}"
	}
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateContact(store.Contact{WorkspaceID: ws, ID: id, Email: addr, FirstName: first,
			Attributes: json.RawMessage(attrs), CreatedAt: t0}); err != nil {
			return err
		}
		return tx.SetConsent(ws, id, store.Consent{Channel: "email", Granted: consent, Source: "test", UpdatedAt: t0})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) create(in campaigns.Input) campaigns.Campaign {
	f.t.Helper()
	c, err := f.svc.Create(f.ctx, ws, in)
	if err != nil {
		f.t.Fatal(err)
	}
	if c, err = f.svc.Schedule(f.ctx, ws, c.ID); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) tick() {
	f.t.Helper()
	if err := f.svc.Tick(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(id string) campaigns.Campaign {
	f.t.Helper()
	c, err := f.svc.Get(f.ctx, ws, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func recipients(msgs []smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

func emailInput(subject string) campaigns.Input {
	return campaigns.Input{Name: "Black Friday", Channel: campaigns.ChannelEmail, Spec: campaigns.Spec{
		Email: &campaigns.EmailContent{Subject: subject, HTML: `<p>Cześć {{.Contact.FirstName}}!</p><p><a href="https://shop.example/sale">Sale</a></p>`}}}
}

// A campaign to everyone with consent reaches exactly them, personalised,
// with List-Unsubscribe, and its report counts them.
func TestCampaignReachesEveryoneWithConsentOnly(t *testing.T) {
	f := newFixture(t)
	f.contact("c1", "ann@example.com", "Ann", true, "")
	f.contact("c2", "bob@example.com", "Bob", true, "")
	f.contact("c3", "cy@example.com", "Cy", false, "")  // withdrew consent
	f.contact("c4", "", "Dee", true, "")                // no address
	f.contact("c5", "eve@example.com", "Ewa", true, "") // withdraws consent before it starts: below
	c := f.create(emailInput("{{.Contact.FirstName}}, the sale is on"))
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.SetConsent(ws, "c5", store.Consent{Channel: "email", Granted: false, Source: "test", UpdatedAt: t0})
	}); err != nil {
		t.Fatal(err)
	}
	f.tick()
	msgs := f.smtp.WaitFor(2, 5*time.Second)
	if got := recipients(msgs); !slices.Equal(got, []string{"ann@example.com", "bob@example.com"}) {
		t.Fatalf("recipients %v", got)
	}
	for _, m := range msgs {
		name := map[string]string{"ann@example.com": "Ann", "bob@example.com": "Bob"}[m.To[0]]
		if m.Subject() != name+", the sale is on" || !strings.Contains(m.HTML, "Cześć "+name) {
			t.Errorf("message to %s: subject %q", m.To[0], m.Subject())
		}
		if m.Header.Get("List-Unsubscribe") == "" || m.Header.Get("List-Unsubscribe-Post") == "" {
			t.Errorf("no List-Unsubscribe on the message to %s", m.To[0])
		}
	}
	if got := f.get(c.ID); got.Status != "done" {
		t.Fatalf("status %s", got.Status)
	}
	rep, err := f.svc.Report(f.ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 2 || rep.Delivered != 2 {
		t.Fatalf("report %+v", rep)
	}
	p, err := f.svc.Progress(f.ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sent != 2 || p.Skipped != 0 || p.Recipients != 2 || p.Percent != 100 {
		t.Fatalf("progress %+v", p)
	}
	f.tick()
	if n := f.smtp.Count(); n != 2 {
		t.Fatalf("%d emails after another tick", n)
	}
}

// The A/B sample is split between the variants; after the wait the
// variant with more clicking contacts goes to the rest.
func TestABWinnerByClicks(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		f.contact(fmt.Sprintf("c%02d", i), fmt.Sprintf("p%02d@example.com", i), "P", true, "")
	}
	in := emailInput("base")
	in.Variants = []campaigns.Variant{{Subject: "Subject A"}, {Subject: "Subject B"}}
	in.Test = &campaigns.ABTest{SamplePercent: 50, Wait: messaging.Duration(time.Hour), Metric: campaigns.MetricClicks}
	c := f.create(in)
	f.tick()
	sample := f.smtp.WaitFor(10, 5*time.Second)
	if len(sample) != 10 {
		t.Fatalf("sample of %d", len(sample))
	}
	bySubject := map[string][]string{}
	for _, m := range sample {
		bySubject[m.Subject()] = append(bySubject[m.Subject()], m.Header.Get("Message-Id"))
	}
	if len(bySubject["Subject A"]) != 5 || len(bySubject["Subject B"]) != 5 {
		t.Fatalf("sample split %v", bySubject)
	}
	if got := f.get(c.ID); got.Status != "testing" || got.Winner != -1 {
		t.Fatalf("after the sample: %s, winner %d", got.Status, got.Winner)
	}
	click := func(messageID string) {
		id := strings.Trim(messageID, "<>")
		id, _, _ = strings.Cut(id, "@")
		if err := f.st.RecordMessageClick(f.ctx, id, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	click(bySubject["Subject A"][0])
	click(bySubject["Subject A"][0]) // one contact clicking twice is one clicker
	click(bySubject["Subject B"][0])
	click(bySubject["Subject B"][1])
	f.clock.Add(59 * time.Minute)
	f.tick()
	if n := f.smtp.Count(); n != 10 {
		t.Fatalf("%d emails before the wait ended", n)
	}
	f.clock.Add(time.Minute)
	f.tick() // chooses the winner
	f.tick() // sends it
	all := f.smtp.WaitFor(20, 5*time.Second)
	if len(all) != 20 {
		t.Fatalf("%d emails in all", len(all))
	}
	for _, m := range all[10:] {
		if m.Subject() != "Subject B" {
			t.Fatalf("the rest got %q", m.Subject())
		}
	}
	if got := f.get(c.ID); got.Winner != 1 || got.Status != "done" {
		t.Fatalf("winner %d, status %s", got.Winner, got.Status)
	}
	if got := recipients(all); len(slices.Compact(got)) != 20 {
		t.Fatalf("someone got it twice: %v", got)
	}
}

// At a local time, each recipient gets the campaign at that time in their
// own time zone (else the workspace's).
func TestLocalTimeSendsAtEachRecipientsInstant(t *testing.T) {
	f := newFixture(t)
	f.contact("tokyo", "tokyo@example.com", "T", true, `{"timezone":"Asia/Tokyo"}`)
	f.contact("nyc", "nyc@example.com", "N", true, `{"timezone":"America/New_York"}`)
	f.contact("waw", "waw@example.com", "W", true, `{"timezone":"Not/AZone"}`) // the workspace's: Warsaw
	in := emailInput("Good morning")
	in.Schedule = campaigns.Schedule{Mode: campaigns.SendLocal, LocalTime: "2026-12-05T09:00"}
	c := f.create(in)
	if want := time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC); !c.SendAt.Equal(want) {
		t.Fatalf("starts at %v, want %v (09:00 at UTC+14)", c.SendAt, want)
	}
	steps := []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC), nil},
		{time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC), nil},
		{time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), []string{"tokyo@example.com"}},
		{time.Date(2026, 12, 5, 7, 59, 0, 0, time.UTC), []string{"tokyo@example.com"}},
		{time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), []string{"tokyo@example.com", "waw@example.com"}},
		{time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC), []string{"nyc@example.com", "tokyo@example.com", "waw@example.com"}},
	}
	for _, s := range steps {
		f.clock.Set(s.at)
		f.tick()
		time.Sleep(50 * time.Millisecond)
		if got := recipients(f.smtp.Messages()); !slices.Equal(got, s.want) {
			t.Fatalf("at %v: %v, want %v", s.at, got, s.want)
		}
	}
	if got := f.get(c.ID); got.Status != "done" {
		t.Fatalf("status %s", got.Status)
	}
}

func TestLocalInstant(t *testing.T) {
	wall := time.Date(2026, 3, 29, 2, 30, 0, 0, time.UTC) // skipped in Warsaw (DST starts at 02:00)
	waw, _ := time.LoadLocation("Europe/Warsaw")
	got := campaigns.LocalInstant(wall, waw)
	if want := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

// Pause stops sending; resume sends the rest, and nobody twice.
func TestPauseResumeCancel(t *testing.T) {
	f := newFixture(t)
	for i := range 6 {
		f.contact(fmt.Sprintf("c%d", i), fmt.Sprintf("p%d@example.com", i), "P", true, "")
	}
	c := f.create(emailInput("Hello"))
	if _, err := f.svc.Pause(f.ctx, ws, c.ID); err != nil {
		t.Fatal(err)
	}
	f.tick()
	if n := f.smtp.Count(); n != 0 {
		t.Fatalf("%d sent while paused", n)
	}
	if _, err := f.svc.Update(f.ctx, ws, c.ID, emailInput("Edited")); err == nil {
		t.Fatal("a paused campaign was edited")
	}
	if _, err := f.svc.Resume(f.ctx, ws, c.ID); err != nil {
		t.Fatal(err)
	}
	f.tick()
	if got := recipients(f.smtp.WaitFor(6, 5*time.Second)); len(slices.Compact(got)) != 6 || len(got) != 6 {
		t.Fatalf("after resume: %v", got)
	}
	if _, err := f.svc.Cancel(f.ctx, ws, c.ID); err == nil {
		t.Fatal("a finished campaign was cancelled")
	}
}

// Frequency caps skip a contact who had enough this window; quiet hours
// hold the rest until morning in their time zone.
func TestCapsAndQuietHoursApply(t *testing.T) {
	f := newFixture(t)
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	msg := messaging.New(f.st, box, slog.New(slog.DiscardHandler), f.clock.Now)
	if _, err := msg.UpdateSettings(f.ctx, ws, json.RawMessage(`{"quiet_hours":{"start":21,"end":8},
		"caps":{"email":{"count":1,"window":"1d"}}}`)); err != nil {
		t.Fatal(err)
	}
	f.contact("capped", "capped@example.com", "C", true, "")
	f.contact("fresh", "fresh@example.com", "F", true, "")
	if _, _, err := f.st.CreateMessage(f.ctx, store.Message{ID: "msg_flow", WorkspaceID: ws, ContactID: "capped",
		Channel: "email", StepKey: "flow:x", Status: store.MessageSent, CreatedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 12, 4, 21, 30, 0, 0, time.UTC)) // 22:30 in Warsaw
	c := f.create(emailInput("Evening"))
	f.tick()
	if n := f.smtp.Count(); n != 0 {
		t.Fatalf("%d sent in the quiet hours", n)
	}
	f.clock.Set(time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)) // 08:00 in Warsaw
	f.tick()
	if got := recipients(f.smtp.WaitFor(1, 5*time.Second)); !slices.Equal(got, []string{"fresh@example.com"}) {
		t.Fatalf("recipients %v", got)
	}
	p, err := f.svc.Progress(f.ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Skipped != 1 || p.Sent != 1 || p.Status != "done" {
		t.Fatalf("progress %+v", p)
	}
}

// Pausing a throttled campaign mid-send stops it within a message or two;
// resuming sends the rest, nobody twice.
func TestPauseMidSendAndResume(t *testing.T) {
	f := newFixture(t)
	for i := range 30 {
		f.contact(fmt.Sprintf("c%02d", i), fmt.Sprintf("p%02d@example.com", i), "P", true, "")
	}
	in := emailInput("Slow")
	in.ThrottlePerMinute = 1200 // 20 a second
	c := f.create(in)
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { _ = f.svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	f.smtp.WaitFor(5, 10*time.Second)
	if _, err := f.svc.Pause(f.ctx, ws, c.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	paused := f.smtp.Count()
	time.Sleep(700 * time.Millisecond)
	if n := f.smtp.Count(); n != paused || n >= 30 {
		t.Fatalf("%d sent a second after pausing at %d", n, paused)
	}
	if _, err := f.svc.Resume(f.ctx, ws, c.ID); err != nil {
		t.Fatal(err)
	}
	got := recipients(f.smtp.WaitFor(30, 10*time.Second))
	if len(got) != 30 || len(slices.Compact(got)) != 30 {
		t.Fatalf("after resume: %d emails, %d people", len(got), len(slices.Compact(got)))
	}
}
