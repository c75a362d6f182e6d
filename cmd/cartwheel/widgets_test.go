package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

type decideJSON struct {
	W      bool `json:"w"`
	Popups []struct {
		ID      string         `json:"id"`
		Variant string         `json:"variant"`
		Trigger map[string]int `json:"trigger"`
	} `json:"popups"`
	Frames []struct {
		ID       string `json:"id"`
		Strategy string `json:"strategy"`
		Products []struct {
			ID    string `json:"id"`
			Price string `json:"price"`
		} `json:"products"`
	} `json:"frames"`
	Inbox *struct {
		Unread int `json:"unread"`
	} `json:"inbox"`
}

// widgetShop is a workspace with products and the four ready-made
// widgets active.
type widgetShop struct {
	flowShop
	widgets map[string]string // template → widget id
}

func newWidgetShop(t *testing.T, inst *instance, domain, apiURL string) widgetShop {
	t.Helper()
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Widget shop"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: w.ID}
	if code := api.do("POST", "/api/v1/shops", map[string]any{"platform": "shopify", "domain": domain,
		"access_token": "shpat_flows", "webhook_secret": "whsec_widgets", "api_url": apiURL}, nil); code != 201 {
		t.Fatalf("shop: %d", code)
	}
	settings := map[string]any{"from_email": "hello@shop.example", "from_name": "Widget Shop",
		"address": "1 Market Street, Springfield", "quiet_hours": map[string]int{"start": 0, "end": 0}}
	if code := api.do("PATCH", "/api/v1/messaging/settings", settings, nil); code != 200 {
		t.Fatalf("messaging settings: %d", code)
	}
	s := widgetShop{flowShop: flowShop{api: api, ws: w, secret: "whsec_widgets"}, widgets: map[string]string{}}
	var ps []commerce.Product
	for i := 1; i <= 12; i++ {
		ps = append(ps, commerce.Product{WorkspaceID: s.ws.ID, ID: fmt.Sprintf("p%d", i), ShopID: "manual", Handle: fmt.Sprintf("p%d", i),
			Title: fmt.Sprintf("Beans %d", i), Category: "Coffee", PriceMinor: 1250, Currency: "EUR", Stock: 5, Status: "active",
			URL: fmt.Sprintf("https://%s/products/p%d", domain, i), CreatedAt: time.Now(), UpdatedAt: time.Now()})
	}
	if err := inst.st.UpsertProducts(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first_visit_discount", "still_deciding", "product_recommendations", "inbox"} {
		var w struct{ ID, Status string }
		if code := s.api.do("POST", "/api/v1/widget-templates/"+name, map[string]any{"status": "active"}, &w); code != 201 || w.Status != "active" {
			t.Fatalf("template %s: %d %+v", name, code, w)
		}
		s.widgets[name] = w.ID
	}
	return s
}

func (s widgetShop) decide(t *testing.T, visitor, session, page, product, frames string) decideJSON {
	t.Helper()
	q := url.Values{"k": {s.ws.SiteKey}, "v": {visitor}, "s": {session}, "p": {page}, "pid": {product}, "f": {frames},
		"u": {"https://shop.example/"}}
	code, body, hdr := get(t, s.api.inst.url("/decide?"+q.Encode()))
	if code != 200 || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("decide: %d %s", code, body)
	}
	var d decideJSON
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// track sends tracker events for a visitor's session through /collect.
func (s widgetShop) track(t *testing.T, visitor, session string, evs ...map[string]any) {
	t.Helper()
	for i, e := range evs {
		e["id"] = fmt.Sprintf("%s-%s-%d-%d", visitor, session, i, time.Now().UnixNano())
		e["ts"] = time.Now().UnixMilli()
		e["u"] = "https://shop.example/"
	}
	body, _ := json.Marshal(map[string]any{"k": s.ws.SiteKey, "v": visitor, "s": session, "e": evs})
	if code, a, _ := postCollect(t, s.api.inst, body, nil); code != 200 && code != 202 {
		t.Fatalf("collect: %d %+v", code, a)
	}
}

