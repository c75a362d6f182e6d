package personalization

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"strings"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// Submission is a lead form sent from a pop-up.
type Submission struct {
	WorkspaceID string
	Locale      string
	VisitorID   string
	WidgetID    string
	Variant     string
	Email       string
	Consent     bool
	Interests   []string
}

// SubmitResult is what the pop-up shows after a submission.
type SubmitResult struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Source is the source of the events widgets log.
const Source = "widget"

// Submit handles a lead form: it logs, through the event writer, identify
// {email}, consent {email, text} when the box was ticked, tag_added
// interest:<slug> per interest and form_submitted {email, widget, variant,
// interests, consent} — the profile processor links the email to the
// visitor's contact, records the consent with its text and the tags, flows
// trigger on form_submitted, and this package's processor stores the
// interests attribute — then reveals the widget's discount code.
func (d *Decider) Submit(ctx context.Context, s Submission) (SubmitResult, error) {
	w, err := d.workspace(ctx, s.WorkspaceID)
	if err != nil {
		return SubmitResult{}, err
	}
	var wd *widget
	w.mu.RLock()
	for _, x := range w.widgets {
		if x.id == s.WidgetID && x.def.Kind == widgets.KindPopup {
			wd = x
		}
	}
	w.mu.RUnlock()
	if wd == nil {
		return SubmitResult{}, store.ErrNotFound
	}
	_, texts := widgets.Texts(s.Locale)
	email := cdp.NormalizeEmail(s.Email)
	if email == "" {
		return SubmitResult{}, &widgets.InvalidError{Field: "email", Reason: texts["invalid_email"]}
	}
	vr := widgets.AssignVariant(&wd.def, wd.id, s.VisitorID)
	for i := range wd.def.Variants {
		if wd.def.Variants[i].ID == s.Variant {
			vr = &wd.def.Variants[i]
		}
	}
	form := vr.Content.Form
	if form == nil {
		return SubmitResult{}, &widgets.InvalidError{Field: "widget", Reason: "this pop-up has no form"}
	}
	if form.ConsentRequired && !s.Consent {
		return SubmitResult{}, &widgets.InvalidError{Field: "consent", Reason: texts["consent_required"]}
	}
	var interests []string
	for _, in := range s.Interests {
		for _, offered := range form.Interests {
			if strings.EqualFold(strings.TrimSpace(in), offered) && !contains(interests, offered) {
				interests = append(interests, offered)
			}
		}
	}
	now := d.now().UTC()
	ev := func(typ string, props any) store.Event {
		raw, _ := json.Marshal(props)
		return store.Event{WorkspaceID: s.WorkspaceID, Type: typ, Source: Source, VisitorID: s.VisitorID, OccurredAt: now,
			ReceivedAt: now, Props: raw, Context: json.RawMessage("{}")}
	}
	evs := []store.Event{ev(cdp.EventIdentify, map[string]any{"email": email})}
	if s.Consent && form.ConsentText != "" {
		evs = append(evs, ev(cdp.EventConsent, map[string]any{"channels": map[string]bool{"email": true}, "text": form.ConsentText}))
	}
	for _, in := range interests {
		evs = append(evs, ev(cdp.EventTagAdded, map[string]string{"tag": "interest:" + widgets.Slug(in)}))
	}
	if interests == nil {
		interests = []string{}
	}
	evs = append(evs, ev(EventFormSubmitted, map[string]any{"email": email, "widget": wd.id, "variant": vr.ID,
		"interests": interests, "consent": s.Consent}))
	if err := d.o.Events.Append(ctx, evs); err != nil {
		return SubmitResult{}, err
	}
	// Caps apply at once, before the processor sees the event (loading
	// the visitor if it is not in memory: its events are then in the
	// profile it is loaded from).
	if err := d.withVisitor(ctx, s.WorkspaceID, s.VisitorID, func(v *visitor) {
		m := v.mark(wd.id)
		m.variant, m.submittedAt = vr.ID, now.UnixMilli()
	}); err != nil {
		return SubmitResult{}, err
	}
	res := SubmitResult{Message: vr.Content.Success}
	if dc := wd.def.Discount; dc != nil && d.o.Discounts != nil {
		code, err := d.o.Discounts.CreateDiscount(ctx, s.WorkspaceID, *dc, d.code(s.WorkspaceID, wd.id, s.VisitorID, dc.Prefix), email)
		switch {
		case err == nil:
			res.Code = code
		case errors.Is(err, ErrNoDiscounts):
		default:
			// The visitor is on the list either way; the admin sees why
			// there was no code in the log.
			d.o.Log.Error("widget discount code", "workspace", s.WorkspaceID, "widget", wd.id, "err", err)
		}
	}
	switch {
	case res.Code != "":
		res.Message = strings.ReplaceAll(res.Message, "{code}", res.Code)
	case res.Message == "" || strings.Contains(res.Message, "{code}"):
		res.Message = texts["no_code"]
	}
	return res, nil
}

