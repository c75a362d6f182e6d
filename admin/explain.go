package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// explainWidgets answers "why did this visitor see this?": for a visitor
// id, or a contact's email (their most recent browser), on a page, the
// decision /decide would make now and each widget's reason.
func (h *Handler) explainWidgets(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Personalization == nil {
		return errNotFound
	}
	f := newForm()
	for _, k := range []string{"who", "url", "page", "product"} {
		f.Values[k] = strings.TrimSpace(r.URL.Query().Get(k))
	}
	data := map[string]any{"Title": "explain.title", "Form": f}
	if who := f.Values["who"]; who != "" {
		visitor, err := h.visitorOf(r, q, who)
		switch {
		case errors.Is(err, store.ErrNotFound):
			f.Errors["who"] = h.texts.text(q.Locale, "explain.unknown")
		case err != nil:
			return err
		default:
			dec, ex, err := h.opt.Personalization.Explain(r.Context(), personalization.DecideRequest{WorkspaceID: q.WS.ID,
				Locale: q.WS.Locale, VisitorID: visitor, URL: f.Values["url"], Page: f.Values["page"], ProductID: f.Values["product"]})
			if err != nil {
				return err
			}
			data["Decision"], data["Explanation"], data["Visitor"] = dec, ex, visitor
		}
	}
	h.render(w, r, q, http.StatusOK, "explain.html", data)
	return nil
}

// visitorOf reads a visitor id as typed, or finds the browser of the
// contact with that email (the newest visitor id they have).
func (h *Handler) visitorOf(r *http.Request, q *request, who string) (string, error) {
	if tracker.ValidID(who) {
		return who, nil
	}
	if !strings.Contains(who, "@") {
		return "", store.ErrNotFound
	}
	c, err := h.opt.Contacts.ByEmail(r.Context(), q.WS.ID, strings.ToLower(who))
	if err != nil {
		return "", err
	}
	ids, err := h.opt.Store.Identities(r.Context(), q.WS.ID, c.ID)
	if err != nil {
		return "", err
	}
	var newest store.Identity
	for _, id := range ids {
		if id.Kind == cdp.KindVisitor && (newest.Value == "" || id.CreatedAt.After(newest.CreatedAt)) {
			newest = id
		}
	}
	visitor := newest.Value
	if visitor == "" {
		return "", store.ErrNotFound
	}
	return visitor, nil
}
