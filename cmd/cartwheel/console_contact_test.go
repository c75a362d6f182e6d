package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// The contact card's actions: a marketer's tag reaches the profile, an
// owner downloads everything held on the person and erases them only after
// typing their email.
func TestConsoleContactActions(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.url("")
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "identify",
		"email": "ewa@example.pl", "properties": map[string]any{"first_name": "Ewa"}}}}, nil); code != 202 {
		t.Fatalf("identify: %d", code)
	}
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	waitFor(t, "the contact", func() bool {
		admin.do("GET", "/api/v1/contacts?email=ewa@example.pl", nil, &found)
		return len(found.Contacts) == 1
	})
	id := found.Contacts[0].ID
	card := "/admin/w/" + ws + "/contacts/" + id
	csrf := formCSRF(t, c, base+card)

	if code, body := post(card+"/tags", url.Values{"_csrf": {csrf}, "tag": {strings.Repeat("x", 65)}, "op": {"add"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="tag-err"`) {
		t.Errorf("a 65-character tag: %d", code)
	}
	if code, _ := post(card+"/tags", url.Values{"_csrf": {csrf}, "tag": {"vip"}, "op": {"add"}}); code != http.StatusSeeOther {
		t.Fatalf("add tag: %d", code)
	}
	waitFor(t, "the tag on the profile", func() bool {
		var v struct {
			Profile struct{ Tags []string } `json:"profile"`
		}
		admin.do("GET", "/api/v1/contacts/"+id, nil, &v)
		return len(v.Profile.Tags) == 1 && v.Profile.Tags[0] == "vip"
	})

	// Notes: an empty one is refused by the field, keeping nothing; one
	// is kept with its author and time, listed by the API, which adds one
	// of its own; the console deletes one.
	if code, body := post(card+"/notes", url.Values{"_csrf": {csrf}, "note": {"   "}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="note-err"`) {
		t.Errorf("an empty note: %d", code)
	}
	if code, body := post(card+"/notes", url.Values{"_csrf": {csrf}, "note": {strings.Repeat("é", 2001)}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, strings.Repeat("é", 2001)+"</textarea>") {
		t.Errorf("a note too long: %d (the text typed must stay)", code)
	}
	if code, _ := post(card+"/notes", url.Values{"_csrf": {csrf}, "note": {"Prefers <b>invoices</b> by post"}}); code != http.StatusSeeOther {
		t.Fatalf("add note: %d", code)
	}
	_, cardPage, _ := getWith(t, c, base+card)
	if !strings.Contains(cardPage, "Prefers &lt;b&gt;invoices&lt;/b&gt; by post") || !strings.Contains(cardPage, "owner@shop.example · <time>") {
		t.Errorf("the card does not show the note with its author: %s", cardPage)
	}
	var notes struct {
		Notes []struct {
			ID, Author, Body string
			AuthorID         string `json:"author_id"`
		} `json:"notes"`
	}
	if code := admin.do("GET", "/api/v1/contacts/"+id+"/notes", nil, &notes); code != 200 || len(notes.Notes) != 1 ||
		notes.Notes[0].Author != "owner@shop.example" || notes.Notes[0].AuthorID == "" {
		t.Fatalf("notes by the API: %d %+v", code, notes)
	}
	consoleNote := notes.Notes[0].ID
	var apiNote struct{ ID, Author string }
	if code := admin.do("POST", "/api/v1/contacts/"+id+"/notes", map[string]any{"body": "Called about the order"}, &apiNote); code != 201 ||
		!strings.HasPrefix(apiNote.Author, "API key ") {
		t.Fatalf("add a note by the API: %d %+v", code, apiNote)
	}
	if code := admin.do("POST", "/api/v1/contacts/"+id+"/notes", map[string]any{"body": ""}, nil); code != 400 {
		t.Errorf("an empty note by the API: %d", code)
	}
	if code := admin.do("POST", "/api/v1/contacts/ct_nosuch/notes", map[string]any{"body": "x"}, nil); code != 404 {
		t.Errorf("a note on no contact: %d", code)
	}
	if code, _ := post(card+"/notes/"+consoleNote+"/delete", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("delete note: %d", code)
	}
	if code, _ := post(card+"/notes/"+consoleNote+"/delete", url.Values{"_csrf": {csrf}}); code != http.StatusNotFound {
		t.Errorf("delete a deleted note: %d", code)
	}
	if code := admin.do("GET", "/api/v1/contacts/"+id+"/notes", nil, &notes); code != 200 || len(notes.Notes) != 1 ||
		notes.Notes[0].Body != "Called about the order" {
		t.Fatalf("notes after deleting: %+v", notes)
	}

	code, body, hdr := getWith(t, c, base+card+"/export")
	if code != http.StatusOK || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(body, "ewa@example.pl") || !strings.Contains(body, `"identify"`) ||
		!strings.Contains(body, `"contact_notes"`) || !strings.Contains(body, "Called about the order") {
		t.Errorf("export: %d %q %.200s", code, hdr.Get("Content-Disposition"), body)
	}

	if code, body := post(card+"/erase", url.Values{"_csrf": {csrf}, "confirm": {"someone@else.example"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="confirm-err"`) {
		t.Errorf("erase with the wrong confirmation: %d", code)
	}
	if admin.do("GET", "/api/v1/contacts/"+id, nil, nil) != http.StatusOK {
		t.Fatal("the contact went without a confirmed erase")
	}
	if code, _ := post(card+"/erase", url.Values{"_csrf": {csrf}, "confirm": {"EWA@example.pl"}}); code != http.StatusSeeOther {
		t.Fatalf("erase: %d", code)
	}
	if code := admin.do("GET", "/api/v1/contacts/"+id, nil, nil); code != http.StatusNotFound {
		t.Errorf("the erased contact answers %d", code)
	}
	if ns, err := inst.st.ContactNotes(context.Background(), ws, id, 100); err != nil || len(ns) != 0 {
		t.Errorf("notes left after the erase: %+v %v", ns, err)
	}
	_, audit, _ := getWith(t, c, base+"/admin/w/"+ws+"/audit")
	for _, a := range []string{"contact.tag_added", "contact.export", "contact.erase", "contact.note_add", "contact.note_delete"} {
		if !strings.Contains(audit, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}
}

// consoleOwner sets up the console's first account from the set-up link in
// the start-up output and returns its client and a form poster.
func consoleOwner(t *testing.T, inst *instance, startOutput string) (*http.Client, func(path string, v url.Values) (int, string)) {
	t.Helper()
	base := inst.url("")
	path, token := setupLink(t, startOutput)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, v url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	pre := formCSRF(t, c, base+path)
	if code, _ := post("/admin/setup", url.Values{"_csrf": {pre}, "t": {token}, "email": {"owner@shop.example"},
		"password": {"a long enough password"}}); code != http.StatusSeeOther {
		t.Fatalf("set-up: %d", code)
	}
	return c, post
}

// An owner makes an API key in the console (its token shown once) that
// the API takes, and revokes it.
func TestConsoleAPIKeys(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	page := "/admin/w/" + ws + "/api-keys"
	csrf := formCSRF(t, c, inst.url(page))
	if code, body := post(page, url.Values{"_csrf": {csrf}, "name": {""}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="key-name-err"`) {
		t.Errorf("a nameless key: %d", code)
	}
	code, body := post(page, url.Values{"_csrf": {csrf}, "name": {"ERP export"}})
	var tok string
	if m := regexp.MustCompile(`value="(cw_[a-z0-9_]+)" aria-label="[^"]*" id="new-token"`).FindStringSubmatch(body); m != nil {
		tok = m[1]
	}
	if code != http.StatusOK || tok == "" {
		t.Fatalf("create key: %d, no token shown", code)
	}
	api := apiClient{t: t, inst: inst, token: tok}
	if code := api.do("GET", "/api/v1/workspace", nil, nil); code != http.StatusOK {
		t.Fatalf("the new key: %d", code)
	}
	if _, again, _ := getWith(t, c, inst.url(page)); strings.Contains(again, tok) {
		t.Error("the key's token is shown again")
	}
	keyID := regexp.MustCompile(`/api-keys/(key_[a-z0-9]+)/revoke`).FindStringSubmatch(body)
	if keyID == nil {
		t.Fatal("no revoke form")
	}
	if code, _ := post(page+"/"+keyID[1]+"/revoke", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if code := api.do("GET", "/api/v1/workspace", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("the revoked key: %d", code)
	}
}

// The settings page's test email goes through the real relay, and says so;
// without a relay it says that nothing is sent.
func TestConsoleTestEmail(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	for _, withRelay := range []bool{true, false} {
		env := map[string]string{"CARTWHEEL_DEMO": "true"}
		if withRelay {
			env["CARTWHEEL_SMTP_URL"] = fmt.Sprintf("smtp://%s:%d?tls=none", host, port)
		}
		inst, out := startTest(t, testEnv(t, t.TempDir(), env))
		ws := inst.demo.Workspace.ID
		c, post := consoleOwner(t, inst, out.String())
		csrf := formCSRF(t, c, inst.url("/admin/w/"+ws+"/settings"))
		code, body := post("/admin/w/"+ws+"/settings/test-email", url.Values{"_csrf": {csrf}, "to": {"ops@shop.example"}})
		switch {
		case code != http.StatusOK:
			t.Errorf("relay %v: %d", withRelay, code)
		case withRelay && (!strings.Contains(body, "The relay took the test email") || smtp.Count() != 1 ||
			smtp.Messages()[0].Subject() != "Cartwheel test email"):
			t.Errorf("with a relay: %d emails, page: %s", smtp.Count(), grepLines(body, "test-result"))
		case !withRelay && !strings.Contains(body, "No SMTP relay is set"):
			t.Errorf("without a relay: %s", grepLines(body, "test-result"))
		}
		if code, body := post("/admin/w/"+ws+"/settings/test-email", url.Values{"_csrf": {csrf}, "to": {"nope"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="test-to-err"`) {
			t.Errorf("a bad address: %d", code)
		}
		inst.stop()
	}
}

// "Why did this visitor see this?" explains the demo's widgets for a
// first-time visitor, and says so for someone it cannot find.
func TestConsoleExplainWidgets(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, _ := consoleOwner(t, inst, out.String())
	code, body, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/widgets/explain?who=1234567890123456789&page=home"))
	if code != http.StatusOK || !strings.Contains(body, `id="explanation"`) {
		t.Fatalf("explain: %d", code)
	}
	// The first-visit pop-up shows to a first-time visitor; "still
	// deciding" waits for the 4th visit.
	rows := regexp.MustCompile(`(?s)<tr data-widget="[^"]+"><th scope="row">([^<]+)</th><td>[^<]*</td><td>([a-z]+)`).FindAllStringSubmatch(body, -1)
	got := map[string]string{}
	for _, r := range rows {
		got[r[1]] = r[2]
	}
	if got["First visit 10 %"] != "yes" || got["Still deciding?"] != "no" {
		t.Errorf("explanation rows %v", got)
	}
	if code, body, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/widgets/explain?who=nobody@example.com")); code != http.StatusOK ||
		!strings.Contains(body, `id="who-err"`) {
		t.Errorf("an unknown email: %d", code)
	}
}
