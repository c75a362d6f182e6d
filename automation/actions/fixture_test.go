package actions_test

import (
	"context"
	"encoding/json"
	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

const (
	ws        = "ws_test"
	publicURL = "https://cw.example"
	recovery  = "https://shop.example/checkouts/abc/recover?key=k1"
)

// t0 is a Monday 10:00 UTC: outside the default quiet hours (21–8) in the
// workspace's timezone (UTC), and before the US switch to summer time.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fixture is a real SQLite store, the real messaging settings and links,
// a real SMTP server and sender, a real (fake-service) push sender and the
// real cdp ingest as the event recorder.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clock  *testclock.Clock
	msg    *messaging.Service
	links  messaging.Links
	ingest *cdp.Ingest
	smtp   *smtptest.Server
	push   *pushtest.Server
	opt    actions.Options
	ch     *actions.Channels
}

type fixtureOpt func(*actions.Options)

func newFixture(t *testing.T, mods ...fixtureOpt) *fixture {
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
	f.msg = messaging.New(st, box, log, f.clock.Now)
	f.links = messaging.NewLinks(publicURL, box)
	f.ingest = cdp.NewIngest(st, log, f.clock.Now)

	if err := st.CreateWorkspace(ctx, store.Workspace{ID: ws, Name: "Café Lumière", SiteKey: "sk_test", Timezone: "UTC",
		Currency: "EUR", Locale: "en", AllowedOrigins: []string{}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateShop(ctx, store.Shop{ID: "shop_1", WorkspaceID: ws, Platform: "custom", Domain: "shop.example",
		Name: "Café Lumière", Status: "active", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.msg.UpdateSettings(ctx, ws, json.RawMessage(
		`{"from_email":"hello@shop.example","from_name":"Café Lumière","address":"1 Rue de la Paix, Paris"}`)); err != nil {
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

	f.push = pushtest.NewServer(t)
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	sender := webpush.NewSender(keys, "mailto:ops@shop.example", webpush.WithLogger(log),
		webpush.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }),
		webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true})) // pushtest is on loopback

	f.opt = actions.Options{Store: st, Settings: f.msg.Settings, Links: f.links, Mail: mail, Push: sender,
		Events: f.ingest, Now: f.clock.Now, Log: log}
	for _, m := range mods {
		m(&f.opt)
	}
	f.ch = actions.New(f.opt)
	return f
}

// contact creates a contact with a visitor id, and email consent when
// consent is true.
func (f *fixture) contact(id, addr, visitor string, consent bool, attrs string) {
	f.t.Helper()
	if attrs == "" {
		attrs = "{}"
	}
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateContact(store.Contact{WorkspaceID: ws, ID: id, Email: addr, FirstName: "Ann", LastName: "Lee",
			Attributes: json.RawMessage(attrs), CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.AddIdentity(ws, cdp.KindVisitor, visitor, id, t0); err != nil {
			return err
		}
		if consent {
			return tx.SetConsent(ws, id, store.Consent{Channel: "email", Granted: true, Source: "test", UpdatedAt: t0})
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// checkout logs a checkout_updated event with two items and returns its
// log offset, as the trigger of an enrollment.
func (f *fixture) checkout(visitor string) int64 {
	f.t.Helper()
	err := f.ingest.RecordCheckout(f.ctx, commerce.Checkout{Token: "tok_" + visitor, WorkspaceID: ws, ShopID: "shop_1",
		VisitorID: visitor, Email: "ann@example.com", Currency: "EUR", TotalMinor: 7400, RecoveryURL: recovery,
		Items: []commerce.LineItem{
			{ProductID: "p1", Title: "Linen Apron", Quantity: 1, PriceMinor: 2900, URL: "https://shop.example/products/apron"},
			{ProductID: "p2", Title: "Copper Kettle", Quantity: 1, PriceMinor: 4500, URL: "https://shop.example/products/kettle"},
		}}, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	evs, err := f.st.EventsAfter(f.ctx, ws, 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == cdp.EventCheckoutUpdated {
			return evs[i].ID
		}
	}
	f.t.Fatal("no checkout event")
	return 0
}

func (f *fixture) events(typ string) []store.Event {
	f.t.Helper()
	evs, err := f.st.EventsAfter(f.ctx, ws, 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func enrollment(contact string, trigger int64) automation.Enrollment {
	return automation.Enrollment{ID: ids.New("enr"), WorkspaceID: ws, FlowID: "flow_cart", FlowVersion: 1,
		ContactID: contact, TriggerEventID: trigger, Status: "active", CreatedAt: t0}
}

func emailStep(id string) automation.Step {
	return automation.Step{ID: id, Kind: automation.KindSendEmail, Params: map[string]any{
		"subject": "{{.Contact.FirstName}}, your cart is waiting",
		"html": `<p>Hi {{.Contact.FirstName}},</p>{{template "cart_items" .Items}}` +
			`{{template "button" (button "Complete your order" .Links.Recovery)}}`,
	}}
}

func messageID(t *testing.T, res automation.Result) string {
	t.Helper()
	id, _ := res.Data["message_id"].(string)
	if id == "" {
		t.Fatalf("result has no message id: %+v", res)
	}
	return id
}
