package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type httpAnswer struct {
	code int
	body string
	hdr  http.Header
}

func send(t *testing.T, client *http.Client, method, u, ctype, body string, hdr map[string]string) httpAnswer {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpAnswer{resp.StatusCode, string(b), resp.Header}
}

// engagementSetup starts an instance with a workspace, a known contact and
// the instance's link builder.
func engagementSetup(t *testing.T) (*instance, apiClient, string, string, messaging.Links) {
	t.Helper()
	inst, admin, ws, contact, links, _ := engagementSetupOut(t)
	return inst, admin, ws, contact, links
}

// engagementSetupOut is engagementSetup that also returns what the
// instance printed at start (its console set-up link).
func engagementSetupOut(t *testing.T) (*instance, apiClient, string, string, messaging.Links, string) {
	t.Helper()
	inst, out := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Bean Shop", "currency": "EUR"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	admin.ws = w.ID
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "newsletter_signup", "email": "ann@example.com"}}}, nil); code != 202 {
		t.Fatalf("event: %d", code)
	}
	var contact string
	waitFor(t, "the contact", func() bool {
		var found struct {
			Contacts []struct{ ID string } `json:"contacts"`
		}
		admin.do("GET", "/api/v1/contacts?email=ann@example.com", nil, &found)
		if len(found.Contacts) == 1 {
			contact = found.Contacts[0].ID
		}
		return contact != ""
	})
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inst, admin, w.ID, contact, messaging.NewLinks(inst.cfg.PublicURL, box), out.String()
}

