package admin

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// widgetConsole is a console over a real SQLite file with one workspace,
// its owner signed in, and the decider the API uses for widgets.
type widgetConsole struct {
	t       testing.TB
	h       *Handler
	st      *store.Store
	dec     *personalization.Decider
	ws      string
	session string
	csrf    string
}

func newWidgetConsole(t testing.TB) *widgetConsole {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cw.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	wsvc := workspace.New(st, box, log, nil)
	name, cur, loc := "Kawiarnia", "PLN", "pl"
	ws, err := wsvc.Create(ctx, workspace.Settings{Name: &name, Currency: &cur, Locale: &loc})
	if err != nil {
		t.Fatal(err)
	}
	dec := personalization.New(personalization.Options{Store: st, Log: log})
	acc := accounts.New(st, log)
	h, err := New(Options{Accounts: acc, Store: st, Workspaces: wsvc, Contacts: cdp.NewContacts(st), Personalization: dec,
		PublicURL: "http://localhost:8080", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := acc.SetupLink(ctx)
	session, _, err := acc.CompleteSetup(ctx, token, "owner@shop.example", "", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	c := &widgetConsole{t: t, h: h, st: st, dec: dec, ws: ws.ID, session: session}
	_, body, _ := c.do("GET", "/widgets", nil)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF value on the widgets page:\n%s", body)
	}
	c.csrf = m[1]
	return c
}

// do sends a request to a page of the workspace, a form when v is not nil
// (with the session's CSRF value unless v has one).
func (c *widgetConsole) do(method, page string, v url.Values) (int, string, http.Header) {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		if _, ok := v["_csrf"]; !ok {
			v.Set("_csrf", c.csrf)
		}
		body = strings.NewReader(v.Encode())
	}
	req := httptest.NewRequest(method, "/admin/w/"+c.ws+page, body)
	if v != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.session})
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

// A pop-up with every part the editor has.
func fullPopup() widgets.Definition {
	zero, yes := 0, true
	return widgets.Definition{Name: "Welcome", Kind: widgets.KindPopup, Status: widgets.StatusDraft, Layout: widgets.LayoutCorner,
		Targeting: widgets.Targeting{URL: "/products/*", Pages: []string{"home", "product"}, MinVisits: 2, MaxOrders: &zero,
			CartMinMinor: 2550, Device: "mobile", EmailConsent: &yes,
			Segments: []string{"seg_vip", "seg_loyal"}, ExcludeSegments: []string{"seg_staff"}},
		Trigger:  widgets.Trigger{AfterSeconds: 5, AfterSecondsMax: 9},
		Caps:     widgets.Caps{PerSession: 1, EveryDays: 7, StopAfterConversion: true},
		Discount: &widgets.Discount{Percent: 10, ValidDays: 14, Prefix: "HELLO"},
		Variants: []widgets.Variant{
			{ID: "a", Weight: 3, Content: widgets.Content{Title: "10% off", Body: "Join us", Image: "https://cdn.example/a.png",
				CTA: "Get it", Success: "Your code: {code}", Form: &widgets.Form{Email: true, ConsentText: "Email me",
					ConsentRequired: true, Interests: []string{"Coffee", "Green tea"}}}},
			{ID: "b", Weight: 1, Content: widgets.Content{Title: "Still here?", CTA: "Shop", Link: "/sale",
				Products: &widgets.ProductBlock{Count: 3}, Form: &widgets.Form{Email: true}}},
		}}
}

