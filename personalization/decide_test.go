package personalization

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

func TestFirstVisitThenStillDeciding(t *testing.T) {
	e := newEnv(t)
	e.products(10)
	first := e.template("first_visit_discount")
	still := e.template("still_deciding")

	d, ex := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"})
	if !d.W || !slices.Equal(popupIDs(d), []string{first}) {
		t.Fatalf("first visit: popups %v, explanation %+v", popupIDs(d), ex)
	}
	after := d.Popups[0].Trigger["after_seconds"].(int)
	if after < 10 || after > 20 {
		t.Errorf("delay %d, want 10-20 s", after)
	}
	// No flow sends pushes here: no push prompt (pushprompt_test.go).
	if d.Popups[0].Content.Form == nil || d.Texts["close"] != "Close" || d.PushPrompt {
		t.Errorf("popup %+v texts %v", d.Popups[0], d.Texts)
	}
	if r := reasonOf(ex, still); r.Shown || !strings.Contains(r.Why, "min_visits 4, visitor has 1") {
		t.Errorf("still_deciding reason %+v", r)
	}
	// Three visits with views, no order.
	for i, s := range []string{"s1", "s2", "s3"} {
		e.log(e.ev("page_view", "v1", s, ""), e.view("v1", s, fmt.Sprintf("p%d", i+1)))
		e.advance(time.Hour)
	}
	_, ex = e.decide(DecideRequest{VisitorID: "v1", SessionID: "s3"})
	if r := reasonOf(ex, still); r.Shown || r.Why != "targeting: min_visits 4, visitor has 3" {
		t.Errorf("3rd visit: %+v", r)
	}
	if r := reasonOf(ex, first); r.Shown || !strings.Contains(r.Why, "first_visit") {
		t.Errorf("first visit pop-up on visit 3: %+v", r)
	}
	// The 4th visit's first page: the processor has not counted it yet.
	d, ex = e.decide(DecideRequest{VisitorID: "v1", SessionID: "s4", Page: "home"})
	if !slices.Equal(popupIDs(d), []string{still}) {
		t.Fatalf("4th visit: %v (%+v)", popupIDs(d), ex)
	}
	var got []string
	for _, p := range d.Popups[0].Content.Products {
		got = append(got, p.ID)
	}
	if !slices.Equal(got, []string{"p3", "p2", "p1"}) {
		t.Errorf("still deciding products %v", got)
	}
	if ex.Visitor.Visit != 4 || ex.Visitor.ContactID == "" {
		t.Errorf("facts %+v", ex.Visitor)
	}
	// After an order, neither (max_orders 0).
	e.log(e.order("v1", 5000))
	d, ex = e.decide(DecideRequest{VisitorID: "v1", SessionID: "s4"})
	if len(d.Popups) != 0 || !strings.Contains(reasonOf(ex, still).Why, "max_orders 0, visitor has 1") {
		t.Errorf("after order: %v %+v", popupIDs(d), ex.Widgets)
	}
}