func createMessage(t *testing.T, inst *instance, m store.Message) {
	t.Helper()
	if m.StepKey == "" {
		m.StepKey = "test:" + m.ID
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	if _, _, err := inst.st.CreateMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

type messageJSON struct {
	ID           string `json:"id"`
	Opens        int    `json:"opens"`
	MachineOpens int    `json:"machine_opens"`
	Clicks       int    `json:"clicks"`
}

func emailConsent(t *testing.T, inst *instance, ws, contact string) (store.Consent, bool) {
	t.Helper()
	cs, err := inst.st.Consents(context.Background(), ws, contact)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Channel == "email" {
			return c, true
		}
	}
	return store.Consent{}, false
}

func timelineTypes(admin apiClient, contact string) map[string]int {
	var tl struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	admin.do("GET", "/api/v1/contacts/"+contact+"/timeline?limit=500", nil, &tl)
	out := map[string]int{}
	for _, e := range tl.Events {
		out[e.Type]++
	}
	return out
}

func TestEngagementLinksThroughServer(t *testing.T) {
	inst, admin, ws, contact, links := engagementSetup(t)
	createMessage(t, inst, store.Message{ID: "msg_eng1", WorkspaceID: ws, ContactID: contact, Channel: store.ChannelEmail,
		FlowID: "flow_welcome", Status: store.MessageOutbox, Recipient: "ann@example.com", Subject: "Welcome to Bean Shop"})
	createMessage(t, inst, store.Message{ID: "msg_push1", WorkspaceID: ws, ContactID: contact, Channel: store.ChannelPush,
		FlowID: "flow_cart", Status: store.MessageSent})
	msg := func(id string) messageJSON {
		var m messageJSON
		if code := admin.do("GET", "/api/v1/messages/"+id, nil, &m); code != 200 {
			t.Fatalf("GET message %s: %d", id, code)
		}
		return m
	}

	// Click: 302 to the target, counted, logged for the contact.
	target := "https://shop.example/cart?utm_source=email"
	click := links.EmailTracker().ClickURL("msg_eng1", 0, target)
	if a := send(t, noRedirect, "GET", click, "", "", nil); a.code != 302 || a.hdr.Get("Location") != target {
		t.Fatalf("click: %d %q", a.code, a.hdr.Get("Location"))
	}
	if m := msg("msg_eng1"); m.Clicks != 1 {
		t.Errorf("clicks %d", m.Clicks)
	}
	waitFor(t, "email_clicked on the timeline", func() bool { return timelineTypes(admin, contact)["email_clicked"] == 1 })

	// A bad signature or an altered target is a 404, never a redirect.
	u, _ := url.Parse(click)
	q := u.Query()
	q.Set("u", "https://evil.example/")
	u.RawQuery = q.Encode()
	for _, bad := range []string{u.String(), strings.Split(click, "&s=")[0], inst.url("/e/c/msg_eng1/0?u=https://evil.example/&s=abc")} {
		if a := send(t, noRedirect, "GET", bad, "", "", nil); a.code != 404 || a.hdr.Get("Location") != "" {
			t.Errorf("bad click %s: %d %q", bad, a.code, a.hdr.Get("Location"))
		}
	}
	if m := msg("msg_eng1"); m.Clicks != 1 {
		t.Errorf("bad clicks counted: %d", m.Clicks)
	}

	// Push click.
	pclick := links.PushTracker().ClickURL("msg_push1", 0, "https://shop.example/p/beans")
	if a := send(t, noRedirect, "GET", pclick, "", "", nil); a.code != 302 || a.hdr.Get("Location") != "https://shop.example/p/beans" {
		t.Fatalf("push click: %d %q", a.code, a.hdr.Get("Location"))
	}
	if m := msg("msg_push1"); m.Clicks != 1 {
		t.Errorf("push clicks %d", m.Clicks)
	}
	// An email click signature does not open a push click URL.
	if a := send(t, noRedirect, "GET", strings.Replace(click, "/e/c/", "/p/c/", 1), "", "", nil); a.code != 404 {
		t.Errorf("email signature on the push route: %d", a.code)
	}

	// Open pixel: Apple Mail Privacy Protection's bare "Mozilla/5.0" is a
	// machine open; a forged pixel still gets the GIF, counts nothing.
	open := links.EmailTracker().OpenURL("msg_eng1")
	for _, p := range []string{open, strings.Split(open, "?")[0] + "?s=forged"} {
		a := send(t, http.DefaultClient, "GET", p, "", "", map[string]string{"User-Agent": "Mozilla/5.0"})
		if a.code != 200 || a.hdr.Get("Content-Type") != "image/gif" || a.hdr.Get("Cache-Control") != "no-store" || !strings.HasPrefix(a.body, "GIF89a") {
			t.Errorf("pixel %s: %d %v", p, a.code, a.hdr)
		}
	}
	if m := msg("msg_eng1"); m.MachineOpens != 1 || m.Opens != 0 {
		t.Errorf("opens %d machine %d, want 0 and 1", m.Opens, m.MachineOpens)
	}
	if n := timelineTypes(admin, contact)["email_opened"]; n != 0 {
		t.Errorf("%d email_opened events for machine and forged opens", n)
	}

	// Unsubscribe: GET only asks (link scanners fetch GETs).
	unsub := links.Email(ws, contact, "msg_eng1").Unsubscribe
	a := send(t, http.DefaultClient, "GET", unsub, "", "", nil)
	if a.code != 200 || !strings.Contains(a.body, `<form method="post"`) || !strings.Contains(a.body, "Bean Shop") ||
		!strings.Contains(a.body, "ann@example.com") {
		t.Fatalf("unsubscribe page: %d %s", a.code, a.body)
	}
	if strings.Contains(a.hdr.Get("Content-Security-Policy"), "script-src") || a.hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("page headers %v", a.hdr)
	}
	time.Sleep(300 * time.Millisecond)
	if c, ok := emailConsent(t, inst, ws, contact); ok && !c.Granted {
		t.Fatal("a GET unsubscribed")
	}
	// RFC 8058 one-click POST: unsubscribes at once, no redirect, no cookie.
	a = send(t, noRedirect, "POST", unsub, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", nil)
	if a.code != 200 || a.hdr.Get("Location") != "" || a.hdr.Get("Set-Cookie") != "" {
		t.Fatalf("one-click: %d %v", a.code, a.hdr)
	}
	waitFor(t, "email consent withdrawn", func() bool {
		c, ok := emailConsent(t, inst, ws, contact)
		return ok && !c.Granted && c.Source == "email_link"
	})
	// The page's own button shows the "unsubscribed" page; idempotent.
	a = send(t, noRedirect, "POST", unsub, "application/x-www-form-urlencoded", "confirm=1", nil)
	if a.code != 200 || !strings.Contains(a.body, "You are unsubscribed from Bean Shop emails") || !strings.Contains(a.body, "/e/p/") {
		t.Fatalf("unsubscribed page: %d %s", a.code, a.body)
	}
	if n := timelineTypes(admin, contact)["consent"]; n != 1 {
		t.Errorf("%d consent events after two unsubscribes", n)
	}
	if a := send(t, noRedirect, "POST", inst.url("/e/u/bad.token"), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", nil); a.code != 404 {
		t.Errorf("bad one-click token: %d", a.code)
	}

	// Preference page: shows the state, re-subscribes.
	prefs := links.Email(ws, contact, "msg_eng1").Preferences
	a = send(t, http.DefaultClient, "GET", prefs, "", "", nil)
	if a.code != 200 || !strings.Contains(a.body, "ann@example.com") || !strings.Contains(a.body, `value="no" checked`) {
		t.Fatalf("preference page: %d %s", a.code, a.body)
	}
	a = send(t, http.DefaultClient, "POST", prefs, "application/x-www-form-urlencoded", "email=yes", nil)
	if a.code != 200 || !strings.Contains(a.body, "saved") || !strings.Contains(a.body, `value="yes" checked`) {
		t.Fatalf("preference save: %d %s", a.code, a.body)
	}
	waitFor(t, "email consent granted again", func() bool {
		c, ok := emailConsent(t, inst, ws, contact)
		return ok && c.Granted
	})
	if a := send(t, http.DefaultClient, "POST", prefs, "application/x-www-form-urlencoded", "email=maybe", nil); a.code != 400 {
		t.Errorf("bad preference: %d", a.code)
	}

	// Double opt-in confirmation link.
	a = send(t, http.DefaultClient, "GET", links.Confirm(ws, contact, ""), "", "", nil)
	if a.code != 200 || !strings.Contains(a.body, "confirmed") {
		t.Fatalf("confirm: %d %s", a.code, a.body)
	}
	waitFor(t, "confirmed consent", func() bool {
		c, ok := emailConsent(t, inst, ws, contact)
		return ok && c.Granted && c.Source == "double_opt_in"
	})
	for _, bad := range []string{"/e/confirm/abc.def", "/e/p/abc.def", "/e/u/abc.def"} {
		if a := send(t, http.DefaultClient, "GET", inst.url(bad), "", "", nil); a.code != 404 {
			t.Errorf("GET %s: %d", bad, a.code)
		}
	}
	// An unsubscribe token does not confirm.
	tok := unsub[strings.LastIndex(unsub, "/")+1:]
	if a := send(t, http.DefaultClient, "GET", inst.url("/e/confirm/"+tok), "", "", nil); a.code != 404 {
		t.Errorf("unsubscribe token confirmed: %d", a.code)
	}
}

func TestEngagementMessagesAPIAndSettings(t *testing.T) {
	inst, admin, ws, contact, _ := engagementSetup(t)
	base := time.Now().Add(-time.Hour)
	for i, id := range []string{"msg_a1", "msg_a2", "msg_a3"} {
		createMessage(t, inst, store.Message{ID: id, WorkspaceID: ws, ContactID: contact, Channel: store.ChannelEmail,
			Status: store.MessageSent, CreatedAt: base.Add(time.Duration(i) * time.Minute)})
	}
	createMessage(t, inst, store.Message{ID: "msg_p1", WorkspaceID: ws, ContactID: contact, Channel: store.ChannelPush,
		Status: store.MessageSent, CreatedAt: base})
	var page struct {
		Messages   []messageJSON `json:"messages"`
		NextCursor string        `json:"next_cursor"`
	}
	if code := admin.do("GET", "/api/v1/messages?channel=email&limit=2", nil, &page); code != 200 || len(page.Messages) != 2 ||
		page.Messages[0].ID != "msg_a3" || page.NextCursor == "" {
		t.Fatalf("messages: %d %+v", code, page)
	}
	if code := admin.do("GET", "/api/v1/messages?channel=email&limit=2&before="+url.QueryEscape(page.NextCursor), nil, &page); code != 200 ||
		len(page.Messages) != 1 || page.Messages[0].ID != "msg_a1" {
		t.Fatalf("second page: %d %+v", code, page)
	}
	if code := admin.do("GET", "/api/v1/messages?channel=fax", nil, nil); code != 400 {
		t.Errorf("bad channel: %d", code)
	}
	// Another workspace sees none of them.
	var other wsJSON
	admin.ws = ""
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Other"}, &other)
	b := admin
	b.ws = other.ID
	if code := b.do("GET", "/api/v1/messages/msg_a1", nil, nil); code != 404 {
		t.Errorf("other workspace reads a message: %d", code)
	}
	admin.ws = ws

	var set map[string]any
	if code := admin.do("GET", "/api/v1/messaging/settings", nil, &set); code != 200 || set["attribution_window"] != "5d" {
		t.Fatalf("settings: %d %v", code, set)
	}
	if code := admin.do("PATCH", "/api/v1/messaging/settings", map[string]any{"from_email": "not an address"}, nil); code != 400 {
		t.Errorf("invalid settings: %d", code)
	}
	if code := admin.do("PATCH", "/api/v1/messaging/settings", map[string]any{"from_email": "shop@bean.example", "double_opt_in": true}, &set); code != 200 ||
		set["from_email"] != "shop@bean.example" || set["double_opt_in"] != true {
		t.Fatalf("update settings: %d %v", code, set)
	}
}

// The outbox is the console's Messages page: the old /admin/outbox
// addresses lead there, an email in the outbox is listed and shown as its
// recipient sees it, without its open pixel or a live script, and reading
// it counts no open.
func TestEngagementOutbox(t *testing.T) {
	inst, _, ws, contact, links, started := engagementSetupOut(t)
	html := `<html><body><h1>Hello Ann</h1><script>alert(1)</script><p><a href="` +
		links.EmailTracker().ClickURL("msg_out1", 0, "https://shop.example/") + `">Shop</a></p>` +
		`<img src="` + links.EmailTracker().OpenURL("msg_out1") + `" width="1" height="1" alt=""></body></html>`
	body, _ := json.Marshal(map[string]any{"html": html, "text": "Hello Ann, text part"})
	createMessage(t, inst, store.Message{ID: "msg_out1", WorkspaceID: ws, ContactID: contact, Channel: store.ChannelEmail,
		FlowID: "flow_welcome", Status: store.MessageOutbox, Recipient: "ann@example.com", Subject: "Welcome <Ann>", Body: body})

	// Signed out: the old address asks to sign in, and shows nothing.
	if a := send(t, noRedirect, "GET", inst.url("/admin/outbox"), "", "", nil); a.code != http.StatusSeeOther ||
		!strings.HasPrefix(a.hdr.Get("Location"), "/admin/signin") || strings.Contains(a.body, "Welcome") {
		t.Fatalf("signed-out outbox: %d %v", a.code, a.hdr)
	}
	c, _ := consoleOwner(t, inst, started)
	code, _, hdr := getWith(t, c, inst.url("/admin/outbox?workspace="+ws))
	if want := "/admin/w/" + ws + "/messages?channel=email"; code != http.StatusMovedPermanently || hdr.Get("Location") != want {
		t.Fatalf("/admin/outbox: %d %q, want %s", code, hdr.Get("Location"), want)
	}
	code, _, hdr = getWith(t, c, inst.url("/admin/outbox/msg_out1"))
	if want := "/admin/w/" + ws + "/messages/msg_out1"; code != http.StatusMovedPermanently || hdr.Get("Location") != want {
		t.Fatalf("/admin/outbox/msg_out1: %d %q", code, hdr.Get("Location"))
	}
	code, page, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/messages?channel=email&status=outbox"))
	if code != 200 || !strings.Contains(page, "Welcome &lt;Ann&gt;") || !strings.Contains(page, "ann@example.com") ||
		!strings.Contains(page, `href="/admin/w/`+ws+`/messages/msg_out1"`) {
		t.Fatalf("messages page: %d %s", code, page)
	}
	code, page, _ = getWith(t, c, inst.url("/admin/w/"+ws+"/messages/msg_out1"))
	if code != 200 || !strings.Contains(page, "<iframe") || !strings.Contains(page, "sandbox") ||
		!strings.Contains(page, "Hello Ann, text part") || !strings.Contains(page, "&lt;h1&gt;Hello Ann") {
		t.Fatalf("message page: %d %s", code, page)
	}
	if strings.Contains(page, "/e/o/") || strings.Contains(page, "<script>") {
		t.Errorf("the preview carries the open pixel or a live script: %s", page)
	}
	if m, _ := inst.st.Message(context.Background(), ws, "msg_out1"); m.Opens+m.MachineOpens != 0 {
		t.Errorf("admin preview counted as an open")
	}
	if code, _, _ := getWith(t, c, inst.url("/admin/outbox/msg_nosuch")); code != http.StatusNotFound {
		t.Errorf("/admin/outbox of no message: %d", code)
	}
}
