package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/workspace"
)

// apiKeys lists the workspace's API keys (owners): name, prefix, created,
// last used, revoked. Tokens are never shown again after they are made.
func (h *Handler) apiKeys(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderAPIKeys(w, r, q, http.StatusOK, newForm(), "")
}

func (h *Handler) renderAPIKeys(w http.ResponseWriter, r *http.Request, q *request, status int, f *form, token string) error {
	keys, err := h.opt.Workspaces.Keys(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	h.render(w, r, q, status, "apikeys.html", map[string]any{"Title": "keys.title", "Keys": keys, "Form": f, "Token": token})
	return nil
}

// issueAPIKey makes a key and shows its token this once.
func (h *Handler) issueAPIKey(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["name"] = strings.TrimSpace(r.PostFormValue("name"))
	k, token, err := h.opt.Workspaces.IssueKey(r.Context(), q.WS.ID, f.Values["name"])
	var inv *workspace.InvalidError
	if errors.As(err, &inv) {
		f.Errors["name"] = h.texts.text(q.Locale, "keys.bad_name")
		return h.renderAPIKeys(w, r, q, http.StatusUnprocessableEntity, f, "")
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "api_key.issue", k.ID, k.Name)
	return h.renderAPIKeys(w, r, q, http.StatusOK, newForm(), token)
}

// revokeAPIKey revokes one of the workspace's keys.
func (h *Handler) revokeAPIKey(w http.ResponseWriter, r *http.Request, q *request) error {
	id := r.PathValue("id")
	if err := h.opt.Workspaces.RevokeKey(r.Context(), q.WS.ID, id); err != nil {
		return err
	}
	h.record(r.Context(), q, "api_key.revoke", id, "")
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/api-keys", http.StatusSeeOther)
	return nil
}
