package personalization

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// Issue 13: what a new user met on the demo shop, server side.

// popupDef is a plain pop-up, always shown.
func popupDef(name string) widgets.Definition {
	return widgets.Definition{Name: name, Kind: widgets.KindPopup, Status: widgets.StatusActive,
		Variants: []widgets.Variant{{ID: "a", Content: widgets.Content{Title: name, CTA: "Go", Link: "https://shop.example/sale"}}}}
}

func (e *env) widgetEv(typ, visitor, widget string) store.Event {
	return e.ev(typ, visitor, "s1", fmt.Sprintf(`{"widget":%q,"variant":"a"}`, widget))
}

func (e *env) stat(id string) store.WidgetStat {
	e.t.Helper()
	st, err := e.d.Stats(e.ctx, wsA, id, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var sum store.WidgetStat
	for _, s := range st {
		sum.Impressions += s.Impressions
		sum.Clicks += s.Clicks
		sum.Submissions += s.Submissions
		sum.Conversions += s.Conversions
		sum.RevenueMinor += s.RevenueMinor
	}
	return sum
}

// One order is credited once, to the widget that earned it: of two
// widgets seen and one clicked, the clicked one; views alone earn nothing;
// without a click, the last submission.
func TestOrderCreditedOnceToTheClickedWidget(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	a := e.create(popupDef("A"))
	b := e.create(popupDef("B"))
	e.log(e.widgetEv("widget_shown", "v1", a), e.widgetEv("widget_shown", "v1", b))
	e.advance(time.Minute)
	e.log(e.widgetEv("widget_clicked", "v1", b))
	e.advance(time.Hour)
	e.log(e.order("v1", 5000))
	if sa, sb := e.stat(a), e.stat(b); sa.Conversions != 0 || sa.RevenueMinor != 0 || sb.Conversions != 1 || sb.RevenueMinor != 5000 {
		t.Errorf("seen A: %+v; seen and clicked B: %+v; want the order credited once, to B", sa, sb)
	}
	// Seen only: the next order earns nothing (B's click earned the first).
	e.advance(time.Hour)
	e.log(e.widgetEv("widget_shown", "v1", a), e.widgetEv("widget_shown", "v1", b))
	e.advance(time.Hour)
	e.log(e.order("v1", 7000))
	if sa, sb := e.stat(a), e.stat(b); sa.Conversions+sb.Conversions != 1 {
		t.Errorf("an order after views only was credited: A %+v, B %+v", sa, sb)
	}

	// A lead form submitted, nothing clicked: the submission earns it.
	lead := e.template("first_visit_discount")
	e.log(e.widgetEv("widget_shown", "v2", a), e.widgetEv("widget_shown", "v2", lead))
	if _, err := e.d.Submit(e.ctx, Submission{WorkspaceID: wsA, VisitorID: "v2", WidgetID: lead, Variant: "a",
		Email: "v2@example.com", Consent: true}); err != nil {
		t.Fatal(err)
	}
	e.process()
	e.advance(time.Hour)
	e.log(e.order("v2", 3000))
	if sl, sa := e.stat(lead), e.stat(a); sl.Conversions != 1 || sl.RevenueMinor != 3000 || sa.Conversions != 0 {
		t.Errorf("lead %+v, A %+v: want the order to the submitted form only", sl, sa)
	}
	// Clicks older than the window earn nothing.
	e.log(e.widgetEv("widget_clicked", "v3", a))
	e.advance(8 * 24 * time.Hour)
	e.log(e.order("v3", 1000))
	if sa := e.stat(a); sa.Conversions != 0 {
		t.Errorf("a click 8 days before the order was credited: %+v", sa)
	}
}

// /decide sends an empty wishlist as [] (w.js draws the heart from it), and
// the inbox with its widget id, whose events then count.
func TestEmptyWishlistAndInboxStats(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	inbox := e.template("inbox")
	d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "product", ProductID: "p1"})
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"wishlist":[]`) {
		t.Errorf("decision %s: want \"wishlist\":[] for an empty wishlist", raw)
	}
	if d.Inbox == nil || d.Inbox.ID != inbox {
		t.Fatalf("inbox %+v, want the inbox widget's id %s", d.Inbox, inbox)
	}
	e.log(e.widgetEv("widget_shown", "v1", d.Inbox.ID), e.widgetEv("widget_clicked", "v1", d.Inbox.ID))
	if s := e.stat(inbox); s.Impressions != 1 || s.Clicks != 1 {
		t.Errorf("inbox stats %+v, want 1 impression and 1 click", s)
	}
}

// A frame the engine fills by a fallback says so in its title (the
// fallback's own, in the workspace's language), and no frame repeats the
// product on screen, the cart, or another frame of the page.
func TestFrameFallbackTitleAndNoRepeats(t *testing.T) {
	e := newEnv(t)
	e.products(20)
	reco := e.template("product_recommendations")
	other := e.create(widgets.Definition{Name: "More", Kind: widgets.KindFrame, Status: widgets.StatusActive,
		Frame: &widgets.Frame{Name: "more", Strategy: "same_category", Count: 6}})
	// The visitor has p4 in the cart (its add_to_cart in the profile).
	e.log(e.ev("page_view", "v1", "s1", ""), e.ev("add_to_cart", "v1", "s1",
		`{"product_id":"p4","quantity":1,"product":{"id":"p4","price_minor":1004}}`))
	for _, locale := range []string{"en", "pl"} {
		d, ex := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Locale: locale, Page: "product", ProductID: "p2",
			Frames: []string{"product-page", "more"}})
		if len(d.Frames) != 2 {
			t.Fatalf("%s: frames %+v (%+v)", locale, d.Frames, ex.Widgets)
		}
		if d.Frames[0].ID != reco {
			d.Frames[0], d.Frames[1] = d.Frames[1], d.Frames[0]
		}
		f := d.Frames[0]
		// Nobody viewed anything together: the engine fell back.
		if f.Strategy == "viewed_together" {
			t.Fatalf("%s: a cold start filled viewed_together: %+v", locale, f)
		}
		if want := widgets.FrameTitle(locale, f.Strategy); f.Title != want || f.Title == "Customers also viewed" {
			t.Errorf("%s: frame filled by %s titled %q, want %q", locale, f.Strategy, f.Title, want)
		}
		seen := map[string]string{}
		for _, fr := range d.Frames {
			for _, p := range fr.Products {
				if p.ID == "p2" || p.ID == "p4" {
					t.Errorf("%s: frame %s shows %s (on screen or in the cart)", locale, fr.ID, p.ID)
				}
				if prev, dup := seen[p.ID]; dup {
					t.Errorf("%s: %s shown by %s and %s", locale, p.ID, prev, fr.ID)
				}
				seen[p.ID] = fr.ID
			}
		}
		if d.Frames[1].ID != other || len(d.Frames[1].Products) == 0 {
			t.Errorf("%s: second frame %+v", locale, d.Frames[1])
		}
	}
	if en, pl := widgets.FrameTitle("en", "bestsellers"), widgets.FrameTitle("pl-PL", "bestsellers"); en != "Bestsellers" || pl != "Bestsellery" {
		t.Errorf("titles %q %q", en, pl)
	}
}

// The push prompt asks only when an active flow sends pushes, and its
// text promises only what those flows send, in the workspace's language.
func TestPushPromptPromisesOnlyActivePushFlows(t *testing.T) {
	e := newEnv(t)
	e.products(3)
	e.template("inbox")
	pp, err := e.d.PushPrompt(e.ctx, wsA, "en")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1"})
	if pp.Show || d.PushPrompt {
		t.Errorf("no push flow: prompt %+v, decide push_prompt %v; want no prompt", pp, d.PushPrompt)
	}
	flow := func(id, status, event, kind string) {
		def := fmt.Sprintf(`{"trigger":{"event":%q},"steps":[{"id":"s","kind":%q}]}`, event, kind)
		if err := e.st.CreateFlow(e.ctx, store.Flow{WorkspaceID: wsA, ID: id, Name: id, Status: status, Version: 1,
			TriggerEvent: event, Definition: json.RawMessage(def), CreatedAt: e.clock()}); err != nil {
			t.Fatal(err)
		}
	}
	flow("f_cart", "active", "add_to_cart", "send_push")
	flow("f_mail", "active", "browse_abandoned", "send_email")
	flow("f_paused", "paused", "replenishment_due", "send_push")
	e.advance(pushTopicsTTL + time.Second)
	pp, err = e.d.PushPrompt(e.ctx, wsA, "en")
	if err != nil {
		t.Fatal(err)
	}
	if !pp.Show || !slices.Equal(pp.Topics, []string{"cart"}) || pp.Texts["text"] != "Allow notifications for reminders about your cart." {
		t.Errorf("with a cart push flow: %+v", pp)
	}
	if d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1"}); !d.PushPrompt {
		t.Error("decide: no push prompt with an active push flow")
	}
	pl, err := e.d.PushPrompt(e.ctx, wsA, "pl-PL")
	if err != nil {
		t.Fatal(err)
	}
	if pl.Locale != "pl" || pl.Texts["text"] != "Zezwól na powiadomienia: przypomnienia o koszyku." || pl.Texts["allow"] != "Zezwól" {
		t.Errorf("pl: %+v", pl)
	}
	if _, txt := widgets.PushPromptTexts("en", []string{"news", "cart", "reorder"}); txt["text"] != "Allow notifications for reminders about your cart, reminders to reorder what runs out and news and offers." {
		t.Errorf("three topics: %q", txt["text"])
	}
}

// A pop-up capped once per session is capped as soon as /collect stored
// its widget_shown (Collected), before the processor has read it: the
// next page, opened at once, does not get it again.
func TestSessionCapBeforeTheProcessor(t *testing.T) {
	e := newEnv(t)
	def := popupDef("Once")
	def.Caps = widgets.Caps{PerSession: 1}
	id := e.create(def)
	r := DecideRequest{VisitorID: "v1", SessionID: "s1"}
	if d, _ := e.decide(r); !slices.Equal(popupIDs(d), []string{id}) || d.Popups[0].PerSession != 1 {
		t.Fatalf("first page: %+v", d.Popups)
	}
	shown := e.widgetEv("widget_shown", "v1", id)
	if err := e.st.AppendEvents(e.ctx, []store.Event{shown}); err != nil {
		t.Fatal(err)
	}
	e.d.Collected([]store.Event{shown})
	if d, ex := e.decide(r); len(d.Popups) != 0 {
		t.Fatalf("next page before the processor ran: %v (%+v)", popupIDs(d), ex.Widgets)
	}
	// The processor then counts it once, not twice: a cap of 2 still
	// leaves one showing.
	e.process()
	def.Caps.PerSession = 2
	if _, err := e.d.UpdateWidget(e.ctx, wsA, id, def); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.decide(r); len(d.Popups) != 1 {
		t.Fatalf("per_session 2 after one showing: %v", popupIDs(d))
	}
}

// A pop-up promising a code is not made active where no code can be made;
// a draft is kept.
func TestPromisedCodeNeedsACodeMaker(t *testing.T) {
	e := newEnv(t)
	e.disc.none = true
	tp, _ := widgets.TemplateByName("first_visit_discount")
	tp.Definition.Status = widgets.StatusActive
	_, err := e.d.CreateWidget(e.ctx, wsA, tp.Definition, "")
	var inv *widgets.InvalidError
	if !errors.As(err, &inv) || inv.Field != "discount" {
		t.Fatalf("active code pop-up without a code maker: %v, want an InvalidError on discount", err)
	}
	// Without a discount, "{code}" in a text is a promise too.
	def := popupDef("Sneaky")
	def.Variants[0].Content.Success = "Your code: {code}"
	if _, err := e.d.CreateWidget(e.ctx, wsA, def, ""); !errors.As(err, &inv) {
		t.Fatalf("{code} without a code maker: %v", err)
	}
	tp.Definition.Status = widgets.StatusDraft
	w, err := e.d.CreateWidget(e.ctx, wsA, tp.Definition, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.SetStatus(e.ctx, wsA, w.ID, widgets.StatusActive); !errors.As(err, &inv) {
		t.Fatalf("activating it: %v", err)
	}
	e.disc.none = false
	if _, err := e.d.SetStatus(e.ctx, wsA, w.ID, widgets.StatusActive); err != nil {
		t.Fatalf("with a code maker: %v", err)
	}
}
