package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/store"
)

// shopifyEntry opens the console inside the Shopify admin. Shopify loads
// the app's URL in an iframe with ?shop=…&id_token=… (an App Bridge session
// token); a verified token signs the staff member in to the workspace of
// that shop. The session cookie is partitioned (CHIPS: SameSite=None,
// Secure, Partitioned), so it lives only under the Shopify admin's top-level
// site and is no third-party cookie that browsers block.
func (h *Handler) shopifyEntry(w http.ResponseWriter, r *http.Request) {
	q := &request{Locale: pickLocale("", r)}
	if h.opt.ShopifyAPIKey == "" {
		h.fail(w, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	token := r.URL.Query().Get("id_token")
	claims, err := shopify.VerifySessionToken(token, h.opt.ShopifyAPIKey, h.opt.ShopifyAPISecret, time.Now())
	if err != nil || (r.URL.Query().Get("shop") != "" && r.URL.Query().Get("shop") != claims.Shop) {
		h.opt.Log.Info("shopify embedded entry refused", "err", err)
		h.fail(w, r, q, http.StatusUnauthorized, "shopify.refused")
		return
	}
	sh, err := h.opt.Store.ShopByDomain(r.Context(), "shopify", claims.Shop)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, q, http.StatusNotFound, "shopify.unknown")
		return
	}
	if err != nil {
		h.finish(w, r, q, err)
		return
	}
	session, _, err := h.opt.Accounts.ShopifySession(r.Context(), sh.WorkspaceID, claims.Shop, claims.UserID)
	if err != nil {
		h.finish(w, r, q, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session, Path: "/admin/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteNoneMode, Partitioned: true, MaxAge: int(accounts.EmbeddedSessionLifetime / time.Second)})
	http.Redirect(w, r, "/admin/w/"+sh.WorkspaceID+"/", http.StatusSeeOther)
}
