package personalization

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// apply folds one event into the Decider's state and the batch's writes.
func (p *Processor) apply(ctx context.Context, b *batchState, ev *store.Event) error {
	switch ev.Type {
	case cdp.EventPageView, cdp.EventProductView, cdp.EventAddToCart, cdp.EventRemoveFromCart, cdp.EventCheckoutUpdated,
		cdp.EventOrderPlaced, cdp.EventOrderCancelled, cdp.EventOrderRefunded, cdp.EventConsent, cdp.EventConsentChanged, cdp.EventCustomerUpdated,
		cdp.EventIdentify, cdp.EventProductUpdated, EventWidgetShown, EventWidgetClicked, EventWidgetClosed, EventRecoClicked,
		EventFormSubmitted, EventWishlistAdded, EventWishlistRemoved, cdp.EventInboxAdded, EventSegmentEntered, EventSegmentLeft:
	default:
		return nil
	}
	if isBot(ev) {
		return nil
	}
	var props eventProps
	// A page view's props (referrer, title, UTM tags) decide nothing here:
	// the commonest event is not decoded at all.
	if ev.Type != cdp.EventPageView {
		var err error
		if props, err = parseProps(ev.Type, ev.Props); err != nil {
			return nil // malformed: the profile processor skipped it too
		}
	}
	w, err := p.d.workspace(ctx, ev.WorkspaceID)
	if err != nil {
		return err
	}
	if ev.Type == cdp.EventProductUpdated {
		// The event carries no image or URL: the row, upserted before the
		// event was logged, has them.
		pr, err := p.st.Product(ctx, ev.WorkspaceID, props.str("product_id"))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		w.setProduct(store.CatalogItem{ID: pr.ID, Title: pr.Title, URL: pr.URL, ImageURL: pr.ImageURL, PriceMinor: pr.PriceMinor,
			Currency: pr.Currency, Category: pr.Category, Stock: pr.Stock, Status: pr.Status, CreatedAt: pr.CreatedAt})
		return nil
	}
	visitors, err := p.visitorsOf(ctx, ev)
	if err != nil {
		return err
	}
	for _, vid := range visitors {
		if err := p.applyVisitor(ctx, b, w, ev, props, vid); err != nil {
			return err
		}
	}
	if ev.Type == cdp.EventOrderPlaced {
		p.attribute(b, ev, visitors, props.num("total_minor"))
	}
	if len(visitors) == 0 && ev.ContactID != "" {
		observe(w.reco, ev, props, ev.ContactID)
	}
	return nil
}

// visitorsOf lists the browsers an event is about: its visitor, or for an
// event naming only a contact (an order from the shop, a consent from the
// platform) the contact's visitor ids in the identity graph.
func (p *Processor) visitorsOf(ctx context.Context, ev *store.Event) ([]string, error) {
	if ev.VisitorID != "" {
		return []string{ev.VisitorID}, nil
	}
	if ev.ContactID == "" {
		return nil, nil
	}
	ids, err := p.st.Identities(ctx, ev.WorkspaceID, ev.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if id.Kind == cdp.KindVisitor {
			out = append(out, id.Value)
		}
	}
	return out, nil
}

