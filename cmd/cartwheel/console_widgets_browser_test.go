package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/store"
)

// previewTitle reads the pop-up's title from inside the preview frame: the
// Shadow DOM the real w.js rendered there ("" while there is none).
const previewTitle = `(() => { try {
	const d = document.querySelector('#wpreview').contentDocument;
	return d.querySelector('[data-cartwheel-widget=popup]').shadowRoot.querySelector('h2').textContent;
} catch (e) { return ''; } })()`

// A pop-up's editor in the console, in Chromium on the demo shop: the owner
// opens the ready-made first-visit pop-up, sees it in the preview frame as
// the real widget bundle draws it, changes its title and presses Preview:
// the frame shows the new title before anything is saved; the preview's
// form "submits" without sending anything; saving stores the title as the
// API has it. A viewer gets no save button and is refused a hand-made
// save; a post without the CSRF value is refused.
func TestConsoleWidgetEditor(t *testing.T) {
	ctx := browsertest.New(t, 150*time.Second)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	setup, _ := setupLink(t, out.String())
	run := func(c context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, actions...); err != nil {
			page, _ := chromedp.Run(context.WithoutCancel(c), chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%s: %v\npage: %s", what, err, page)
		}
	}
	eval := func(c context.Context, what, expr string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	run(ctx, "viewport", chromedp.EmulateViewport(1400, 1000))
	run(ctx, "set-up", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	// The ready-made first-visit pop-up, as the API has it.
	var list struct {
		Widgets []store.Widget `json:"widgets"`
	}
	if code := api.do("GET", "/api/v1/widgets", nil, &list); code != 200 {
		t.Fatalf("widgets: %d", code)
	}
	type def struct {
		Variants []struct {
			Content struct {
				Title string `json:"title"`
			} `json:"content"`
		} `json:"variants"`
	}
	var popup store.Widget
	var saved def
	for _, w := range list.Widgets {
		if w.Template == "first_visit_discount" {
			popup = w
			if err := json.Unmarshal(w.Definition, &saved); err != nil {
				t.Fatal(err)
			}
		}
	}
	if popup.ID == "" || len(saved.Variants) == 0 {
		t.Fatalf("the demo has no first-visit pop-up: %+v", list.Widgets)
	}

	// The list links the pop-up to its editor; the frame shows it drawn by w.js.
	run(ctx, "widgets", chromedp.Navigate(base+"/admin/w/"+ws+"/widgets"),
		chromedp.WaitVisible(chromedp.CSS(`#widgets`)),
		chromedp.Click(chromedp.CSS(`tr[data-widget="`+popup.ID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`#widget-editor`)),
		until(previewTitle+` === `+jsString(saved.Variants[0].Content.Title)))
	if n := eval(ctx, "figures", `document.querySelectorAll('#variant-stats tbody tr').length + ''`); n != "1" {
		t.Errorf("the figures table has %s rows for one variant", n)
	}

	// A new title, previewed before saving: the frame has it, the API not.
	const title = "Coffee lovers get 10 % off"
	run(ctx, "preview", chromedp.SetValue(chromedp.CSS(`#w-variants-0-content-title`), title),
		chromedp.Click(chromedp.CSS(`#widget-preview`)),
		until(previewTitle+` === `+jsString(title)))
	if v := eval(ctx, "kept", `document.querySelector('#w-variants-0-content-title').value`); v != title {
		t.Errorf("the editor lost the title typed: %q", v)
	}
	var now store.Widget
	api.do("GET", "/api/v1/widgets/"+popup.ID, nil, &now)
	if strings.Contains(string(now.Definition), title) {
		t.Fatal("previewing saved the widget")
	}
	// The preview's form answers like the real one, and sends nothing.
	run(ctx, "preview submit", chromedp.Evaluate[chromedp.Void](`(() => {
		const r = document.querySelector('#wpreview').contentDocument.querySelector('[data-cartwheel-widget=popup]').shadowRoot;
		r.querySelector('input[type=email]').value = 'preview.only@example.com';
		const c = r.querySelector('input[name=consent]'); if (c) c.checked = true;
		r.querySelector('button[type=submit]').click(); })()`),
		until(`(() => { try { return document.querySelector('#wpreview').contentDocument.querySelector('[data-cartwheel-widget=popup]')
			.shadowRoot.querySelector('code').textContent.endsWith('-PREVIEW'); } catch (e) { return false; } })()`))
	if _, err := inst.st.ContactByEmail(context.Background(), ws, "preview.only@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the preview's form made a contact: %v", err)
	}
	if got := eval(ctx, "fetched", `JSON.stringify(document.querySelector('#wpreview').contentWindow.performance.getEntriesByType('resource')
		.map(e => new URL(e.name).pathname).filter(p => !p.startsWith('/admin/static/')))`); got != "[]" {
		t.Errorf("the preview fetched %s", got)
	}
	// The preview again, for the picture.
	run(ctx, "preview again", chromedp.Click(chromedp.CSS(`#widget-preview`)),
		until(previewTitle+` === `+jsString(title)+` && !document.querySelector('#wpreview').contentDocument
			.querySelector('[data-cartwheel-widget=popup]').shadowRoot.querySelector('code')`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#edit').scrollIntoView({block: 'start'})`))
	time.Sleep(400 * time.Millisecond) // the pop-up's fade-in, for the picture
	consoleShot(t, ctx, "widget_edit")

	// Saving stores it where the API reads it.
	run(ctx, "save", chromedp.Click(chromedp.CSS(`#widget-save`)),
		until(`location.search.includes('saved=1') && !!document.querySelector('#widget-saved')`))
	api.do("GET", "/api/v1/widgets/"+popup.ID, nil, &now)
	var after def
	_ = json.Unmarshal(now.Definition, &after)
	if len(after.Variants) == 0 || after.Variants[0].Content.Title != title {
		t.Errorf("after saving, the API has %s", now.Definition)
	}

	// A post without the CSRF value is refused, and changes nothing.
	run(ctx, "forged", chromedp.Evaluate[chromedp.Void](`(() => { const f = document.createElement('form');
		f.method = 'post'; f.action = '/admin/w/`+ws+`/widgets/`+popup.ID+`';
		const i = document.createElement('input'); i.name = 'variants[0].content.title'; i.value = 'Forged'; f.appendChild(i);
		document.body.appendChild(f); f.submit(); })()`),
		until(`!document.querySelector('#widget-editor') && !!document.querySelector('main h1')`))
	if h := eval(ctx, "forged answer", `document.querySelector('main h1').textContent`); !strings.Contains(h, "did not come from this console") {
		t.Errorf("a post without the CSRF value answered %q", h)
	}

	// A viewer sees the editor and the preview, and cannot save.
	run(ctx, "invite", chromedp.Navigate(base+"/admin/w/"+ws+"/team"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "vera@shop.example"),
		chromedp.SetValue(chromedp.CSS(`#role`), "viewer"),
		chromedp.Submit(chromedp.CSS(`#email`)), chromedp.WaitVisible(chromedp.CSS(`#invite-link`)))
	invite := eval(ctx, "invite link", `document.querySelector('#invite-link').value`)
	viewer, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	run(viewer, "viewer", chromedp.Navigate(invite), chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Vera"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "viewer password!"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)),
		chromedp.Navigate(base+"/admin/w/"+ws+"/widgets/"+popup.ID), chromedp.WaitVisible(chromedp.CSS(`#widget-editor`)),
		until(previewTitle+` === `+jsString(title)))
	if n := eval(viewer, "save buttons", `document.querySelectorAll('#widget-save, [value^="remove-variant"], #add-variant').length + ''`); n != "0" {
		t.Errorf("a viewer's editor offers %s buttons that change the widget", n)
	}
	csrf := eval(viewer, "viewer's CSRF value", `document.querySelector('#widget-editor input[name=_csrf]').value`)
	run(viewer, "viewer's save", chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('#widget-editor');
		f.querySelector('#w-variants-0-content-title').value = 'Viewer was here';
		const b = document.createElement('button'); b.type = 'submit'; f.appendChild(b); b.click(); })()`),
		until(`!document.querySelector('#widget-editor') && !!document.querySelector('main h1')`))
	if h := eval(viewer, "viewer's answer", `document.querySelector('main h1').textContent`); !strings.Contains(h, "Your role cannot do this") {
		t.Errorf("a viewer's save (CSRF %s…) answered %q", csrf[:8], h)
	}
	api.do("GET", "/api/v1/widgets/"+popup.ID, nil, &now)
	if strings.Contains(string(now.Definition), "Viewer was here") || strings.Contains(string(now.Definition), "Forged") {
		t.Errorf("a refused post changed the widget: %s", now.Definition)
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
