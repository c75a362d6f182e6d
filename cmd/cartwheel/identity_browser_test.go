package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// In Chromium on the demo shop: a page-side identify with Dora's email
// opens none of her inbox; following the link of an email she received
// lands on the shop with a proof, which t.js exchanges once and removes
// from the address bar, and her inbox opens for that browser.
func TestIdentifyBrowserLinkOpensInbox(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, admin, base := widgetsInstance(t)
	ws := inst.demo.Workspace
	if code := admin.do("POST", "/api/v1/widget-templates/inbox", map[string]any{"status": "active"}, nil); code != 201 && code != 200 { // 200: already on (the demo may start with its widgets)
		t.Fatalf("inbox widget: %d", code)
	}
	const email = "dora@example.com"
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "newsletter_signup", "email": email}}}, nil); code != 202 {
		t.Fatalf("event: %d", code)
	}
	var dora string
	waitFor(t, "Dora's contact", func() bool {
		c, err := inst.st.ContactByEmail(context.Background(), ws.ID, email)
		dora = c.ID
		return err == nil
	})
	createMessage(t, inst, store.Message{ID: "msg_dora_inbox", WorkspaceID: ws.ID, ContactID: dora, Channel: store.ChannelInbox,
		Status: store.MessageSent, Subject: "Dora's code", Body: []byte(`{"title":"Dora's code","body":"DORA-CODE-7"}`)})
	createMessage(t, inst, store.Message{ID: "msg_dora_mail", WorkspaceID: ws.ID, ContactID: dora, Channel: store.ChannelEmail,
		Status: store.MessageSent, Recipient: email, Subject: "News"})

	run := func(what string, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, a...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("home", chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible("footer"))
	visitor, err := chromedp.Run(ctx, chromedp.Poll[string]("window.cartwheel && window.cartwheel.visitorId && window.cartwheel.visitorId()"))
	if err != nil || visitor == "" {
		t.Fatalf("tracker did not load: %q %v", visitor, err)
	}
	// Anybody can type Dora's email.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("cartwheel.identify({email: '"+email+"'}), true")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the browser linked to Dora", func() bool { return contactOfVisitor(inst, ws.ID, visitor) == dora })
	if in, body := readInbox(t, inst, ws.SiteKey, visitor); len(in.Messages) != 0 || strings.Contains(body, "DORA-CODE-7") {
		t.Fatalf("a page-side identify opened Dora's inbox: %s", body)
	}

	// The link in Dora's email, followed in this browser.
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	click := messaging.NewLinks(base, box).EmailTracker().ClickURL("msg_dora_mail", 0, base+"/demo/?utm_source=email")
	run("follow the email's link", chromedp.Navigate(click), chromedp.WaitVisible("footer"))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!location.search.includes('cw_proof') && location.search.includes('utm_source=email')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		href, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href"))
		t.Fatalf("the proof stays in the address bar: %s (%v)", href, err)
	}
	waitFor(t, "Dora's inbox in her verified browser", func() bool {
		in, body := readInbox(t, inst, ws.SiteKey, visitor)
		return len(in.Messages) == 1 && strings.Contains(body, "DORA-CODE-7")
	})
	// The page_view of the landing page was recorded without the proof.
	evs, err := inst.st.VisitorEvents(context.Background(), ws.ID, visitor, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if strings.Contains(string(e.Props), messaging.ProofParam) || strings.Contains(string(e.Context), messaging.ProofParam) {
			t.Errorf("event %s carries the proof: %s %s", e.Type, e.Props, e.Context)
		}
	}
}