func (p *Processor) applyVisitor(ctx context.Context, b *batchState, w *wsState, ev *store.Event, props eventProps, vid string) error {
	ws := ev.WorkspaceID
	key := vkey(ws, vid)
	if browsing(ev.Type) && !p.d.vs.with(key, func(*visitor) {}) {
		// A visitor not in memory has nothing here to keep current: /decide
		// loads it from its profile, which counts this event, when it first
		// asks. Loading every new visitor now would cost the ingest path a
		// handful of reads each; only the recommendation statistics learn.
		observe(w.reco, ev, props, cmp.Or(ev.ContactID, vid))
		return nil
	}
	b.touched[key] = true
	// A visitor first cached by /decide before the profile processor saw
	// it has no contact yet: it has one now.
	anonymous := false
	if err := p.d.withVisitor(ctx, ws, vid, func(v *visitor) { anonymous = v.contact == "" }); err != nil {
		return err
	}
	if anonymous {
		if err := p.reloadContact(ctx, ws, vid, w); err != nil {
			return err
		}
	}
	reload := false // contact-level counters are re-read from the profile
	var person string
	err := p.d.withVisitor(ctx, ws, vid, func(v *visitor) {
		counted := ev.ID <= v.asOf // already in the counters read from the profile
		at := ev.OccurredAt.UnixMilli()
		switch ev.Type {
		case cdp.EventPageView:
			if ev.SessionID != "" && ev.SessionID != v.session {
				if !counted {
					v.visits++
				}
				v.session = ev.SessionID
			}
		case cdp.EventProductView:
			if props.viewed != "" {
				v.viewedProduct(props.viewed)
				if ev.VisitorID == vid {
					v.ownViewed(props.viewed)
				}
			}
		case cdp.EventAddToCart:
			var pr struct {
				PriceMinor int64 `json:"price_minor"`
			}
			if raw, ok := props.parsedProps["product"]; ok {
				_ = json.Unmarshal(raw, &pr)
			}
			if !counted {
				v.cartMinor += max(props.num("quantity"), 1) * pr.PriceMinor
			}
			if id := props.str("product_id"); id != "" && !slices.Contains(v.cart, id) {
				v.cart = append(v.cart, id)
			}
		case cdp.EventRemoveFromCart, cdp.EventCheckoutUpdated, cdp.EventOrderCancelled, cdp.EventOrderRefunded, cdp.EventConsent,
			cdp.EventConsentChanged, cdp.EventCustomerUpdated, cdp.EventIdentify, cdp.EventInboxAdded,
			EventSegmentEntered, EventSegmentLeft:
			// The unread inbox count is re-read with the rest.
			reload = true
		case cdp.EventOrderPlaced:
			reload = true
		case EventWidgetShown, EventWidgetClicked, EventWidgetClosed, EventRecoClicked, EventFormSubmitted:
			id := props.str("widget")
			w.mu.RLock()
			known := w.known[id]
			w.mu.RUnlock()
			if !known {
				return // not a widget of this workspace: a forged or stale event
			}
			m := v.mark(id)
			if vr := props.str("variant"); vr != "" {
				m.variant = vr
			}
			s := b.stat(ws, id, m.variant, ev.OccurredAt)
			b.marks[[3]string{ws, vid, id}] = true
			switch ev.Type {
			case EventWidgetShown:
				s.Impressions++
				if m.shownSession != ev.SessionID || ev.SessionID == "" {
					m.shownSession, m.shows = ev.SessionID, 0
				}
				m.shows++
				if m.early > 0 && m.earlySession == ev.SessionID {
					m.early-- // counted early by Collected: now for good
				}
				m.shownAt = max(m.shownAt, at)
			case EventWidgetClicked, EventRecoClicked:
				s.Clicks++
				m.clickedAt = max(m.clickedAt, at)
			case EventWidgetClosed:
				s.Closes++
				m.closedAt = max(m.closedAt, at)
			case EventFormSubmitted:
				s.Submissions++
				m.submittedAt = max(m.submittedAt, at)
				reload = true
			}
		case EventWishlistAdded, EventWishlistRemoved:
			if id := props.str("product_id"); id != "" {
				on := ev.Type == EventWishlistAdded
				v.setWishlisted(id, on)
				b.wishlist = append(b.wishlist, wishOp{ws, vid, id, on, ev.OccurredAt})
			}
		}
		person = v.contact
		if person == "" {
			person = vid
		}
	})
	if err != nil {
		return err
	}
	observe(w.reco, ev, props, person)
	if reload {
		if err := p.reloadContact(ctx, ws, vid, w); err != nil {
			return err
		}
	}
	if ev.Type == EventFormSubmitted {
		if in := props.strings("interests"); len(in) > 0 {
			var contact string
			p.d.vs.with(key, func(v *visitor) { contact = v.contact })
			if contact != "" {
				b.interests = append(b.interests, interestOp{ws, contact, in})
			}
		}
	}
	return nil
}

