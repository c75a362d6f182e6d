package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// image serves a product's generated SVG.
func (s *Storefront) image(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	if !ok || !validProductID(id) {
		s.fail(w, r, http.StatusNotFound, "We could not find that image.")
		return
	}
	p, err := s.st.Product(r.Context(), s.site.Workspace.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "We could not find that image.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	svg := ProductSVG(p)
	sum := sha256.Sum256(svg)
	// An SVG opened on its own is a document that could run script; ours
	// has none, and this keeps it that way.
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	serveAsset(w, r, "image/svg+xml", `"`+hex.EncodeToString(sum[:8])+`"`, 24*time.Hour, svg)
}

// newsletter acknowledges a newsletter sign-up. The tracker has already
// identified the visitor from the form's email field on submit; the shop's
// part is to validate and say thank you.
func (s *Storefront) newsletter(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if !validEmail(strings.TrimSpace(r.PostForm.Get("email"))) {
		s.fail(w, r, http.StatusBadRequest, "Please enter a valid email address to subscribe.")
		return
	}
	http.Redirect(w, r, s.backWithNotice(r, "subscribed"), http.StatusSeeOther)
}

// backWithNotice returns the shop page the request came from (by its
// Referer), or the home page, with ?notice=key. Only the referrer's path and
// query are used, and only under the shop, so this is never an open redirect.
// Pages that answered a POST (an error page after "add to cart") cannot be
// fetched again, and a recovery link must not run twice: those go home.
func (s *Storefront) backWithNotice(r *http.Request, key string) string {
	target := s.base + "/"
	q := url.Values{}
	if ref, err := url.Parse(r.Referer()); err == nil && strings.HasPrefix(ref.Path, s.base+"/") {
		rest := strings.TrimPrefix(ref.Path, s.base)
		switch rest {
		case "/cart/add", "/cart/update", "/checkout/place", "/checkout/recover", "/newsletter":
		default:
			target = ref.EscapedPath()
			q = ref.Query()
		}
	}
	q.Set("notice", key)
	return target + "?" + q.Encode()
}
