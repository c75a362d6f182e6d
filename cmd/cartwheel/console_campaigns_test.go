package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The campaigns pages: a draft is created (errors beside their fields,
// what was typed kept), edited, scheduled, and shows progress and report.
func TestConsoleCampaigns(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	page := "/admin/w/" + ws + "/campaigns"
	csrf := formCSRF(t, c, inst.url(page))
	code, body := post(page, url.Values{"_csrf": {csrf}, "name": {""}, "channel": {"email"}, "subject": {"Hi"}, "html": {"<p>x</p>"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="c-name-err"`) || !strings.Contains(body, `value="Hi"`) {
		t.Fatalf("a nameless campaign: %d", code)
	}
	code, _ = post(page, url.Values{"_csrf": {csrf}, "name": {"Winter sale"}, "channel": {"email"},
		"subject": {"{{.Contact.FirstName}}, winter is here"}, "html": {"<p>Hello {{.Contact.FirstName}}</p>"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	_, list, _ := getWith(t, c, inst.url(page))
	m := regexp.MustCompile(`/campaigns/(cmp_[a-z0-9]+)">Winter sale<`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("the new campaign is not listed")
	}
	one := page + "/" + m[1]
	if _, draft, _ := getWith(t, c, inst.url(one)); !strings.Contains(draft, `id="campaign-editor"`) {
		t.Fatal("a draft shows no editor")
	}
	edit := url.Values{"_csrf": {csrf}, "name": {"Winter sale"}, "channel": {"email"}, "subject": {"Winter"},
		"html": {"<p>Hi</p>"}, "mode": {"now"}, "variant_b": {"Winter, 20% off"}, "sample": {"20"}, "wait": {"soon"}, "metric": {"clicks"}}
	if code, body := post(one, edit); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="c-wait-err"`) ||
		!strings.Contains(body, `value="Winter, 20% off"`) {
		t.Fatalf("a bad wait: %d", code)
	}
	edit.Set("wait", "2h")
	edit.Set("sample", "1")
	if code, body := post(one, edit); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="c-variant-b-err"`) {
		t.Fatalf("a 1%% sample: %d", code)
	}
	edit.Set("sample", "20")
	if code, _ := post(one, edit); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	if code, _ := post(one+"/schedule", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("schedule: %d", code)
	}
	_, sent, _ := getWith(t, c, inst.url(one))
	if strings.Contains(sent, `id="campaign-editor"`) || !strings.Contains(sent, `id="progress"`) || !strings.Contains(sent, `id="report"`) {
		t.Fatal("a scheduled campaign: no progress and report, or still an editor")
	}
	if code, body := post(one, edit); code != http.StatusConflict || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("editing a scheduled campaign: %d", code)
	}
}