func TestCapsSessionDaysConversion(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	id := e.create(widgets.Definition{Name: "Sale", Kind: widgets.KindPopup, Status: widgets.StatusActive,
		Trigger:  widgets.Trigger{ExitIntent: true},
		Caps:     widgets.Caps{PerSession: 2, EveryDays: 0, StopAfterConversion: true},
		Variants: []widgets.Variant{{ID: "a", Content: widgets.Content{Title: "Sale"}}}})
	shown := func(session string) bool {
		d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: session})
		return slices.Contains(popupIDs(d), id)
	}
	e.log(e.ev("page_view", "v1", "s1", ""))
	if !shown("s1") {
		t.Fatal("not shown at first")
	}
	e.log(e.ev("widget_shown", "v1", "s1", fmt.Sprintf(`{"widget":%q,"variant":"a"}`, id)))
	if !shown("s1") {
		t.Fatal("per_session 2 hid it after one show")
	}
	e.log(e.ev("widget_shown", "v1", "s1", fmt.Sprintf(`{"widget":%q,"variant":"a"}`, id)))
	if shown("s1") {
		t.Fatal("per_session 2: shown a third time")
	}
	if !shown("s2") {
		t.Fatal("a new session resets per_session")
	}
	// every_days.
	def := widgets.Definition{Name: "Sale", Kind: widgets.KindPopup, Status: widgets.StatusActive,
		Caps:     widgets.Caps{EveryDays: 7, StopAfterConversion: true},
		Variants: []widgets.Variant{{ID: "a", Content: widgets.Content{Title: "Sale"}}}}
	if _, err := e.d.UpdateWidget(e.ctx, wsA, id, def); err != nil {
		t.Fatal(err)
	}
	e.advance(24 * time.Hour)
	if shown("s3") {
		t.Fatal("every_days 7: shown a day later")
	}
	_, ex := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s3"})
	if r := reasonOf(ex, id); !strings.HasPrefix(r.Why, "caps: every_days 7, last shown 24h0m0s ago") {
		t.Errorf("reason %q", r.Why)
	}
	e.advance(7 * 24 * time.Hour)
	if !shown("s4") {
		t.Fatal("every_days 7: not shown 8 days later")
	}
	// Seen then ordered within 7 days: a conversion, and never again.
	e.log(e.ev("widget_shown", "v1", "s4", fmt.Sprintf(`{"widget":%q,"variant":"a"}`, id)))
	e.advance(time.Hour)
	e.log(e.ev("widget_clicked", "v1", "s4", fmt.Sprintf(`{"widget":%q,"variant":"a"}`, id)), e.order("v1", 4200))
	e.advance(30 * 24 * time.Hour)
	if shown("s9") {
		t.Fatal("shown after converting")
	}
	st, err := e.d.Stats(e.ctx, wsA, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Impressions != 3 || st[0].Clicks != 1 || st[0].Conversions != 1 || st[0].RevenueMinor != 4200 {
		t.Fatalf("stats %+v", st)
	}
	// Caps survive a restart: a new Decider reads the marks back.
	e.d = e.decider()
	if shown("s10") {
		t.Fatal("shown after a restart despite the conversion")
	}
	// A widget_shown for a widget of another workspace (or none) counts nothing.
	e.log(e.ev("widget_shown", "v1", "s10", `{"widget":"wdg_forged"}`))
}

func TestVariantStickyAndSplit(t *testing.T) {
	def := widgets.Definition{Name: "AB", Kind: widgets.KindPopup, Variants: []widgets.Variant{
		{ID: "a", Weight: 30, Content: widgets.Content{Title: "A"}}, {ID: "b", Weight: 70, Content: widgets.Content{Title: "B"}}}}
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for i := range 10000 {
		v := fmt.Sprintf("visitor-%d", i)
		got := widgets.AssignVariant(&def, "wdg_1", v).ID
		if again := widgets.AssignVariant(&def, "wdg_1", v).ID; again != got {
			t.Fatal("not sticky")
		}
		n[got]++
	}
	if n["a"] < 2700 || n["a"] > 3300 {
		t.Errorf("split %v, want about 30/70", n)
	}
	// Another widget splits the same visitors independently.
	same := 0
	for i := range 1000 {
		v := fmt.Sprintf("visitor-%d", i)
		if widgets.AssignVariant(&def, "wdg_1", v).ID == widgets.AssignVariant(&def, "wdg_2", v).ID {
			same++
		}
	}
	if same > 700 {
		t.Errorf("widgets split visitors alike: %d/1000", same)
	}
}

