package personalization

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// conversionWindow is how long after seeing (or submitting) a widget an
// order counts as its conversion.
const conversionWindow = 7 * 24 * time.Hour

// DecideRequest is what the tracker tells /decide about the page.
type DecideRequest struct {
	WorkspaceID string
	// Locale is the workspace's; the texts follow it.
	Locale    string
	VisitorID string
	SessionID string
	URL       string
	Page      string
	ProductID string
	Category  string
	Device    string
	// Frames are the placeholder names on the page.
	Frames []string
}

// Decision is the answer of GET /decide (docs/widgets.md).
type Decision struct {
	W      bool              `json:"w"`
	Locale string            `json:"locale,omitempty"`
	Texts  map[string]string `json:"texts,omitempty"`
	Popups []Popup           `json:"popups,omitempty"`
	Frames []Frame           `json:"frames,omitempty"`
	Inbox  *Inbox            `json:"inbox,omitempty"`
	// Wishlist is the visitor's wishlist, an empty list when it is empty
	// (w.js draws the heart on product pages whenever w is true).
	Wishlist   []string `json:"wishlist,omitzero"`
	PushPrompt bool     `json:"push_prompt,omitempty"`
}

// Popup is a pop-up to show once its trigger fires.
type Popup struct {
	ID      string         `json:"id"`
	Variant string         `json:"variant"`
	Trigger map[string]any `json:"trigger"`
	Layout  string         `json:"layout"`
	// PerSession is the widget's caps.per_session (0: none): w.js keeps
	// its own count of this session's showings, which the server only
	// learns from the tracker's next batch.
	PerSession int          `json:"per_session,omitempty"`
	Content    PopupContent `json:"content"`
}

// PopupContent is a variant's content as w.js renders it.
type PopupContent struct {
	Title    string        `json:"title"`
	Body     string        `json:"body,omitempty"`
	Image    string        `json:"image,omitempty"`
	CTA      string        `json:"cta,omitempty"`
	Form     *widgets.Form `json:"form"`
	Link     *string       `json:"link"`
	Success  string        `json:"success,omitempty"`
	Products []Product     `json:"products,omitempty"`
}

// Frame is a filled recommendation frame.
type Frame struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Selector *string   `json:"selector"`
	Title    string    `json:"title"`
	Strategy string    `json:"strategy"`
	Products []Product `json:"products"`
}

// Product is a product as widgets show it.
type Product struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	Image string `json:"image"`
	Price string `json:"price"`
}

// Inbox is the inbox button: its widget (the id its events carry, so that
// they are counted) and its badge.
type Inbox struct {
	ID     string `json:"id"`
	Unread int    `json:"unread"`
}

// Explanation says why a visitor got a decision: the facts used and, per
// active widget, whether it was chosen and why (or why not).
type Explanation struct {
	Visitor VisitorFacts `json:"visitor"`
	Widgets []Reason     `json:"widgets"`
}

// VisitorFacts are the facts about the visitor a decision used.
type VisitorFacts struct {
	ID             string   `json:"id"`
	ContactID      string   `json:"contact_id,omitempty"`
	Visit          int      `json:"visit"`
	Orders         int      `json:"orders"`
	CartMinor      int64    `json:"cart_minor"`
	EmailConsent   bool     `json:"email_consent"`
	PushSubscribed bool     `json:"push_subscribed"`
	RecentlyViewed []string `json:"recently_viewed"`
}

