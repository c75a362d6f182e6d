package messaging_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type engagementEnv struct {
	t     *testing.T
	st    *store.Store
	proc  *cdp.Processor
	links messaging.Links
	eng   *messaging.Engagement
	svc   *messaging.Service
	ws    string
	ct    string
	now   time.Time
}

const testBase = "https://cw.example"

func newEngagementEnv(t *testing.T) *engagementEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	e := &engagementEnv{t: t, st: st, proc: cdp.NewProcessor(st, quiet, nil), ws: "ws_eng",
		now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	if err := st.CreateWorkspace(ctx, store.Workspace{ID: e.ws, Name: "Bean Shop", SiteKey: "pk_eng", Timezone: "UTC",
		Currency: "EUR", Locale: "en", CreatedAt: e.now, UpdatedAt: e.now}); err != nil {
		t.Fatal(err)
	}
	e.links = messaging.NewLinks(testBase, box)
	e.svc = messaging.New(st, box, quiet, func() time.Time { return e.now })
	ingest := cdp.NewIngest(st, quiet, func() time.Time { return e.now })
	e.eng = messaging.NewEngagement(st, e.links, ingest, e.svc.Settings, quiet, func() time.Time { return e.now })
	e.ct = e.contact("ann@example.com")
	return e
}

// contact creates a known contact through an identify event.
func (e *engagementEnv) contact(addr string) string {
	e.t.Helper()
	ctx := context.Background()
	if err := e.st.AppendEvents(ctx, []store.Event{{WorkspaceID: e.ws, Type: "identify", Source: "tracker",
		VisitorID: "v" + strings.ReplaceAll(addr, "@", "-"), OccurredAt: e.now, ReceivedAt: e.now,
		Props: json.RawMessage(`{"email":"` + addr + `"}`), Context: json.RawMessage(`{}`)}}); err != nil {
		e.t.Fatal(err)
	}
	e.catchUp()
	c, err := e.st.ContactByEmail(ctx, e.ws, addr)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

func (e *engagementEnv) catchUp() {
	e.t.Helper()
	if err := e.proc.CatchUp(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *engagementEnv) message(id, channel, status string) store.Message {
	e.t.Helper()
	m, _, err := e.st.CreateMessage(context.Background(), store.Message{ID: id, WorkspaceID: e.ws, ContactID: e.ct,
		Channel: channel, StepKey: "step-" + id, FlowID: "flow_1", Status: status, Recipient: "ann@example.com",
		Subject: "Hello " + id, CreatedAt: e.now, SentAt: e.now})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *engagementEnv) get(id string) store.Message {
	e.t.Helper()
	m, err := e.st.Message(context.Background(), e.ws, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// events returns the contact's events of a type, newest first.
func (e *engagementEnv) events(typ string) []store.Event {
	e.t.Helper()
	evs, err := e.st.ContactEvents(context.Background(), e.ws, e.ct, 0, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Event
	for _, ev := range evs {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func (e *engagementEnv) emailConsent() (store.Consent, bool) {
	e.t.Helper()
	e.catchUp()
	cs, err := e.st.Consents(context.Background(), e.ws, e.ct)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Channel == "email" {
			return c, true
		}
	}
	return store.Consent{}, false
}

// split turns a link into the path and query a handler sees.
func split(t *testing.T, link string) (string, url.Values) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, u.Query()
}

func TestEngagementEmailClick(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	e.message("msg_click", store.ChannelEmail, store.MessageSent)
	target := "https://shop.example/cart?x=1"
	path, q := split(t, e.links.EmailTracker().ClickURL("msg_click", 2, target))
	got, err := e.eng.EmailClick(ctx, path, q)
	if err != nil || got != target {
		t.Fatalf("click: %q %v", got, err)
	}
	if m := e.get("msg_click"); m.Clicks != 1 || !m.LastClickAt.Equal(e.now) {
		t.Errorf("click not counted: %+v", m)
	}
	evs := e.events(messaging.EventEmailClicked)
	if len(evs) != 1 || evs[0].Source != "email" {
		t.Fatalf("email_clicked events %+v", evs)
	}
	var p map[string]any
	_ = json.Unmarshal(evs[0].Props, &p)
	if p["message_id"] != "msg_click" || p["flow_id"] != "flow_1" || p["url"] != target || p["link_index"] != float64(2) {
		t.Errorf("props %v", p)
	}

	// An altered target, a missing signature, a push link, a bad path: no
	// redirect, ErrBadLink.
	bad := []url.Values{{"u": {"https://evil.example/"}, "s": q["s"]}, {"u": {target}}}
	for _, bq := range bad {
		if u, err := e.eng.EmailClick(ctx, path, bq); !errors.Is(err, messaging.ErrBadLink) || u != "" {
			t.Errorf("bad click %v: %q %v", bq, u, err)
		}
	}
	pp, pq := split(t, e.links.PushTracker().ClickURL("msg_click", 2, target))
	if _, err := e.eng.EmailClick(ctx, strings.Replace(pp, "/p/", "/e/", 1), pq); !errors.Is(err, messaging.ErrBadLink) {
		t.Errorf("push signature accepted for an email click: %v", err)
	}
	if m := e.get("msg_click"); m.Clicks != 1 {
		t.Errorf("bad clicks counted: %d", m.Clicks)
	}
	// A genuine link to an erased message still takes the person to the shop.
	path, q = split(t, e.links.EmailTracker().ClickURL("msg_gone", 0, target))
	if got, err := e.eng.EmailClick(ctx, path, q); err != nil || got != target {
		t.Errorf("click on an erased message: %q %v", got, err)
	}
}

func TestEngagementEmailOpen(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	e.message("msg_open", store.ChannelEmail, store.MessageSent)
	path, q := split(t, e.links.EmailTracker().OpenURL("msg_open"))
	// Apple Mail Privacy Protection: counted apart, no event.
	if err := e.eng.EmailOpen(ctx, path, q, "Mozilla/5.0", "17.1.2.3"); err != nil {
		t.Fatal(err)
	}
	human := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	if err := e.eng.EmailOpen(ctx, path, q, human, "203.0.113.9"); err != nil {
		t.Fatal(err)
	}
	m := e.get("msg_open")
	if m.MachineOpens != 1 || m.Opens != 1 || m.FirstOpenAt.IsZero() {
		t.Errorf("opens %d machine %d first %v", m.Opens, m.MachineOpens, m.FirstOpenAt)
	}
	evs := e.events(messaging.EventEmailOpened)
	if len(evs) != 1 || !strings.Contains(string(evs[0].Props), `"machine":false`) {
		t.Errorf("email_opened events %+v", evs)
	}
	q.Set("s", "forged")
	if err := e.eng.EmailOpen(ctx, path, q, human, "203.0.113.9"); !errors.Is(err, messaging.ErrBadLink) {
		t.Errorf("forged open: %v", err)
	}
	if m := e.get("msg_open"); m.Opens != 1 {
		t.Errorf("forged open counted")
	}
}

func TestEngagementPushClick(t *testing.T) {
	e := newEngagementEnv(t)
	e.message("msg_push", store.ChannelPush, store.MessageSent)
	target := "https://shop.example/p/beans"
	path, q := split(t, e.links.PushTracker().ClickURL("msg_push", 0, target))
	got, err := e.eng.PushClick(context.Background(), path, q)
	if err != nil || got != target {
		t.Fatalf("push click: %q %v", got, err)
	}
	if e.get("msg_push").Clicks != 1 {
		t.Error("push click not counted")
	}
	evs := e.events(messaging.EventPushClicked)
	if len(evs) != 1 || evs[0].Source != "push" || !strings.Contains(string(evs[0].Props), `"flow_id":"flow_1"`) {
		t.Errorf("push_clicked events %+v", evs)
	}
	ep, eq := split(t, e.links.EmailTracker().ClickURL("msg_push", 0, target))
	if _, err := e.eng.PushClick(context.Background(), strings.Replace(ep, "/e/", "/p/", 1), eq); !errors.Is(err, messaging.ErrBadLink) {
		t.Errorf("email signature accepted for a push click: %v", err)
	}
}

func contactToken(t *testing.T, link string) string {
	t.Helper()
	i := strings.LastIndex(link, "/")
	return link[i+1:]
}

func TestEngagementUnsubscribePreferencesConfirm(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	tok := contactToken(t, e.links.Email(e.ws, e.ct, "msg_1").Unsubscribe)

	r, err := e.eng.Unsubscribe(ctx, tok, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Email != "ann@example.com" || r.ContactID != e.ct || r.WorkspaceID != e.ws || r.Shop != "Bean Shop" {
		t.Errorf("result %+v", r)
	}
	c, ok := e.emailConsent()
	if !ok || c.Granted || c.Source != "email_link" || !strings.Contains(c.Text, "one-click") {
		t.Fatalf("consent after one-click %+v %v", c, ok)
	}
	// Idempotent: a second unsubscribe succeeds and logs nothing.
	if _, err := e.eng.Unsubscribe(ctx, tok, false); err != nil {
		t.Fatal(err)
	}
	if n := len(e.events("consent")); n != 1 {
		t.Errorf("%d consent events after two unsubscribes", n)
	}

	v, err := e.eng.Preferences(ctx, tok)
	if err != nil || v.EmailOn || v.Email != "ann@example.com" || v.UpdatedAt.IsZero() {
		t.Fatalf("preferences %+v %v", v, err)
	}
	if err := e.eng.SavePreferences(ctx, tok, true); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.emailConsent(); !c.Granted || !strings.Contains(c.Text, "re-subscribed") {
		t.Errorf("consent after re-subscribe %+v", c)
	}
	if v, _ := e.eng.Preferences(ctx, tok); !v.EmailOn {
		t.Errorf("preference page does not show the re-subscription")
	}
	if err := e.eng.SavePreferences(ctx, tok, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.emailConsent(); c.Granted {
		t.Errorf("consent after unsubscribing on the page %+v", c)
	}

	// Double opt-in: the confirmation link grants the consent.
	ctok := contactToken(t, e.links.Confirm(e.ws, e.ct, ""))
	if err := e.eng.Confirm(ctx, ctok); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.emailConsent(); !c.Granted || c.Source != "double_opt_in" {
		t.Errorf("consent after confirmation %+v", c)
	}
	if err := e.eng.Confirm(ctx, ctok); err != nil {
		t.Fatal(err)
	}
	evs := e.events("consent")
	if !strings.Contains(string(evs[0].Props), `"confirmed":true`) || len(evs) != 4 {
		t.Errorf("consent events %d, newest %s", len(evs), evs[0].Props)
	}

	// Tokens are purpose-bound and tamper-evident.
	for _, bad := range []string{"", "x.y", tok[:len(tok)-2] + "AA"} {
		if _, err := e.eng.Unsubscribe(ctx, bad, true); !errors.Is(err, messaging.ErrBadLink) {
			t.Errorf("unsubscribe %q: %v", bad, err)
		}
	}
	if err := e.eng.Confirm(ctx, tok); !errors.Is(err, messaging.ErrBadLink) {
		t.Errorf("an unsubscribe token confirmed: %v", err)
	}
	if _, err := e.eng.Preferences(ctx, ctok); !errors.Is(err, messaging.ErrBadLink) {
		t.Errorf("a confirmation token opened the preference page: %v", err)
	}
}

func TestEngagementAttribution(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	clickAt := func(id string, at time.Time) {
		e.message(id, store.ChannelEmail, store.MessageSent)
		if err := e.st.RecordMessageClick(ctx, id, at); err != nil {
			t.Fatal(err)
		}
	}
	clickAt("msg_old", e.now.Add(-10*24*time.Hour)) // outside the 5-day window
	clickAt("msg_a", e.now.Add(-3*24*time.Hour))
	clickAt("msg_b", e.now.Add(-time.Hour)) // last click wins
	order := store.Event{WorkspaceID: e.ws, Type: "order_placed", ContactID: e.ct, OccurredAt: e.now,
		Props: json.RawMessage(`{"order_id":"o1","total_minor":4200,"currency":"EUR"}`)}
	if err := e.eng.Attribute(ctx, order, e.ct); err != nil {
		t.Fatal(err)
	}
	if m := e.get("msg_b"); m.OrderID != "o1" || m.RevenueMinor != 4200 || m.Currency != "EUR" {
		t.Errorf("last-clicked message %+v", m)
	}
	// Seen again (a replay): not credited a second time to another message.
	if err := e.eng.Attribute(ctx, order, e.ct); err != nil {
		t.Fatal(err)
	}
	if m := e.get("msg_a"); m.OrderID != "" {
		t.Errorf("order credited twice, to %s too", m.ID)
	}
	// A second order goes to the last click still free; then none is left
	// in the window.
	order2 := order
	order2.Props = json.RawMessage(`{"order_id":"o2","total_minor":100,"currency":"EUR"}`)
	_ = e.eng.Attribute(ctx, order2, e.ct)
	if e.get("msg_a").OrderID != "o2" {
		t.Error("second order not attributed to msg_a")
	}
	order3 := order
	order3.Props = json.RawMessage(`{"order_id":"o3","total_minor":100,"currency":"EUR"}`)
	_ = e.eng.Attribute(ctx, order3, e.ct)
	if e.get("msg_old").OrderID != "" {
		t.Error("a click outside the attribution window got an order")
	}
	// A shorter window in the settings is honoured.
	clickAt("msg_c", e.now.Add(-2*time.Hour))
	if _, err := e.svc.UpdateSettings(ctx, e.ws, json.RawMessage(`{"attribution_window":"1h"}`)); err != nil {
		t.Fatal(err)
	}
	order4 := order
	order4.Props = json.RawMessage(`{"order_id":"o4","total_minor":100,"currency":"EUR"}`)
	_ = e.eng.Attribute(ctx, order4, e.ct)
	if e.get("msg_c").OrderID != "" {
		t.Error("attribution window setting ignored")
	}
	// Other events are ignored.
	if err := e.eng.Attribute(ctx, store.Event{WorkspaceID: e.ws, Type: "page_view"}, e.ct); err != nil {
		t.Error(err)
	}
}

func TestEngagementInbox(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	e.message("msg_in1", store.ChannelInbox, store.MessageSent)
	e.now = e.now.Add(time.Minute)
	e.message("msg_in2", store.ChannelInbox, store.MessageSent)
	e.message("msg_in3", store.ChannelInbox, store.MessageFailed)
	e.message("msg_mail", store.ChannelEmail, store.MessageSent)
	ms, err := e.eng.Inbox(ctx, e.ws, e.ct)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != "msg_in2" || ms[1].ID != "msg_in1" {
		t.Fatalf("inbox %+v", ms)
	}
	if err := e.eng.MarkRead(ctx, e.ws, e.ct, "msg_in1"); err != nil {
		t.Fatal(err)
	}
	if e.get("msg_in1").ReadAt.IsZero() {
		t.Error("not marked read")
	}
	other := e.contact("bob@example.com")
	if err := e.eng.MarkRead(ctx, e.ws, other, "msg_in2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another contact marked the message read: %v", err)
	}
	if err := e.eng.MarkRead(ctx, e.ws, e.ct, "msg_mail"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an email marked read as inbox: %v", err)
	}
}
