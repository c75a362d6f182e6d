package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The deliverability page shows the DKIM record to publish and the DNS
// warnings, refuses a bad address next to its field (keeping what was
// typed), imports pasted CSV and lists what it imported.
func TestConsoleDeliverabilityPage(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	if code := api.do("PATCH", "/api/v1/messaging/settings", map[string]any{"from_email": "hello@deliv-shop.example"}, nil); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	run("set-up", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	page := base + "/admin/w/" + ws + "/deliverability"
	run("page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#domain`)))
	name, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#dkim-name`)))
	if err != nil || name != "cw1._domainkey.deliv-shop.example" {
		t.Fatalf("DKIM record name %q (%v)", name, err)
	}
	value, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#dkim-value`)))
	warnings, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#domain-warnings`)))
	if !strings.HasPrefix(value, "v=DKIM1; k=rsa; p=") || !strings.Contains(warnings, "DKIM record is not published") ||
		!strings.Contains(warnings, "no SPF record") || !strings.Contains(warnings, "no DMARC record") {
		t.Fatalf("record %q, warnings %q", value, warnings)
	}
	consoleShot(t, ctx, "deliverability")

	run("bad address", chromedp.SendKeys(chromedp.CSS(`#sup-email`), "not-an-address"),
		markOld(),
		chromedp.Submit(chromedp.CSS(`#sup-email`)),
		until(`!window.__cwOld && !!document.querySelector('#sup-email-err')`))
	if kept, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#sup-email`))); kept != "not-an-address" {
		t.Errorf("the form lost what was typed: %q", kept)
	}
	run("import", chromedp.SendKeys(chromedp.CSS(`#sup-text`), "email,reason\nann@example.com,complaint\nbob@example.com,\n"),
		markOld(),
		chromedp.Submit(chromedp.CSS(`#sup-text`)),
		until(`!window.__cwOld && !!document.querySelector('#notice')`))
	notice, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#notice`)))
	table, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#suppressions`)))
	if !strings.Contains(notice, "2 addresses imported") || !strings.Contains(table, "ann@example.com") ||
		!strings.Contains(table, "Spam complaint") || !strings.Contains(table, "bob@example.com") {
		t.Fatalf("after import: %q\n%s", notice, table)
	}
	var sp struct{ Reason string }
	if code := api.do("GET", "/api/v1/suppressions/ann@example.com", nil, &sp); code != 200 || sp.Reason != "complaint" {
		t.Fatalf("API after console import: %d %+v", code, sp)
	}
}

// markOld marks the page shown now, so that until can tell the page a form
// post answers from it.
func markOld() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.__cwOld = true`)(ctx, t)
		return err
	})
}
