package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A pop-up that promises a discount code cannot go live where no code can
// be made (a workspace whose only shop is custom): activation is refused
// with a 400 that says why, the ready-made lead pop-up comes without the
// promise (and in the workspace's language), and the push prompt's words
// follow the workspace's language and its active push flows.
func TestWidgetsPromiseOnlyWhatTheWorkspaceCanGive(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Sklep", "locale": "pl",
		"allowed_origins": []string{"https://sklep.example"}}, &w); code != http.StatusCreated {
		t.Fatalf("create workspace: %d", code)
	}
	admin.ws = w.ID
	if code := admin.do("POST", "/api/v1/shops", map[string]any{"platform": "custom", "domain": "sklep.example"}, nil); code != http.StatusCreated {
		t.Fatalf("connect a custom shop: %d", code)
	}

	def := map[string]any{"name": "Lead", "kind": "popup", "status": "active",
		"variants": []any{map[string]any{"id": "a", "content": map[string]any{"title": "10 %", "cta": "Get my code",
			"form":    map[string]any{"email": true},
			"success": "Thanks! Your code is {code}."}}},
		"discount": map[string]any{"percent": 10, "valid_days": 14, "prefix": "WELCOME"}}
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	var raw json.RawMessage
	code := admin.do("POST", "/api/v1/widgets", def, &raw)
	_ = json.Unmarshal(raw, &e)
	if code != http.StatusBadRequest || !strings.Contains(e.Error.Message, "no shop of this workspace can make one") {
		t.Fatalf("an active pop-up promising a code without a code maker: %d %s, want 400 saying why", code, raw)
	}
	// As a draft it may be kept; activating it is refused the same way.
	def["status"] = "draft"
	var made struct{ ID string }
	if code := admin.do("POST", "/api/v1/widgets", def, &made); code != http.StatusCreated {
		t.Fatalf("draft: %d", code)
	}
	if code := admin.do("POST", "/api/v1/widgets/"+made.ID+"/activate", nil, &raw); code != http.StatusBadRequest {
		t.Errorf("activating it: %d %s, want 400", code, raw)
	}

	// The ready-made lead pop-up, here: Polish, a sign-up without a code.
	var tpl struct {
		ID, Status string
		Definition json.RawMessage
	}
	if code := admin.do("POST", "/api/v1/widget-templates/first_visit_discount", map[string]any{"status": "active"}, &tpl); code != http.StatusCreated || tpl.Status != "active" {
		t.Fatalf("ready-made lead pop-up: %d %+v", code, tpl)
	}
	d := string(tpl.Definition)
	if strings.Contains(d, "{code}") || strings.Contains(d, `"discount"`) || !strings.Contains(d, "Zapisz mnie") {
		t.Errorf("ready-made lead pop-up without a code maker: %s", d)
	}

	// The push prompt: the cart flow's words, in Polish.
	prompt := func() (show bool, text string) {
		t.Helper()
		res, err := http.Get(inst.url("/push/prompt?" + url.Values{"k": {w.SiteKey}, "v": {"visitor-pp-1"}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var pp struct {
			Show  bool
			Texts map[string]string
		}
		if err := json.NewDecoder(res.Body).Decode(&pp); err != nil || res.StatusCode != 200 {
			t.Fatalf("GET /push/prompt: %d %v", res.StatusCode, err)
		}
		return pp.Show, pp.Texts["text"]
	}
	// (Without a push flow there is no prompt at all: personalization's
	// TestPushPromptPromisesOnlyActivePushFlows.)
	if code := admin.do("POST", "/api/v1/flow-templates/abandoned_cart_push", map[string]any{}, nil); code != 200 && code != 201 {
		t.Fatalf("abandoned cart push flow: %d", code)
	}
	if show, text := prompt(); !show || text != "Zezwól na powiadomienia: przypomnienia o koszyku." {
		t.Errorf("push prompt with a cart push flow in a Polish workspace: %v %q", show, text)
	}
}
