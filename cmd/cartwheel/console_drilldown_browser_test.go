package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/store"
)

// In Chromium, with the keyboard and no script: a dashboard figure opens
// its list, which counts the same; a note is written on a contact's card
// and shows with its author; a flow is archived through its confirmation
// page. With CARTWHEEL_SCREENSHOTS=DIR the pages are saved (docs/admin/).
func TestConsoleDrillDownBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	text := func(what, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return strings.TrimSpace(s)
	}

	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "consent",
		"email": "nota@example.pl", "properties": map[string]any{"email": true}}}}, nil); code != 202 {
		t.Fatalf("consent: %d", code)
	}
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	waitFor(t, "the contact", func() bool {
		admin.do("GET", "/api/v1/contacts?email=nota@example.pl", nil, &found)
		return len(found.Contacts) == 1
	})
	contact := found.Contacts[0].ID
	for i := range 7 {
		id := fmt.Sprintf("msg_browser%d", i)
		createMessage(t, inst, store.Message{ID: id, WorkspaceID: ws, ContactID: contact, Channel: store.ChannelEmail,
			Status: store.MessageOutbox, Subject: "Hello " + id})
		if i%2 == 0 {
			if err := inst.st.RecordMessageOpen(context.Background(), id, false, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}

	run("viewport", chromedp.EmulateViewport(1280, 900))
	run("set-up", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	opened := text("opened figure", `#channels tr[data-channel="email"] td[data-fig="opened"] a`)
	run("open the opened figure", chromedp.Click(chromedp.CSS(`#channels tr[data-channel="email"] td[data-fig="opened"] a`)),
		until(`location.pathname.endsWith('/messages') && !!document.querySelector('#drill-count')`))
	if got := text("list count", `#drill-count`); got != opened || opened != "4" {
		t.Errorf("opened: the dashboard says %s, the list %s (want 4)", opened, got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#messages tbody tr').length`)); err != nil || fmt.Sprint(n) != opened {
		t.Errorf("rows on the list: %d %v", n, err)
	}
	consoleShot(t, ctx, "drilldown-messages")

	run("back to the dashboard", chromedp.Navigate(base+"/admin/w/"+ws+"/"), chromedp.WaitVisible(chromedp.CSS(`#fig-contacts`)))
	subscribed := text("subscribed figure", `#channels tr[data-channel="email"] td[data-fig="subscribed"] a`)
	run("open the subscribed figure", chromedp.Click(chromedp.CSS(`#channels tr[data-channel="email"] td[data-fig="subscribed"] a`)),
		until(`location.pathname.endsWith('/contacts') && !!document.querySelector('#drill-count')`))
	if got := text("contacts count", `#drill-count`); got != subscribed {
		t.Errorf("subscribed: the dashboard says %s, the list %s", subscribed, got)
	}
	if s := text("contacts", `#contacts`); !strings.Contains(s, "nota@example.pl") {
		t.Errorf("the new subscriber is not listed: %q", s)
	}

	// A note, typed and sent with the keyboard.
	run("card", chromedp.Navigate(base+"/admin/w/"+ws+"/contacts/"+contact), chromedp.WaitVisible(chromedp.CSS(`#note`)))
	run("write a note", chromedp.SendKeys(chromedp.CSS(`#note`), "Asked for a call back on Monday"),
		chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Submit(chromedp.CSS(`#note`)),
		until(`!window.__cwOld && !!document.querySelector('#notes .notes li')`))
	if s := text("notes", `#notes .notes`); !strings.Contains(s, "Asked for a call back on Monday") || !strings.Contains(s, "owner@shop.example") {
		t.Errorf("the note on the card: %q", s)
	}
	consoleShot(t, ctx, "contact-notes")

	// Archive the first flow through its confirmation page.
	run("flows", chromedp.Navigate(base+"/admin/w/"+ws+"/flows"), chromedp.WaitVisible(chromedp.CSS(`#flows`)))
	flowID := ""
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#flows tbody tr').dataset.flow`)); err == nil {
		flowID = v
	}
	run("archive link", chromedp.Click(chromedp.CSS(`#flows tbody tr:first-child a.archive`)),
		until(`location.pathname.endsWith('/archive') && !!document.querySelector('#archive-confirm')`))
	consoleShot(t, ctx, "flow-archive")
	run("confirm", chromedp.Click(chromedp.CSS(`#archive-confirm`)),
		until(`location.pathname.endsWith('/flows') && !!document.querySelector('#flows-done')`))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#flows tr[data-flow="`+flowID+`"]').length`)); err != nil || n != 0 {
		t.Errorf("the archived flow %s is still listed: %d %v", flowID, n, err)
	}
	run("show archived", chromedp.Click(chromedp.CSS(`#show-archived`)),
		until(`location.search.includes('archived=show') && !!document.querySelector('#flows tr[data-flow="`+flowID+`"]')`))
}
