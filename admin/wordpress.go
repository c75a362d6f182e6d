package admin

import (
	"errors"
	"net/http"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/connectors"
)

// wordpressEntry opens the console from the WordPress plugin's menu item:
// the plugin redirects its user here with a link signed by the shop's
// webhook secret (woocommerce.ConsoleEntry), which signs them in to the
// shop's workspace, once, without a stored password.
func (h *Handler) wordpressEntry(w http.ResponseWriter, r *http.Request) {
	q := &request{Locale: pickLocale("", r)}
	if h.opt.Connectors == nil {
		h.fail(w, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	sh, e, err := h.opt.Connectors.VerifyWooConsoleEntry(r.Context(), r.URL.Query())
	if errors.Is(err, connectors.ErrLoginRefused) {
		h.opt.Log.Info("wordpress console link refused", "shop", e.ShopID)
		h.fail(w, r, q, http.StatusUnauthorized, "wordpress.refused")
		return
	}
	if err != nil {
		h.finish(w, r, q, err)
		return
	}
	session, _, err := h.opt.Accounts.WordPressSession(r.Context(), sh.WorkspaceID, sh.ID, e.UserID, e.Name, e.Nonce)
	if errors.Is(err, accounts.ErrLinkInvalid) {
		h.fail(w, r, q, http.StatusUnauthorized, "wordpress.refused")
		return
	}
	if err != nil {
		h.finish(w, r, q, err)
		return
	}
	h.setSession(w, session)
	http.Redirect(w, r, "/admin/w/"+sh.WorkspaceID+"/", http.StatusSeeOther)
}