// Reason is one widget's part of an explanation.
type Reason struct {
	Widget  string `json:"widget"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Shown   bool   `json:"shown"`
	Variant string `json:"variant,omitempty"`
	Why     string `json:"why"`
}

// Decide answers which widgets apply to the visitor on this page now. It
// reads memory only, except the first time a visitor is seen since start
// (a few point lookups) and when an unread count is older than UnreadTTL.
func (d *Decider) Decide(ctx context.Context, r DecideRequest) (Decision, error) {
	dec, _, err := d.decide(ctx, r, false)
	return dec, err
}

// Explain is Decide with the reasons: the facts used and why each active
// widget was or was not chosen (the admin's "why did this visitor see
// this?"). It changes nothing that Decide would not.
func (d *Decider) Explain(ctx context.Context, r DecideRequest) (Decision, Explanation, error) {
	return d.decide(ctx, r, true)
}

// because formats a reason only when an explanation is wanted: the public
// /decide has no use for the text, and formatting it was most of a
// decision's allocations.
type because bool

func (b because) f(format string, args ...any) string {
	if !b {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

func (d *Decider) decide(ctx context.Context, r DecideRequest, explain because) (Decision, Explanation, error) {
	w, err := d.workspace(ctx, r.WorkspaceID)
	if err != nil {
		return Decision{W: false}, Explanation{}, err
	}
	var v visitor
	refresh := false
	nowMS := d.now().UnixMilli()
	err = d.withVisitor(ctx, r.WorkspaceID, r.VisitorID, func(cv *visitor) {
		refresh = nowMS-cv.unreadAt > d.o.UnreadTTL.Milliseconds()
		v = cv.snapshot()
	})
	if err != nil {
		return Decision{W: false}, Explanation{}, err
	}
	w.mu.RLock()
	active := w.widgets
	w.mu.RUnlock()
	if refresh && hasKind(active, widgets.KindInbox) {
		if err := d.refreshContact(ctx, r.WorkspaceID, r.VisitorID, &v); err != nil {
			return Decision{W: false}, Explanation{}, err
		}
	}
	visit := int(v.visits)
	if r.SessionID == "" || r.SessionID != v.session {
		// This page view opens a visit the processor has not counted yet.
		visit++
	}
	// Recommendations follow the contact's history only where the browser
	// may see it; otherwise the engine knows nobody and falls back.
	person := v.privateContact(nowMS)
	if person == "" {
		person = r.VisitorID
	}
	var ex Explanation
	if explain {
		ex.Visitor = VisitorFacts{ID: r.VisitorID, ContactID: v.contact, Visit: visit, Orders: int(v.orders),
			CartMinor: v.cartMinor, EmailConsent: v.emailConsent, PushSubscribed: v.push, RecentlyViewed: v.viewed}
	}
	var dec Decision
	for _, wd := range active {
		reason := Reason{Widget: wd.id, Name: wd.def.Name, Kind: wd.def.Kind}
		ok, why := targets(&wd.def.Targeting, &r, &v, visit, explain)
		if ok {
			switch wd.def.Kind {
			case widgets.KindPopup:
				reason.Shown, why = d.decidePopup(w, wd, &r, &v, person, nowMS, &dec, &reason, explain)
			case widgets.KindFrame:
				reason.Shown, why = d.decideFrame(w, wd, &r, &v, person, &dec, explain)
			case widgets.KindInbox:
				if dec.Inbox == nil {
					unread := 0
					if v.private(nowMS) {
						unread = int(v.unread)
					}
					dec.Inbox = &Inbox{ID: wd.id, Unread: unread}
					reason.Shown, why = true, explain.f("shown: %d unread (verified: %v)", unread, v.private(nowMS))
				} else {
					why = explain.f("another inbox widget is shown")
				}
			}
		}
		if explain {
			reason.Why = why
			ex.Widgets = append(ex.Widgets, reason)
		}
	}
	if !v.push {
		// Only when an active flow sends pushes: the prompt must not ask
		// for what nothing will send.
		topics, err := d.pushTopicsOf(ctx, r.WorkspaceID)
		if err != nil {
			return Decision{W: false}, Explanation{}, err
		}
		dec.PushPrompt = len(topics) > 0
	}
	if len(dec.Popups) > 0 || len(dec.Frames) > 0 || dec.Inbox != nil {
		dec.W = true
		dec.Locale, dec.Texts = widgets.Texts(r.Locale)
		dec.Wishlist = v.wishlist
		if dec.Wishlist == nil {
			dec.Wishlist = []string{}
		}
	}
	return dec, ex, nil
}

func hasKind(ws []*widget, kind string) bool {
	return slices.ContainsFunc(ws, func(w *widget) bool { return w.def.Kind == kind })
}

// refreshContact re-reads the visitor's contact (it may have been
// identified or merged since) and unread inbox count, at most once per
// UnreadTTL.
func (d *Decider) refreshContact(ctx context.Context, ws, visitorID string, v *visitor) error {
	contact := v.contact
	if c, err := d.st.ContactByIdentity(ctx, ws, cdp.KindVisitor, visitorID); err == nil {
		contact = c.ID
	}
	if contact != v.contact {
		// Identified or merged since: whether the new contact is the
		// browser's own decides what it may see.
		anon, err := d.isAnonymous(ctx, ws, contact, visitorID)
		if err != nil {
			return err
		}
		if anon && v.pendingProof(d.now().UnixMilli()) {
			// Verified a moment ago: the identify that merges the browser's
			// anonymous contact into the proved one is not applied yet.
			contact, anon = v.contact, false
		}
		v.anon = anon
	}
	n := 0
	if contact != "" {
		var err error
		if n, err = d.st.UnreadInbox(ctx, ws, contact); err != nil {
			return err
		}
	}
	v.contact, v.unread = contact, int32(n)
	at := d.now().UnixMilli()
	d.vs.with(vkey(ws, visitorID), func(cv *visitor) {
		if cv.contact == "" {
			cv.contact, cv.anon = contact, v.anon
		}
		// A count of another contact than the cached one (the processor has
		// not applied the identify yet) must not sit beside its anon flag.
		if cv.contact == contact {
			cv.unread, cv.unreadAt = int32(n), at
		}
	})
	return nil
}

// targets checks a widget's targeting: whether the visitor is targeted,
// and when not (and explaining) why not.
func targets(t *widgets.Targeting, r *DecideRequest, v *visitor, visit int, b because) (bool, string) {
	switch {
	case len(t.Pages) > 0 && !slices.Contains(t.Pages, r.Page):
		return false, b.f("targeting: pages %s, this page is %q", strings.Join(t.Pages, ", "), r.Page)
	case !widgets.MatchURL(t.URL, r.URL):
		return false, b.f("targeting: url %q does not match %q", t.URL, r.URL)
	case t.FirstVisit && visit > 1:
		return false, b.f("targeting: first_visit, visitor is on visit %d", visit)
	case t.MinVisits > 0 && visit < t.MinVisits:
		return false, b.f("targeting: min_visits %d, visitor has %d", t.MinVisits, visit)
	case t.MaxOrders != nil && int(v.orders) > *t.MaxOrders:
		return false, b.f("targeting: max_orders %d, visitor has %d", *t.MaxOrders, v.orders)
	case t.CartMinMinor > 0 && v.cartMinor < t.CartMinMinor:
		return false, b.f("targeting: cart_min_minor %d, cart is %d", t.CartMinMinor, v.cartMinor)
	case t.Device != "" && t.Device != r.Device:
		return false, b.f("targeting: device %s, visitor is on %q", t.Device, r.Device)
	case t.EmailConsent != nil && *t.EmailConsent != v.emailConsent:
		return false, b.f("targeting: email_consent %v, visitor has %v", *t.EmailConsent, v.emailConsent)
	}
	for _, id := range t.ExcludeSegments {
		if slices.Contains(v.segments, id) {
			return false, b.f("targeting: exclude_segments, visitor is in segment %s", id)
		}
	}
	if len(t.Segments) > 0 && !slices.ContainsFunc(t.Segments, func(id string) bool { return slices.Contains(v.segments, id) }) {
		return false, b.f("targeting: segments %s, visitor is in none of them", strings.Join(t.Segments, ", "))
	}
	return true, ""
}

// capped checks a pop-up's caps: whether they stop it, and (explaining)
// which one.
func capped(def *widgets.Definition, m *mark, session string, nowMS int64, b because) (bool, string) {
	if m == nil {
		return false, ""
	}
	c := def.Caps
	switch {
	case m.submittedAt > 0 && hasForm(def):
		return true, b.f("caps: the visitor already submitted this form")
	case c.StopAfterConversion && m.convertedAt > 0:
		return true, b.f("caps: the visitor converted (stop_after_conversion)")
	case c.PerSession > 0 && session != "" && m.sessionShows(session) >= c.PerSession:
		return true, b.f("caps: per_session %d, shown %d times this session", c.PerSession, m.sessionShows(session))
	case c.EveryDays > 0 && m.shownAt > 0 && nowMS-m.shownAt < int64(c.EveryDays)*24*3600*1000:
		return true, b.f("caps: every_days %d, last shown %s ago", c.EveryDays,
			time.Duration(nowMS-m.shownAt)*time.Millisecond/time.Minute*time.Minute)
	}
	return false, ""
}

func hasForm(def *widgets.Definition) bool {
	return slices.ContainsFunc(def.Variants, func(v widgets.Variant) bool { return v.Content.Form != nil })
}

func (d *Decider) decidePopup(w *wsState, wd *widget, r *DecideRequest, v *visitor, person string, nowMS int64,
	dec *Decision, reason *Reason, b because) (bool, string) {
	if stop, why := capped(&wd.def, v.findMark(wd.id), r.SessionID, nowMS, b); stop {
		return false, why
	}
	vr := widgets.AssignVariant(&wd.def, wd.id, r.VisitorID)
	if vr == nil {
		return false, b.f("no variant")
	}
	reason.Variant = vr.ID
	t := wd.def.Trigger
	trig := map[string]any{}
	switch {
	case t.ScrollPercent > 0:
		trig["scroll_percent"] = t.ScrollPercent
	case t.ExitIntent:
		trig["exit_intent"] = true
	case t.InactiveSeconds > 0:
		trig["inactive_seconds"] = t.InactiveSeconds
	default:
		trig["after_seconds"] = t.Delay(wd.id, r.VisitorID)
	}
	c := vr.Content
	out := PopupContent{Title: c.Title, Body: c.Body, Image: c.Image, CTA: c.CTA, Form: c.Form, Success: c.Success}
	if c.Link != "" {
		out.Link = &c.Link
	}
	if pb := c.Products; pb != nil {
		asked := cmp.Or(pb.Strategy, reco.Blended) // naming none asks for the blended default
		out.Products, _ = d.products(w, asked, pb.Count, false, false, r, v, person, nil)
		if len(out.Products) == 0 {
			return false, b.f("no products to show (%s)", asked)
		}
	}
	dec.Popups = append(dec.Popups, Popup{ID: wd.id, Variant: vr.ID, Trigger: trig, Layout: wd.def.Layout,
		PerSession: wd.def.Caps.PerSession, Content: out})
	return true, b.f("shown: variant %s, trigger %v", vr.ID, trig)
}

func (d *Decider) decideFrame(w *wsState, wd *widget, r *DecideRequest, v *visitor, person string, dec *Decision,
	b because) (bool, string) {
	f := wd.def.Frame
	var sel *string
	if f.Selector != "" {
		sel = &f.Selector
	} else if !slices.Contains(r.Frames, f.Name) {
		return false, b.f("no placeholder %q on the page", f.Name)
	}
	for _, fr := range dec.Frames {
		if fr.Name == f.Name && sel == nil && fr.Selector == nil {
			return false, b.f("placeholder %q is filled by %s", f.Name, fr.ID)
		}
	}
	asked := cmp.Or(f.Strategy, reco.Blended) // naming none asks for the blended default
	ps, strategy := d.products(w, asked, f.Count, f.InStockOnly, f.ExcludeBought, r, v, person, onPage(r, v, dec))
	if len(ps) == 0 {
		return false, b.f("no products to show (%s)", asked)
	}
	title := f.Title
	if strategy != asked {
		// The engine fell back (a cold start): "Customers also viewed"
		// over bestsellers would say something untrue.
		title = widgets.FrameTitle(r.Locale, strategy)
	}
	dec.Frames = append(dec.Frames, Frame{ID: wd.id, Name: f.Name, Selector: sel, Title: title, Strategy: strategy, Products: ps})
	return true, b.f("shown: %d products by %s", len(ps), strategy)
}

// onPage lists the products a frame must not repeat: the one being
// viewed, those in the cart, and those already in the page's other frames
// and pop-ups.
func onPage(r *DecideRequest, v *visitor, dec *Decision) map[string]bool {
	out := map[string]bool{}
	if r.ProductID != "" {
		out[r.ProductID] = true
	}
	for _, id := range v.cart {
		out[id] = true
	}
	for _, f := range dec.Frames {
		for _, p := range f.Products {
			out[p.ID] = true
		}
	}
	for _, p := range dec.Popups {
		for _, pr := range p.Content.Products {
			out[pr.ID] = true
		}
	}
	return out
}

// products chooses up to n products by strategy, none of exclude. recently_viewed and
// wishlist come from the visitor's own state (fresher than the engine's
// statistics); the others from the engine, whose fallbacks (bestsellers,
// new arrivals) cover a cold start. The strategy returned is the one that
// chose the first product.
func (d *Decider) products(w *wsState, strategy string, n int, inStock, excludeBought bool, r *DecideRequest, v *visitor,
	person string, exclude map[string]bool) ([]Product, string) {
	var idsOut []string
	used := strategy
	switch strategy {
	case reco.RecentlyViewed, "wishlist":
		src := v.recent(d.now().UnixMilli())
		if strategy == "wishlist" {
			src = v.wishlist
		}
		for _, id := range src {
			if id != r.ProductID {
				idsOut = append(idsOut, id)
			}
		}
	default:
		// Asked for more, so that what is left out still leaves n.
		req := reco.Request{Strategy: strategy, Person: person, Category: r.Category, N: n + len(exclude), InStockOnly: inStock,
			ExcludeBought: excludeBought, ExcludeAnchors: true}
		if r.ProductID != "" {
			req.Anchors = []string{r.ProductID}
			if it := w.item(r.ProductID); it != nil && req.Category == "" {
				req.Category = it.category
			}
		}
		res := w.reco.Recommend(req)
		first := true
		for _, x := range res {
			if exclude[x.ProductID] {
				continue
			}
			if first {
				used, first = x.Strategy, false
			}
			idsOut = append(idsOut, x.ProductID)
		}
	}
	out := make([]Product, 0, n)
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, id := range idsOut {
		it := w.catalog[id]
		if it == nil || inStock && !it.inStock || exclude[id] {
			continue
		}
		out = append(out, Product{ID: it.id, Title: it.title, URL: it.url, Image: it.image, Price: it.price})
		if len(out) == n {
			break
		}
	}
	return out, used
}

// InboxView is what GET /inbox lists besides messages: the visitor's
// recently viewed and wishlisted products.
type InboxView struct {
	// ContactID is the contact whose messages the browser may read: empty
	// unless it is verified as that contact or the contact is its own
	// anonymous one (verify.go).
	ContactID      string
	RecentlyViewed []Product
	Wishlist       []Product
}

// Inbox returns the visitor's contact (for its messages) and products for
// the inbox panel.
func (d *Decider) Inbox(ctx context.Context, ws, visitorID string) (InboxView, error) {
	w, err := d.workspace(ctx, ws)
	if err != nil {
		return InboxView{}, err
	}
	v, err := d.current(ctx, ws, visitorID)
	if err != nil {
		return InboxView{}, err
	}
	r := &DecideRequest{}
	out := InboxView{ContactID: v.privateContact(d.now().UnixMilli())}
	out.RecentlyViewed, _ = d.products(w, reco.RecentlyViewed, maxViewed, false, false, r, &v, "", nil)
	out.Wishlist, _ = d.products(w, "wishlist", maxWishlist, false, false, r, &v, "", nil)
	return out, nil
}

// Contact returns the contact whose inbox the visitor may act on, or ""
// when none (anonymous, or identified without proof): what the inbox's
// write endpoints need, without building the inbox's product lists.
func (d *Decider) Contact(ctx context.Context, ws, visitorID string) (string, error) {
	v, err := d.current(ctx, ws, visitorID)
	return v.privateContact(d.now().UnixMilli()), err
}

// current returns a snapshot of the visitor, its contact re-resolved.
func (d *Decider) current(ctx context.Context, ws, visitorID string) (visitor, error) {
	var v visitor
	if err := d.withVisitor(ctx, ws, visitorID, func(cv *visitor) { v = cv.snapshot() }); err != nil {
		return v, err
	}
	err := d.refreshContact(ctx, ws, visitorID, &v)
	return v, err
}

// MarkedRead lowers the cached unread count after the visitor read a
// message, so the badge does not wait for the next refresh.
func (d *Decider) MarkedRead(ws, visitorID string) {
	d.vs.with(vkey(ws, visitorID), func(v *visitor) {
		if v.unread > 0 {
			v.unread--
		}
	})
}