// code derives the discount code of one widget and visitor: a second
// submission asks the shop for the same code (which the connector then
// finds taken and returns), and nobody can compute another visitor's code
// without the key.
func (d *Decider) code(ws, widget, visitorID, prefix string) string {
	mac := hmac.New(sha256.New, d.o.CodeKey)
	mac.Write([]byte(ws + "\x00" + widget + "\x00" + visitorID))
	s := base32.StdEncoding.EncodeToString(mac.Sum(nil))[:10]
	if prefix == "" {
		return s
	}
	return prefix + "-" + s
}

// SetWishlisted adds a product to the visitor's wishlist or removes it:
// logged as wishlist_added / wishlist_removed (the processor stores it) and
// applied to memory at once so the next page shows it.
func (d *Decider) SetWishlisted(ctx context.Context, ws, visitorID, productID string, on bool) error {
	w, err := d.workspace(ctx, ws)
	if err != nil {
		return err
	}
	if on && w.item(productID) == nil {
		return &widgets.InvalidError{Field: "product_id", Reason: "no such product"}
	}
	typ := EventWishlistRemoved
	if on {
		typ = EventWishlistAdded
	}
	now := d.now().UTC()
	raw, _ := json.Marshal(map[string]string{"product_id": productID})
	err = d.o.Events.Append(ctx, []store.Event{{WorkspaceID: ws, Type: typ, Source: Source, VisitorID: visitorID,
		OccurredAt: now, ReceivedAt: now, Props: raw, Context: json.RawMessage("{}")}})
	if err != nil {
		return err
	}
	return d.withVisitor(ctx, ws, visitorID, func(v *visitor) { v.setWishlisted(productID, on) })
}

// Collected applies the widget_shown events of a tracker batch to the
// visitors' caps as soon as /collect has stored them, before the
// processor reads them from the log (a fraction of a second later, which
// a visitor moving to the next page can beat): a pop-up capped per session
// is not offered again meanwhile. Only visitors already in memory are
// changed; the processor counts the events for good.
func (d *Decider) Collected(evs []store.Event) {
	for i := range evs {
		ev := &evs[i]
		if ev.Type != EventWidgetShown || ev.SessionID == "" || ev.VisitorID == "" {
			continue
		}
		var p struct {
			Widget string `json:"widget"`
		}
		if json.Unmarshal(ev.Props, &p) != nil || p.Widget == "" {
			continue
		}
		d.mu.Lock()
		w := d.wss[ev.WorkspaceID]
		d.mu.Unlock()
		if w == nil {
			continue
		}
		w.mu.RLock()
		known := w.known[p.Widget]
		w.mu.RUnlock()
		if !known {
			continue
		}
		d.vs.with(vkey(ev.WorkspaceID, ev.VisitorID), func(v *visitor) {
			m := v.mark(p.Widget)
			if m.earlySession != ev.SessionID {
				m.earlySession, m.early = ev.SessionID, 0
			}
			m.early++
		})
	}
}