func TestFramesWithRecoEngine(t *testing.T) {
	e := newEnv(t)
	e.products(20)
	id := e.template("product_recommendations")
	sel := e.create(widgets.Definition{Name: "Bestsellers", Kind: widgets.KindFrame, Status: widgets.StatusActive,
		Targeting: widgets.Targeting{Pages: []string{"home"}},
		Frame:     &widgets.Frame{Name: "home-best", Selector: "#main .after", Strategy: "bestsellers", Count: 3}})
	// Twenty visitors view p1 then p2 (p3 once): p2 is viewed with p1.
	for i := range 20 {
		v := fmt.Sprintf("v%d", i)
		evs := []store.Event{e.view(v, "s-"+v, "p1"), e.view(v, "s-"+v, "p2")}
		if i == 0 {
			evs = append(evs, e.view(v, "s-"+v, "p3"))
		}
		e.log(evs...)
		e.advance(time.Minute)
	}
	d, ex := e.decide(DecideRequest{VisitorID: "new", SessionID: "x", Page: "product", ProductID: "p1",
		Frames: []string{"product-page"}})
	if len(d.Frames) != 1 || d.Frames[0].ID != id {
		t.Fatalf("frames %+v (%+v)", d.Frames, ex.Widgets)
	}
	f := d.Frames[0]
	if f.Selector != nil || f.Strategy != "viewed_together" || len(f.Products) == 0 || f.Products[0].ID != "p2" {
		t.Fatalf("frame %+v", f)
	}
	if f.Products[0].Price != "€10.02" || f.Products[0].URL != "/products/p2" {
		t.Errorf("product %+v", f.Products[0])
	}
	for _, p := range f.Products {
		if p.ID == "p1" {
			t.Error("the anchor product recommended")
		}
	}
	if r := reasonOf(ex, sel); r.Shown || !strings.Contains(r.Why, "pages home") {
		t.Errorf("selector frame on a product page: %+v", r)
	}
	// No placeholder on the page: no frame; the admin-placed one fills by selector.
	d, ex = e.decide(DecideRequest{VisitorID: "new", Page: "home"})
	if len(d.Frames) != 1 || d.Frames[0].ID != sel || *d.Frames[0].Selector != "#main .after" || len(d.Frames[0].Products) != 3 {
		t.Fatalf("home frames %+v %+v", d.Frames, ex.Widgets)
	}
	if r := reasonOf(ex, id); r.Shown || r.Why != `no placeholder "product-page" on the page` {
		t.Errorf("reason %+v", r)
	}
}

func TestMergeCarriesOrders(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	first := e.template("first_visit_discount")
	// A customer known by email with an order…
	e.log(e.ev("identify", "old", "s0", `{"email":"ann@example.com"}`), e.order("old", 3000))
	// …browses anonymously on a new device: offered the first-order discount.
	e.log(e.ev("page_view", "new", "n1", ""), e.view("new", "n1", "p2"))
	d, _ := e.decide(DecideRequest{VisitorID: "new", SessionID: "n1"})
	if !slices.Contains(popupIDs(d), first) {
		t.Fatal("anonymous visitor not offered the discount")
	}
	var before string
	e.d.vs.with(vkey(wsA, "new"), func(v *visitor) { before = v.contact })
	// Identifies: the anonymous contact merges into Ann's, whose order now counts.
	e.log(e.ev("identify", "new", "n1", `{"email":"ann@example.com"}`))
	d, ex := e.decide(DecideRequest{VisitorID: "new", SessionID: "n1"})
	if len(d.Popups) != 0 || ex.Visitor.Orders != 1 || ex.Visitor.ContactID == before {
		t.Fatalf("after identify: %v %+v", popupIDs(d), ex.Visitor)
	}
	if !slices.Contains(ex.Visitor.RecentlyViewed, "p2") {
		t.Errorf("views lost in the merge: %v", ex.Visitor.RecentlyViewed)
	}
}