// attribute credits an order once, to the one widget that earned it
// (docs/widgets.md): the widget the buyer last clicked (a pop-up's button
// or a frame's product) within the conversion window before the order,
// else the one whose form the buyer last submitted within it; a widget
// only seen earns nothing. The buyer is every browser of the order's
// contact, so an order is credited once however many devices saw widgets.
// A click or a submission earns one order: a later order needs a new one.
func (p *Processor) attribute(b *batchState, ev *store.Event, visitors []string, total int64) {
	at := ev.OccurredAt.UnixMilli()
	from := at - conversionWindow.Milliseconds()
	// touch is the time a mark earned credit by kind (click, then
	// submission), 0 when it did not within the window.
	touch := func(m *mark, submitted bool) int64 {
		t := m.clickedAt
		if submitted {
			t = m.submittedAt
		}
		if t < from || t > at || t <= m.convertedAt {
			return 0
		}
		return t
	}
	ws := ev.WorkspaceID
	for _, submitted := range []bool{false, true} {
		best, bestAt := "", int64(0)
		var widget string
		for _, vid := range visitors {
			p.d.vs.with(vkey(ws, vid), func(v *visitor) {
				for i := range v.marks {
					if t := touch(&v.marks[i], submitted); t > bestAt {
						best, bestAt, widget = vid, t, v.marks[i].widget
					}
				}
			})
		}
		if best == "" {
			continue
		}
		p.d.vs.with(vkey(ws, best), func(v *visitor) {
			m := v.findMark(widget)
			if m == nil {
				return
			}
			m.convertedAt = at
			s := b.stat(ws, m.widget, m.variant, ev.OccurredAt)
			s.Conversions++
			s.RevenueMinor += total
			b.marks[[3]string{ws, best, m.widget}] = true
		})
		return
	}
}

// reloadContact re-resolves the visitor's contact (an identify may have
// merged it into another) and re-reads its contact-level counters from
// the profile. A changed contact also merges the engine's person.
func (p *Processor) reloadContact(ctx context.Context, ws, vid string, w *wsState) error {
	c, err := p.st.ContactByIdentity(ctx, ws, cdp.KindVisitor, vid)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fresh := &visitor{contact: c.ID}
	if err := p.d.loadContact(ctx, ws, vid, fresh); err != nil {
		return err
	}
	var old string
	p.d.vs.with(vkey(ws, vid), func(v *visitor) {
		if fresh.anon && v.pendingProof(p.d.now().UnixMilli()) {
			// Verified as another contact; the identify merging this
			// anonymous one into it comes later in the log.
			return
		}
		old = v.contact
		v.contact, v.asOf, v.visits, v.orders, v.session = fresh.contact, fresh.asOf, fresh.visits, fresh.orders, fresh.session
		v.cartMinor, v.emailConsent, v.unread, v.unreadAt = fresh.cartMinor, fresh.emailConsent, fresh.unread, fresh.unreadAt
		v.cart, v.segments = fresh.cart, fresh.segments
		v.anon = fresh.anon
		if len(fresh.viewed) > 0 {
			v.viewed = fresh.viewed
		}
	})
	if old != "" && old != c.ID {
		w.reco.Merge(old, c.ID)
	}
	return nil
}

// browsing reports whether an event only changes what a visitor's profile
// already records (visits, views, cart, consent, identity): nothing a
// visitor's in-memory state must hold before /decide first loads it.
// Widget events, orders (conversions), form submissions, wishlists and
// inbox items are not: they write or need the visitor's widget marks.
func browsing(typ string) bool {
	switch typ {
	case cdp.EventPageView, cdp.EventProductView, cdp.EventAddToCart, cdp.EventRemoveFromCart, cdp.EventCheckoutUpdated,
		cdp.EventOrderCancelled, cdp.EventOrderRefunded, cdp.EventConsent, cdp.EventConsentChanged, cdp.EventCustomerUpdated, cdp.EventIdentify:
		return true
	}
	return false
}
