package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// The segments pages in Chromium on the demo workspace: the owner installs
// a ready-made segment with one click, has a definition the validator
// refuses shown next to the textarea with the bad node's path and what was
// typed kept, saves a good one, watches a visitor who browses (the real
// tracker endpoint) appear among the members with the size and its
// history, and finds the segment on that contact's card.
func TestConsoleSegments(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('`+sel+`') || {textContent: '(none)'}).textContent.trim()`))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	run("viewport", chromedp.EmulateViewport(1280, 1000))
	run("set-up", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	run("segments", chromedp.Navigate(base+"/admin/w/"+ws+"/segments"), chromedp.WaitVisible(chromedp.CSS(`#ready-made`)))
	run("install", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click(chromedp.CSS(`form[action$="/segment-templates/window_shoppers"] button`)),
		until(`!window.__cwOld && !!document.querySelector('#segment-size')`))
	if h := text(`h1`); h != "Window shoppers" {
		t.Fatalf("installed segment page: %q", h)
	}

	bad := `{"and":[{"field":"profile.page_views","op":"gte","value":1},{"event":{"type":"page_view","within_days":0,"op":"gte","count":1}}]}`
	run("bad definition", chromedp.Navigate(base+"/admin/w/"+ws+"/segments"), chromedp.WaitVisible(chromedp.CSS(`#seg-definition`)),
		chromedp.SetValue(chromedp.CSS(`#seg-name`), "Browsers"), chromedp.SetValue(chromedp.CSS(`#seg-definition`), bad),
		chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`), chromedp.Submit(chromedp.CSS(`#seg-definition`)),
		until(`!window.__cwOld && !!document.querySelector('#seg-definition-err')`))
	if e := text(`#seg-definition-err`); !strings.Contains(e, "and[1].event.within_days") {
		t.Errorf("the error next to the definition: %q", e)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#seg-definition').value`))
	if kept != bad {
		t.Errorf("the definition typed was not kept: %q", kept)
	}
	good := `{"field":"profile.page_views","op":"gte","value":2}`
	run("good definition", chromedp.SetValue(chromedp.CSS(`#seg-definition`), good),
		chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`), chromedp.Submit(chromedp.CSS(`#seg-definition`)),
		until(`!window.__cwOld && !!document.querySelector('#segment-size')`))
	if h := text(`h1`); h != "Browsers" {
		t.Fatalf("new segment page: %q", h)
	}
	segPage, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))

	browseFrom(t, inst, inst.demo.Workspace.SiteKey, strings.TrimRight(base, "/"), "visitor-seg", "Home", "Coffee")
	deadline := time.Now().Add(20 * time.Second)
	for {
		run("reload", chromedp.Navigate(segPage), chromedp.WaitVisible(chromedp.CSS(`#members`)))
		if strings.Contains(text(`#members`), "seg") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if s := text(`#segment-size`); !strings.Contains(s, "1 members") {
		t.Fatalf("size: %q, members %q", s, text(`#members`))
	}
	if h := text(`#sizes tbody`); !strings.Contains(h, time.Now().UTC().Format(time.DateOnly)) {
		t.Errorf("size history: %q", h)
	}
	consoleShot(t, ctx, "segment")
	run("contact card", chromedp.Click(chromedp.CSS(`#members tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#contact-segments`)))
	if s := text(`#contact-segments`); !strings.Contains(s, "Browsers") {
		t.Errorf("contact card segments: %q", s)
	}
}
