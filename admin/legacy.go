package admin

import (
	"net/http"
	"net/url"
)

// The addresses of the token sign-in and outbox the console replaced
// (/admin/login, /admin/outbox): bookmarks and links in old mails lead to
// the console's sign-in and Messages page instead of a dead end.

func (h *Handler) routesLegacy(m *http.ServeMux) {
	m.HandleFunc("GET /admin/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/signin", http.StatusMovedPermanently)
	})
	// A post (a token typed into an old form) is not read: the token is not
	// a console password.
	m.HandleFunc("POST /admin/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
	})
	m.HandleFunc("POST /admin/logout", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
	})
	m.HandleFunc("GET /admin/outbox", h.signedIn(h.legacyOutbox))
	m.HandleFunc("GET /admin/outbox/{id}", h.signedIn(h.legacyOutboxMessage))
}

// legacyOutbox opens the Messages page (email) of the workspace named by
// ?workspace= when the person may open it, else of their first one.
func (h *Handler) legacyOutbox(w http.ResponseWriter, r *http.Request, q *request) error {
	all, err := h.reachable(r.Context(), q.User)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("err.noworkspace"))
		return nil
	}
	ws := all[0].ID
	for _, x := range all {
		if x.ID == r.URL.Query().Get("workspace") {
			ws = x.ID
		}
	}
	http.Redirect(w, r, "/admin/w/"+ws+"/messages?channel=email", http.StatusMovedPermanently)
	return nil
}

// legacyOutboxMessage opens one message in the console, in its own
// workspace, for a person who has a role there.
func (h *Handler) legacyOutboxMessage(w http.ResponseWriter, r *http.Request, q *request) error {
	m, err := h.opt.Store.Message(r.Context(), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	role, err := h.opt.Accounts.Role(r.Context(), q.User, m.WorkspaceID)
	if err != nil {
		return err
	}
	if role == "" {
		return errNotFound
	}
	http.Redirect(w, r, "/admin/w/"+m.WorkspaceID+"/messages/"+url.PathEscape(m.ID), http.StatusMovedPermanently)
	return nil
}
