package main

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/store"
)

// contactView mirrors what GET /api/v1/contacts/{id} answers.
type contactView struct {
	Contact struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"contact"`
	Identities []struct{ Kind, Value string } `json:"identities"`
	Profile    struct {
		PageViews    int `json:"page_views"`
		ProductViews int `json:"product_views"`
		AddToCarts   int `json:"add_to_carts"`
		Visits       int `json:"visits"`
		LastCart     []struct {
			ProductID string `json:"product_id"`
			Quantity  int    `json:"quantity"`
		} `json:"last_cart"`
		Products map[string]struct {
			Views   int   `json:"views"`
			DwellMS int64 `json:"dwell_ms"`
		} `json:"products"`
		Device *struct{ Browser string } `json:"device"`
	} `json:"profile"`
	Interests []struct{ Category string } `json:"interests"`
}

// A visitor browses the demo shop anonymously, reads a product page for
// 5 s, adds it to the cart and signs up for the newsletter: the contact
// found by that email holds the whole anonymous history.
func TestBrowsingIsRecordedAndIdentified(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	inst, logs := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	ps, _, err := inst.st.Products(context.Background(), ws, store.ProductFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	for _, c := range ps {
		if c.InStock() {
			p = c
			break
		}
	}
	base := inst.cfg.PublicURL
	const email = "anna.browser@example.com"
	var visitor string
	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("home", chromedp.Steps(chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible("footer")))
	run("product page", chromedp.Steps(chromedp.Navigate(base+"/demo/p/"+p.Handle), chromedp.WaitVisible("form[data-cartwheel-add-to-cart] button")))
	v, err := chromedp.Run(ctx, chromedp.Poll[string]("window.cartwheel && window.cartwheel.visitorId && window.cartwheel.visitorId()"))
	if err != nil || v == "" {
		t.Fatalf("tracker did not load: %q %v", v, err)
	}
	visitor = v
	run("read the product", chromedp.Sleep(5*time.Second))
	// The click posts a form: wait for the page it answers with, not the
	// one already there.
	run("add to cart", chromedp.Steps(chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click("form[data-cartwheel-add-to-cart] button"), until(`!window.__cwOld && !!document.querySelector('footer')`)))
	// t.js loads async: the page is usable before it listens for submits.
	// A person takes longer than that; the test must wait for it.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!(window.cartwheel && window.cartwheel.visitorId)")); err != nil {
		t.Fatalf("tracker not loaded on the cart page: %v", err)
	}
	run("newsletter", chromedp.Steps(
		chromedp.SendKeys("form[data-cartwheel-newsletter] input[type=email]", email),
		// Clicked like a person would: form.submit() fires no submit event.
		chromedp.Click("form[data-cartwheel-newsletter] button"),
		// The sign-up's answer page, not the page the form was on: leaving
		// before it loads would abort the post.
		until(`location.search.includes('notice=subscribed') && !!document.querySelector('footer')`),
	))
	// Leaving the page flushes what is still queued.
	run("leave", chromedp.Navigate("about:blank"))

	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	var view contactView
	deadline := time.Now().Add(20 * time.Second)
	for {
		var found struct {
			Contacts []struct{ ID string } `json:"contacts"`
		}
		admin.do("GET", "/api/v1/contacts?email="+url.QueryEscape(email), nil, &found)
		if len(found.Contacts) == 1 {
			admin.do("GET", "/api/v1/contacts/"+found.Contacts[0].ID, nil, &view)
			if view.Profile.PageViews >= 3 && view.Profile.Products[p.ID].DwellMS >= 4000 && len(view.Profile.LastCart) > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(view, "", " ")
			var vis any
			admin.do("GET", "/api/v1/visitors/"+visitor, nil, &vis)
			vb, _ := json.MarshalIndent(vis, "", " ")
			t.Fatalf("profile incomplete after 20 s: %s\nvisitor: %s\nserver log:\n%s", b, vb, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if view.Contact.Email != email {
		t.Errorf("email %q", view.Contact.Email)
	}
	hasVisitor := false
	for _, id := range view.Identities {
		hasVisitor = hasVisitor || (id.Kind == "visitor" && id.Value == visitor)
	}
	if !hasVisitor {
		t.Errorf("visitor %s not among identities %+v", visitor, view.Identities)
	}
	if st := view.Profile.Products[p.ID]; st.Views != 1 {
		t.Errorf("product %s viewed %d times, want 1", p.ID, st.Views)
	}
	if c := view.Profile.LastCart[0]; c.ProductID != p.ID || c.Quantity < 1 {
		t.Errorf("cart %+v, want product %s", view.Profile.LastCart, p.ID)
	}
	if view.Profile.Device == nil || view.Profile.Device.Browser == "" {
		t.Errorf("device not recorded: %+v", view.Profile.Device)
	}
	if len(view.Interests) == 0 || view.Interests[0].Category != p.Category {
		t.Errorf("interests %+v, want %s first", view.Interests, p.Category)
	}
	// The anonymous events are on the contact's timeline, oldest a page view.
	var tl struct {
		Events []struct {
			Type      string `json:"type"`
			VisitorID string `json:"visitor_id"`
		} `json:"events"`
	}
	admin.do("GET", "/api/v1/contacts/"+view.Contact.ID+"/timeline?limit=500", nil, &tl)
	if n := len(tl.Events); n < 5 || tl.Events[n-1].Type != "page_view" || tl.Events[n-1].VisitorID != visitor {
		t.Errorf("timeline %+v", tl.Events)
	}
}