// Every part of a definition survives the editor: shown, posted back as
// shown, read into the same definition.
func TestWidgetFormRoundTrip(t *testing.T) {
	for _, d := range []widgets.Definition{fullPopup(),
		{Name: "Also viewed", Kind: widgets.KindFrame, Status: widgets.StatusActive, Targeting: widgets.Targeting{Pages: []string{"product"}},
			Frame: &widgets.Frame{Name: "product-page", Selector: "#main .after", Strategy: "viewed_together", Count: 4,
				Title: "Customers also viewed", InStockOnly: true, ExcludeBought: true}},
		{Name: "Inbox", Kind: widgets.KindInbox, Status: widgets.StatusPaused, Targeting: widgets.Targeting{FirstVisit: true}},
	} {
		wf := widgetFormOf(d, "PLN")
		post := url.Values{}
		for name, typ := range wf.specNames() {
			switch v := wf.Values[name]; {
			case typ == ctlChecks && v != "":
				post[name] = strings.Split(v, ",")
			case v != "":
				post.Set(name, v)
			case typ != ctlCheck && typ != ctlChecks:
				post.Set(name, "")
			}
		}
		req := httptest.NewRequest("POST", "/", strings.NewReader(post.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		back, bad := readWidgetForm(req, d.Kind).definition("PLN")
		if len(bad) > 0 {
			t.Errorf("%s: %v", d.Name, bad)
		}
		if !reflect.DeepEqual(back, d) {
			a, _ := json.Marshal(d)
			b, _ := json.Marshal(back)
			t.Errorf("%s: the editor changed the definition:\n%s\n%s", d.Name, a, b)
		}
	}
}

var fieldErr = regexp.MustCompile(`<p class="err" id="([^"]+)-err">([^<]*)</p>`)

// errorsOf lists the page's field errors by the control's id.
func errorsOf(page string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldErr.FindAllStringSubmatch(page, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// valueOf is the value an input shows.
func valueOf(page, id string) string {
	m := regexp.MustCompile(`id="` + id + `" name="[^"]*" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return "(no field " + id + ")"
	}
	return html.UnescapeString(m[1])
}

// The editor refuses what the API refuses, with the API's validation
// (widgets/validate.go), each error next to its control and everything
// typed kept; what the console itself cannot read (a number, an amount)
// the same way; a good form is stored as the API would store it.
func TestWidgetEditorValidation(t *testing.T) {
	c := newWidgetConsole(t)
	ctx := context.Background()
	w, err := c.dec.CreateWidget(ctx, c.ws, fullPopup(), "")
	if err != nil {
		t.Fatal(err)
	}
	page := "/widgets/" + w.ID
	code, body, hd := c.do("GET", page, nil)
	if code != 200 || !strings.Contains(hd.Get("Content-Security-Policy"), "frame-src 'self'") {
		t.Fatalf("editor: %d, CSP %q", code, hd.Get("Content-Security-Policy"))
	}
	if v := valueOf(body, "w-variants-1-content-title"); v != "Still here?" {
		t.Fatalf("the second variant's title shows %q", v)
	}
	form := func(change map[string]string) url.Values {
		wf := widgetFormOf(fullPopup(), "PLN")
		v := url.Values{}
		for name, typ := range wf.specNames() {
			switch s := wf.Values[name]; {
			case s != "" && typ == ctlChecks:
				v[name] = strings.Split(s, ",")
			case s != "":
				v.Set(name, s)
			}
		}
		v["targeting.pages"] = []string{"home", "product"}
		v.Set("variants[0].content.form.interests", "Coffee\nGreen tea")
		for k, s := range change {
			v.Set(k, s)
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		change map[string]string
		id     string // the control the error is next to
		want   string
	}{
		{"an empty title", map[string]string{"variants[1].content.title": " ", "name": "Kept name"}, "w-variants-1-content-title", "required"},
		{"a javascript: link", map[string]string{"variants[1].content.link": "javascript:alert(1)"}, "w-variants-1-content-link", "http(s)"},
		{"a duplicate variant id", map[string]string{"variants[1].id": "a"}, "w-variants-1-id", "unique"},
		{"a weight too big", map[string]string{"variants[0].weight": "20000"}, "w-variants-0-weight", "0 to 10000"},
		{"a bad interest", map[string]string{"variants[0].content.form.interests": "Coffee\n!!!"}, "w-variants-0-content-form-interests", "letter or digit"},
		{"consent required without its text", map[string]string{"variants[0].content.form.consent_text": ""}, "w-variants-0-content-form-consent-text", "required"},
		{"a discount without a form", map[string]string{"variants[1].content.form": ""}, "w-variants-1-content-form", "every variant needs a form"},
		{"a discount over 100 %", map[string]string{"discount.value": "150"}, "w-discount", "percent"},
		{"a lower-case prefix that is not letters", map[string]string{"discount.prefix": "HI-THERE"}, "w-discount-prefix", "letters and digits"},
		{"a scroll trigger over 100", map[string]string{"trigger": "scroll_percent", "trigger.scroll_percent": "150"}, "w-trigger-scroll-percent", "0 to 100"},
		{"a range shorter than its start", map[string]string{"trigger.after_seconds_max": "2"}, "w-trigger-after-seconds-max", "at least after_seconds"},
		{"a contradiction", map[string]string{"targeting.first_visit": "on", "targeting.min_visits": "3"}, "w-targeting-first-visit", "contradicts"},
		{"products without a count", map[string]string{"variants[1].content.products.count": ""}, "w-variants-1-content-products-count", "1 to 12"},
		{"an unreadable number", map[string]string{"caps.every_days": "a week"}, "w-caps-every-days", "A whole number"},
		{"an unreadable amount", map[string]string{"targeting.cart_min_minor": "25.555"}, "w-targeting-cart-min-minor", "An amount"},
		{"no number for inactivity", map[string]string{"trigger": "inactive_seconds"}, "w-trigger-inactive-seconds", "above 0"},
	} {
		v := form(tc.change)
		code, body, _ := c.do("POST", page, v)
		errs := errorsOf(body)
		if code != http.StatusUnprocessableEntity || !strings.Contains(errs[tc.id], tc.want) {
			t.Errorf("%s: %d, errors %v; want %q next to %s", tc.name, code, errs, tc.want, tc.id)
			continue
		}
		if len(errs) != 1 {
			t.Errorf("%s: more than one error: %v", tc.name, errs)
		}
		if !strings.Contains(body, `id="`+tc.id+`"`) {
			t.Errorf("%s: the page lost the control %s", tc.name, tc.id)
		}
		for k, typed := range tc.change {
			id := (widgetField{Name: k}).ID()
			if typ := c.typeOf(k); typ == ctlText || typ == ctlNumber || typ == ctlMoney {
				if got := valueOf(body, id); got != strings.TrimSpace(typed) {
					t.Errorf("%s: %s shows %q after the refusal, typed %q", tc.name, k, got, typed)
				}
			}
		}
	}
	// Nothing of that was stored.
	if got, _ := c.st.Widget(ctx, c.ws, w.ID); string(got.Definition) != string(w.Definition) {
		t.Errorf("a refused form changed the widget: %s", got.Definition)
	}
	// The form without changes but a new title is stored as the API would.
	code, _, hd = c.do("POST", page, form(map[string]string{"variants[0].content.title": "15% off today"}))
	if code != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "saved=1") {
		t.Fatalf("a good form: %d %s", code, hd.Get("Location"))
	}
	want := fullPopup()
	want.Variants[0].Content.Title = "15% off today"
	if err := want.Validate(); err != nil {
		t.Fatal(err)
	}
	got, _ := c.st.Widget(ctx, c.ws, w.ID)
	if wantJSON, _ := json.Marshal(want); string(got.Definition) != string(wantJSON) {
		t.Errorf("stored:\n%s\nwant:\n%s", got.Definition, wantJSON)
	}
	// Without the CSRF value nothing is stored.
	v := form(map[string]string{"variants[0].content.title": "Forged"})
	v.Set("_csrf", "")
	if code, _, _ := c.do("POST", page, v); code != http.StatusForbidden {
		t.Errorf("a post without the CSRF value: %d", code)
	}
}

func (c *widgetConsole) typeOf(name string) string {
	return (&widgetForm{Kind: widgets.KindPopup, Variants: 2}).specNames()[name]
}

// Variants are added (the last one's content, the next free id) and
// removed (the later ones move up) in the form, and stored only on save.
func TestWidgetEditorVariants(t *testing.T) {
	wf := widgetFormOf(fullPopup(), "PLN")
	wf.addVariant()
	if wf.Variants != 3 || wf.Values["variants[2].id"] != "c" || wf.Values["variants[2].content.title"] != "Still here?" {
		t.Fatalf("added: %d variants, %q %q", wf.Variants, wf.Values["variants[2].id"], wf.Values["variants[2].content.title"])
	}
	wf.removeVariant(0)
	if wf.Variants != 2 || wf.Values["variants[0].id"] != "b" || wf.Values["variants[1].id"] != "c" || wf.Values["variants[2].id"] != "" {
		t.Fatalf("after removing a: %d, %q %q %q", wf.Variants, wf.Values["variants[0].id"], wf.Values["variants[1].id"], wf.Values["variants[2].id"])
	}
	d, bad := wf.definition("PLN")
	if len(bad) > 0 || len(d.Variants) != 2 || d.Variants[0].ID != "b" || d.Variants[0].Content.Form == nil || d.Variants[0].Content.Form.ConsentText != "" {
		t.Errorf("read back: %v %+v", bad, d.Variants)
	}
	wf.removeVariant(0)
	wf.removeVariant(0)
	if wf.Variants != 1 {
		t.Errorf("the last variant was removed: %d left", wf.Variants)
	}
}

var previewScript = regexp.MustCompile(`<script src="/admin/static/w.js" nonce="([^"]+)" data-cartwheel-preview="([^"]+)"`)

// The preview page runs the bundle and nothing else (its nonce is the
// only script allowed), fetches nothing, is framed only by the console,
// and carries the saved widget (GET) or the typed one (POST, a viewer's
// too: it stores nothing), or says why there is nothing to show.
func TestWidgetPreviewPage(t *testing.T) {
	c := newWidgetConsole(t)
	ctx := context.Background()
	w, err := c.dec.CreateWidget(ctx, c.ws, fullPopup(), "")
	if err != nil {
		t.Fatal(err)
	}
	code, body, hd := c.do("GET", "/widgets/"+w.ID+"/preview?variant=a", nil)
	m := previewScript.FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("preview: %d\n%s", code, body)
	}
	csp := hd.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'nonce-"+m[1]+"'") || !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "connect-src") || !strings.Contains(csp, "frame-ancestors 'self'") || hd.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("preview headers: CSP %q, X-Frame-Options %q", csp, hd.Get("X-Frame-Options"))
	}
	var ans personalization.Decision
	if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &ans); err != nil {
		t.Fatal(err)
	}
	if !ans.W || len(ans.Popups) != 1 || ans.Popups[0].Variant != "a" || ans.Popups[0].Content.Title != "10% off" ||
		ans.Locale != "pl" || ans.Texts["email"] == "" {
		t.Errorf("the saved widget's answer: %+v", ans)
	}
	_, again, _ := c.do("GET", "/widgets/"+w.ID+"/preview?variant=a", nil)
	if n := previewScript.FindStringSubmatch(again); n == nil || n[1] == m[1] {
		t.Error("the nonce did not change between two pages")
	}
	// Variant b shows products, and this shop has none yet: said so.
	_, body, _ = c.do("GET", "/widgets/"+w.ID+"/preview?variant=b", nil)
	if !strings.Contains(body, `id="preview-problem"`) || !strings.Contains(body, "no products") || previewScript.MatchString(body) {
		t.Errorf("variant b without products:\n%s", body)
	}
	// Variant a, as typed, not saved.
	post := url.Values{}
	wf := widgetFormOf(fullPopup(), "PLN")
	for k, v := range wf.Values {
		post.Set(k, v)
	}
	post["targeting.pages"] = []string{"home"}
	post.Set("variants[0].content.title", "Typed, not saved")
	post.Set("variant", "a")
	_, body, _ = c.do("POST", "/widgets/"+w.ID+"/preview", post)
	m = previewScript.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("typed preview:\n%s", body)
	}
	ans = personalization.Decision{}
	_ = json.Unmarshal([]byte(html.UnescapeString(m[2])), &ans)
	if len(ans.Popups) != 1 || ans.Popups[0].Content.Title != "Typed, not saved" || ans.Popups[0].Variant != "a" {
		t.Errorf("typed preview answer: %+v", ans)
	}
	if !strings.Contains(body, `data-cartwheel-preview-code="HELLO-PREVIEW"`) {
		t.Error("the preview of a pop-up with a discount has no sample code")
	}
	if got, _ := c.st.Widget(ctx, c.ws, w.ID); string(got.Definition) != string(w.Definition) {
		t.Error("a preview stored the typed widget")
	}
	// Something the API refuses: said, and no script.
	post.Set("variants[0].content.title", "")
	_, body, _ = c.do("POST", "/widgets/"+w.ID+"/preview", post)
	if !strings.Contains(body, `id="preview-problem"`) || !strings.Contains(body, "variants[0].content.title") || previewScript.MatchString(body) {
		t.Errorf("a refused preview:\n%s", body)
	}
}

// A new widget starts from the kind the list's link names, is refused
// like an edited one, and is created through the API's path, with the
// audit log saying so; its preview before anything is typed says what is
// missing.
func TestWidgetEditorCreates(t *testing.T) {
	c := newWidgetConsole(t)
	ctx := context.Background()
	code, body, _ := c.do("GET", "/widgets/new?kind=frame", nil)
	if code != 200 || !strings.Contains(body, `id="w-frame-name"`) || strings.Contains(body, `id="w-variants-0-id"`) {
		t.Fatalf("new frame form: %d", code)
	}
	if _, body, _ := c.do("GET", "/widgets/new/preview?kind=popup", nil); !strings.Contains(body, `id="preview-problem"`) {
		t.Errorf("the preview of an empty pop-up: %s", body)
	}
	v := url.Values{"kind": {"frame"}, "name": {"Also viewed"}, "status": {"draft"}, "frame.name": {"bad name!"}, "frame.count": {"4"}}
	code, body, _ = c.do("POST", "/widgets/new", v)
	if errs := errorsOf(body); code != http.StatusUnprocessableEntity || !strings.Contains(errs["w-frame-name"], "A-Z") {
		t.Fatalf("a bad frame name: %d %v", code, errs)
	}
	v = url.Values{"kind": {"frame"}, "name": {"Also viewed"}, "status": {"draft"}, "frame.name": {"product-page"}, "frame.count": {"4"},
		"frame.strategy": {"bestsellers"}}
	code, _, hd := c.do("POST", "/widgets/new", v)
	if code != http.StatusSeeOther {
		t.Fatalf("a good frame: %d", code)
	}
	ws, err := c.st.Widgets(ctx, c.ws)
	if err != nil || len(ws) != 1 || ws[0].Kind != widgets.KindFrame || !strings.Contains(hd.Get("Location"), ws[0].ID) {
		t.Fatalf("created: %+v %v, sent to %s", ws, err, hd.Get("Location"))
	}
	if _, body, _ := c.do("GET", "/audit", nil); !strings.Contains(body, "widget.create") {
		t.Error("the audit log lacks widget.create")
	}
}

// Whatever a form holds, reading it and validating what it reads never
// panics, and a definition that validates keeps its variants' ids.
func FuzzWidgetForm(f *testing.F) {
	f.Add("popup", "after_seconds", "5", "a", "1", "Title", "Coffee\nTea", "percent", "10", "25,50")
	f.Add("popup", "scroll_percent", "x", "", "-1", "", "\n\n", "amount", "1.005", "")
	f.Add("frame", "", "", "b", "99999999999999999999", "T", "", "", "", "-3")
	f.Fuzz(func(t *testing.T, kind, trigger, num, id, weight, title, interests, discount, value, money string) {
		v := url.Values{"name": {title}, "trigger": {trigger}, "trigger.after_seconds": {num}, "trigger.scroll_percent": {num},
			"trigger.inactive_seconds": {num}, "variants[0].id": {id}, "variants[0].weight": {weight},
			"variants[0].content.title": {title}, "variants[0].content.form": {"on"},
			"variants[0].content.form.interests": {interests}, "discount": {discount}, "discount.value": {value},
			"targeting.cart_min_minor": {money}, "targeting.max_orders": {num}, "frame.name": {id}, "frame.count": {num},
			"variants[1].id": {weight}, "variants[1].content.products.strategy": {trigger}}
		req := httptest.NewRequest("POST", "/", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wf := readWidgetForm(req, kind)
		d, _ := wf.definition("PLN")
		if err := d.Validate(); err == nil && d.Kind == widgets.KindPopup && (len(d.Variants) != 2 || d.Variants[0].ID != id) {
			t.Errorf("valid, yet variants %+v", d.Variants)
		}
		wf.addVariant()
		wf.removeVariant(0)
	})
}
