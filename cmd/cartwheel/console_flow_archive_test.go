package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A flow is archived from the console after a confirmation page: it leaves
// the flows list (shown again on asking), its enrollments end, and it is
// restored paused. The API archives and restores the same way, and lists
// archived flows only when asked.
func TestConsoleFlowArchive(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	if code := admin.do("POST", "/api/v1/flow-templates", nil, nil); code != 200 && code != 201 {
		t.Fatalf("enable all flows: %d", code)
	}
	type flowList struct {
		Flows []struct{ ID, Name, Status string } `json:"flows"`
	}
	var all flowList
	admin.do("GET", "/api/v1/flows", nil, &all)
	if len(all.Flows) < 2 {
		t.Fatalf("flows: %+v", all)
	}
	f, g := all.Flows[0], all.Flows[1]
	flows := "/admin/w/" + ws + "/flows"

	code, page, _ := getWith(t, c, inst.url(flows+"/"+f.ID+"/archive"))
	if code != 200 || !strings.Contains(page, `id="archive-confirm"`) || !strings.Contains(page, f.Name) {
		t.Fatalf("confirmation page: %d %s", code, page)
	}
	csrf := formCSRF(t, c, inst.url(flows+"/"+f.ID+"/archive"))
	if code, _ := post(flows+"/"+f.ID+"/archive", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("archive: %d", code)
	}
	_, page, _ = getWith(t, c, inst.url(flows))
	if strings.Contains(page, `data-flow="`+f.ID+`"`) || !strings.Contains(page, `id="show-archived"`) {
		t.Errorf("the archived flow is listed, or no way to show it")
	}
	_, page, _ = getWith(t, c, inst.url(flows+"?archived=show"))
	if !strings.Contains(page, `data-flow="`+f.ID+`"`) || !strings.Contains(page, "/flows/"+f.ID+"/restore") {
		t.Errorf("archived flows shown without the archived one or its restore button")
	}
	var one struct{ Status string }
	if admin.do("GET", "/api/v1/flows/"+f.ID, nil, &one); one.Status != "archived" {
		t.Errorf("status after archiving: %q", one.Status)
	}
	// A stale "activate" form for the archived flow changes nothing.
	if code, _ := post(flows+"/"+f.ID+"/status", url.Values{"_csrf": {csrf}, "status": {"active"}}); code != http.StatusNotFound {
		t.Errorf("activating an archived flow: %d", code)
	}
	if code, _ := post(flows+"/"+f.ID+"/restore", url.Values{"_csrf": {csrf}}); code != http.StatusSeeOther {
		t.Fatalf("restore: %d", code)
	}
	if admin.do("GET", "/api/v1/flows/"+f.ID, nil, &one); one.Status != "paused" {
		t.Errorf("status after restoring: %q", one.Status)
	}
	_, audit, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/audit"))
	for _, a := range []string{"flow.archived", "flow.restored"} {
		if !strings.Contains(audit, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}

	// The API.
	if code := admin.do("POST", "/api/v1/flows/"+g.ID+"/archive", nil, &one); code != 200 || one.Status != "archived" {
		t.Fatalf("archive by the API: %d %+v", code, one)
	}
	var listed flowList
	admin.do("GET", "/api/v1/flows", nil, &listed)
	for _, x := range listed.Flows {
		if x.ID == g.ID {
			t.Error("the archived flow is listed by default")
		}
	}
	admin.do("GET", "/api/v1/flows?archived=only", nil, &listed)
	if len(listed.Flows) != 1 || listed.Flows[0].ID != g.ID {
		t.Errorf("archived=only: %+v", listed.Flows)
	}
	admin.do("GET", "/api/v1/flows?archived=include", nil, &listed)
	if len(listed.Flows) != len(all.Flows) {
		t.Errorf("archived=include lists %d of %d", len(listed.Flows), len(all.Flows))
	}
	if code := admin.do("GET", "/api/v1/flows?archived=maybe", nil, nil); code != 400 {
		t.Errorf("archived=maybe: %d", code)
	}
	if code := admin.do("POST", "/api/v1/flows/"+g.ID+"/activate", nil, nil); code != 400 {
		t.Errorf("activate an archived flow: %d", code)
	}
	if code := admin.do("POST", "/api/v1/flows/"+g.ID+"/restore", nil, &one); code != 200 || one.Status != "paused" {
		t.Errorf("restore by the API: %d %+v", code, one)
	}
	if code := admin.do("POST", "/api/v1/flows/"+g.ID+"/restore", nil, nil); code != 409 {
		t.Errorf("restore a flow not archived: %d", code)
	}
}
