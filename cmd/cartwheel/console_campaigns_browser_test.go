package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The campaigns page in Chromium on the demo shop: the owner makes a draft,
// gives its A/B test a wait the console cannot read (the error is next to
// the field, what was typed kept), fixes it, schedules the campaign, and
// sees its progress and report.
func TestConsoleCampaignsBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	eval := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return s
	}
	mark := chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`)
	run("set-up", chromedp.EmulateViewport(1280, 1000), chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))
	run("campaigns", chromedp.Navigate(base+"/admin/w/"+ws+"/campaigns"), chromedp.WaitVisible(chromedp.CSS(`#new-campaign`)),
		chromedp.SendKeys(chromedp.CSS(`#c-name`), "Winter sale"),
		chromedp.SendKeys(chromedp.CSS(`#c-subject`), "{{.Contact.FirstName}}, winter is here"),
		chromedp.SendKeys(chromedp.CSS(`#c-html`), "<p>Hello {{.Contact.FirstName}}</p>"),
		mark, chromedp.Submit(chromedp.CSS(`#c-name`)),
		until(`!window.__cwOld && !!document.querySelector('#campaign-editor')`))
	run("a bad wait", chromedp.SendKeys(chromedp.CSS(`#c-variant-b`), "Winter: 20% off"),
		chromedp.SetValue(chromedp.CSS(`#c-wait`), "soon"),
		mark, chromedp.Submit(chromedp.CSS(`#c-name`)),
		until(`!window.__cwOld && !!document.querySelector('#c-wait-err')`))
	if v := eval(`document.querySelector('#c-variant-b').value`); v != "Winter: 20% off" {
		t.Fatalf("the variant typed is gone: %q", v)
	}
	run("a good wait", chromedp.SetValue(chromedp.CSS(`#c-wait`), "2h"),
		mark, chromedp.Submit(chromedp.CSS(`#c-name`)),
		until(`!window.__cwOld && !!document.querySelector('#campaign-editor') && !document.querySelector('.err')`))
	consoleShot(t, ctx, "campaign-editor")
	run("schedule", mark, chromedp.Click(chromedp.CSS(`form[action$="/schedule"] button`)),
		until(`!window.__cwOld && !!document.querySelector('#report')`))
	if s := eval(`document.querySelector('#campaign-status').textContent`); !strings.Contains("Scheduled Sending A/B test running Sent", s) {
		t.Fatalf("status %q", s)
	}
	if eval(`String(!!document.querySelector('#campaign-editor'))`) != "false" {
		t.Fatal("a scheduled campaign still shows its editor")
	}
	consoleShot(t, ctx, "campaign-report")
}