func post(t *testing.T, inst *instance, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", inst.url(path), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", browsertest.UserAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func pageView() map[string]any { return map[string]any{"t": "page_view"} }

func productView(id string) map[string]any {
	return map[string]any{"t": "product_view", "p": map[string]any{"product": map[string]any{"id": id, "category": "Coffee"}}}
}

func TestWidgetsEndToEnd(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SetToken("shpat_flows")
	inst, logs := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(),
		"CARTWHEEL_SYNC_INTERVAL": "0"}))
	s := newWidgetShop(t, inst, "test-shop.myshopify.com", fake.URL())
	if code := s.api.do("POST", "/api/v1/flow-templates/welcome", nil, nil); code != 201 {
		t.Fatalf("welcome flow: %d", code)
	}
	first, still, frame := s.widgets["first_visit_discount"], s.widgets["still_deciding"], s.widgets["product_recommendations"]

	// A first-time visitor gets the first-visit pop-up, 10-20 s in, and the inbox.
	d := s.decide(t, "visitor-ann", "s1", "home", "", "")
	if !d.W || len(d.Popups) != 1 || d.Popups[0].ID != first || d.Inbox == nil {
		t.Fatalf("first visit: %+v", d)
	}
	if a := d.Popups[0].Trigger["after_seconds"]; a < 10 || a > 20 {
		t.Errorf("after_seconds %d", a)
	}
	s.track(t, "visitor-ann", "s1", pageView(), map[string]any{"t": "widget_shown", "p": map[string]any{"widget": first, "variant": "a"}})

	// Four visits without an order: "still deciding?".
	s.track(t, "visitor-bob", "b1", pageView(), productView("p1"))
	s.track(t, "visitor-bob", "b2", pageView(), productView("p2"))
	s.track(t, "visitor-bob", "b3", pageView())
	waitFor(t, "bob's third visit", func() bool {
		var ex struct {
			Explanation struct {
				Visitor struct{ Visit int } `json:"visitor"`
			} `json:"explanation"`
		}
		s.api.do("GET", "/api/v1/decide/explain?visitor=visitor-bob&session=b3", nil, &ex)
		return ex.Explanation.Visitor.Visit == 3
	})
	d = s.decide(t, "visitor-bob", "b4", "home", "", "")
	if len(d.Popups) != 1 || d.Popups[0].ID != still {
		t.Fatalf("4th visit: %+v", d)
	}
	var ex struct {
		Explanation struct {
			Widgets []struct {
				Widget string
				Shown  bool
				Why    string
			} `json:"widgets"`
		} `json:"explanation"`
	}
	s.api.do("GET", "/api/v1/decide/explain?visitor=visitor-bob&session=b4", nil, &ex)
	for _, w := range ex.Explanation.Widgets {
		if w.Widget == first && (w.Shown || !strings.Contains(w.Why, "first_visit")) {
			t.Errorf("explanation for the first-visit pop-up: %+v", w)
		}
	}

	// Submitting: identified, consent with its text, interests, code from the shop.
	if code, _ := post(t, inst, "/widgets/submit", map[string]any{"k": s.ws.SiteKey, "v": "visitor-ann", "widget": first,
		"variant": "a", "email": "ann@example.com", "consent": false}); code != 400 {
		t.Fatalf("submit without the required consent: %d", code)
	}
	code, res := post(t, inst, "/widgets/submit", map[string]any{"k": s.ws.SiteKey, "v": "visitor-ann", "widget": first,
		"variant": "a", "email": "Ann@Example.com", "consent": true})
	codeStr, _ := res["code"].(string)
	if code != 200 || !strings.HasPrefix(codeStr, "WELCOME-") || !strings.Contains(res["message"].(string), codeStr) {
		t.Fatalf("submit: %d %v\n%s", code, res, grepLines(logs.String(), "discount"))
	}
	if ds := fake.Discounts(); len(ds) != 1 || ds[0].Code != codeStr {
		t.Fatalf("shop discounts %+v", ds)
	}
	if _, again := post(t, inst, "/widgets/submit", map[string]any{"k": s.ws.SiteKey, "v": "visitor-ann", "widget": first,
		"variant": "a", "email": "ann@example.com", "consent": true}); again["code"] != codeStr {
		t.Fatalf("second submit revealed %v, want %s", again["code"], codeStr)
	}
	var contact string
	waitFor(t, "ann identified with consent", func() bool {
		c, err := inst.st.ContactByEmail(context.Background(), s.ws.ID, "ann@example.com")
		if err != nil {
			return false
		}
		contact = c.ID
		cs, _ := inst.st.Consents(context.Background(), s.ws.ID, c.ID)
		return len(cs) == 1 && cs[0].Granted && strings.HasPrefix(cs[0].Text, "Yes, email me offers")
	})
	waitFor(t, "welcome flow enrollment", func() bool {
		var flows struct {
			Flows []struct{ ID, Name string } `json:"flows"`
		}
		s.api.do("GET", "/api/v1/flows", nil, &flows)
		for _, f := range flows.Flows {
			var ens struct {
				Enrollments []struct {
					ContactID string `json:"contact_id"`
				} `json:"enrollments"`
			}
			s.api.do("GET", "/api/v1/flows/"+f.ID+"/enrollments", nil, &ens)
			for _, en := range ens.Enrollments {
				if en.ContactID == contact {
					return true
				}
			}
		}
		return false
	})

	// Frames: co-viewed products after seeded visitors' views.
	for i := range 6 {
		v := fmt.Sprintf("visitor-seed-%d", i)
		s.track(t, v, "x"+v, pageView(), productView("p5"), productView("p6"))
	}
	waitFor(t, "viewed together", func() bool {
		d := s.decide(t, "visitor-carl", "c1", "product", "p5", "product-page")
		return len(d.Frames) == 1 && d.Frames[0].ID == frame && len(d.Frames[0].Products) > 0 &&
			d.Frames[0].Products[0].ID == "p6" && d.Frames[0].Strategy == "viewed_together"
	})

	// An order by Ann converts the pop-up she saw.
	ingest := cdp.NewIngest(inst.st, inst.log, nil)
	if err := ingest.RecordOrder(context.Background(), commerce.Order{ID: "o1", WorkspaceID: s.ws.ID, ShopID: "manual",
		ExternalID: "o1", VisitorID: "visitor-ann", Currency: "EUR", TotalMinor: 2500, PlacedAt: time.Now(),
		Items: []commerce.LineItem{{ProductID: "p1", Quantity: 2, PriceMinor: 1250}}}, "shopify"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "stats", func() bool {
		var st struct {
			Variants []struct {
				Variant                                        string
				Impressions, Submissions, Conversions, Revenue int64
				RevenueMinor                                   int64 `json:"revenue_minor"`
			} `json:"variants"`
		}
		s.api.do("GET", "/api/v1/widgets/"+first+"/stats", nil, &st)
		return len(st.Variants) == 1 && st.Variants[0].Impressions == 1 && st.Variants[0].Submissions == 2 &&
			st.Variants[0].Conversions == 1 && st.Variants[0].RevenueMinor == 2500
	})

	// Wishlist and inbox.
	if code, _ := post(t, inst, "/wishlist", map[string]any{"k": s.ws.SiteKey, "v": "visitor-ann", "product_id": "p3", "on": true}); code != 204 {
		t.Fatalf("wishlist: %d", code)
	}
	createMessage(t, inst, storeInboxMessage(s.ws.ID, contact))
	// A lead form identifies the browser but proves nothing (anyone can type
	// an email): the inbox opens once the browser presents a proof, here the
	// one a click on the welcome email's link to the shop hands it.
	if code, body, _ := get(t, inst.url("/inbox?k="+s.ws.SiteKey+"&v=visitor-ann")); code != 200 || strings.Contains(body, "Your code") {
		t.Fatalf("inbox before any proof: %d %s", code, body)
	}
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	proof := messaging.NewLinks(inst.cfg.PublicURL, box).Proof(s.ws.ID, contact, messaging.ProofEmailLink, time.Now().Add(time.Minute))
	if code := verify(t, inst, s.ws.SiteKey, "visitor-ann", proof); code != 200 {
		t.Fatalf("verify: %d", code)
	}
	code, body, _ := get(t, inst.url("/inbox?k="+s.ws.SiteKey+"&v=visitor-ann"))
	var inbox struct {
		Messages []struct{ ID, Title string } `json:"messages"`
		Wishlist []struct{ ID string }        `json:"wishlist"`
	}
	_ = json.Unmarshal([]byte(body), &inbox)
	if code != 200 || len(inbox.Messages) != 1 || inbox.Messages[0].Title != "Your code" || len(inbox.Wishlist) != 1 {
		t.Fatalf("inbox: %d %s", code, body)
	}

	// Tenant isolation: another workspace's site key reads nothing of Ann.
	other := newFlowShop(t, inst, "other-shop.myshopify.com")
	code, body, _ = get(t, inst.url("/inbox?k="+other.ws.SiteKey+"&v=visitor-ann"))
	if code != 200 || strings.Contains(body, "Your code") || strings.Contains(body, "p3") {
		t.Fatalf("workspace B read A's inbox: %d %s", code, body)
	}
	if code, _ := post(t, inst, "/inbox/read", map[string]any{"k": other.ws.SiteKey, "v": "visitor-ann", "id": inbox.Messages[0].ID}); code != 404 {
		t.Fatalf("workspace B marked A's message read: %d", code)
	}
	if code := other.api.do("GET", "/api/v1/widgets/"+first, nil, nil); code != 404 {
		t.Fatalf("workspace B read A's widget: %d", code)
	}
	if code, _ := post(t, inst, "/inbox/read", map[string]any{"k": s.ws.SiteKey, "v": "visitor-ann", "id": inbox.Messages[0].ID}); code != 204 {
		t.Fatalf("mark read: %d", code)
	}
}

func storeInboxMessage(ws, contact string) store.Message {
	return store.Message{ID: "msg_widget_inbox", WorkspaceID: ws, ContactID: contact, Channel: store.ChannelInbox,
		Status: store.MessageSent, Subject: "Your code", Body: json.RawMessage(`{"title":"Your code","body":"WELCOME"}`)}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