func TestSubmitIdentifiesConsentsTagsAndRevealsCode(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	def, _ := widgets.TemplateByName("first_visit_discount")
	def.Definition.Status = widgets.StatusActive
	def.Definition.Variants[0].Content.Form.Interests = []string{"Coffee", "Green tea"}
	id := e.create(def.Definition)
	e.log(e.ev("page_view", "v1", "s1", ""))

	sub := Submission{WorkspaceID: wsA, VisitorID: "v1", WidgetID: id, Variant: "a", Email: "Ann@Example.com"}
	var inv *widgets.InvalidError
	if _, err := e.d.Submit(e.ctx, sub); !errors.As(err, &inv) || inv.Field != "consent" {
		t.Fatalf("missing consent: %v", err)
	}
	bad := sub
	bad.Email, bad.Consent = "nope", true
	if _, err := e.d.Submit(e.ctx, bad); !errors.As(err, &inv) || inv.Field != "email" {
		t.Fatalf("bad email: %v", err)
	}
	sub.Consent, sub.Interests = true, []string{"green TEA", "Whisky"}
	res, err := e.d.Submit(e.ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Code, "WELCOME-") || res.Message != "Thanks! Your code is "+res.Code+"." {
		t.Fatalf("result %+v", res)
	}
	again, err := e.d.Submit(e.ctx, sub)
	if err != nil || again.Code != res.Code {
		t.Fatalf("second submit %+v %v: the code must be the same", again, err)
	}
	// The form is not offered again, at once.
	if d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1"}); len(d.Popups) != 0 {
		t.Fatal("form offered after submitting")
	}
	e.process()
	c, err := e.st.ContactByEmail(e.ctx, wsA, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]any
	_ = json.Unmarshal(c.Attributes, &attrs)
	if fmt.Sprint(attrs["interests"]) != "[Green tea]" {
		t.Errorf("attributes %s", c.Attributes)
	}
	cs, _ := e.st.Consents(e.ctx, wsA, c.ID)
	if len(cs) != 1 || !cs[0].Granted || cs[0].Text != def.Definition.Variants[0].Content.Form.ConsentText || cs[0].Source != Source {
		t.Errorf("consents %+v", cs)
	}
	evs, _ := e.st.ContactEvents(e.ctx, wsA, c.ID, 0, 50)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if !slices.Contains(types, EventFormSubmitted) || !slices.Contains(types, cdp.EventTagAdded) {
		t.Errorf("events %v", types)
	}
	st, _ := e.d.Stats(e.ctx, wsA, id, 0)
	if len(st) != 1 || st[0].Submissions != 2 {
		t.Errorf("stats %+v", st)
	}
	// A shop that cannot make codes: no code, and the message says so.
	e.disc.none = true
	sub.VisitorID = "v2"
	res, err = e.d.Submit(e.ctx, sub)
	if err != nil || res.Code != "" || res.Message != "Thanks! You are on the list." {
		t.Fatalf("no-code shop: %+v %v", res, err)
	}
}

func TestWishlistAndInboxSurviveRestart(t *testing.T) {
	e := newEnv(t)
	e.products(5)
	inbox := e.template("inbox")
	e.log(e.ev("page_view", "v1", "s1", ""), e.view("v1", "s1", "p4"))
	if err := e.d.SetWishlisted(e.ctx, wsA, "v1", "p3", true); err != nil {
		t.Fatal(err)
	}
	if err := e.d.SetWishlisted(e.ctx, wsA, "v1", "nope", true); err == nil {
		t.Fatal("unknown product wishlisted")
	}
	d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1"})
	if d.Inbox == nil || d.Inbox.Unread != 0 || !slices.Equal(d.Wishlist, []string{"p3"}) {
		t.Fatalf("decision %+v", d)
	}
	e.process()
	e.d = e.decider() // a restart
	view, err := e.d.Inbox(e.ctx, wsA, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Wishlist) != 1 || view.Wishlist[0].ID != "p3" || len(view.RecentlyViewed) != 1 || view.RecentlyViewed[0].ID != "p4" {
		t.Fatalf("inbox view %+v", view)
	}
	_, ex := e.decide(DecideRequest{VisitorID: "v1"})
	if r := reasonOf(ex, inbox); !r.Shown {
		t.Errorf("inbox reason %+v", r)
	}
}
