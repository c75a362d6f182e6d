package admin

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/widgets"
)

// previewCSP is the preview page's policy: the one script it runs is the
// widget bundle, by its nonce (no other script, not even another of this
// origin); it fetches nothing (connect-src falls back to 'none': no
// /decide, no event, no submission could leave even if the bundle tried);
// images may come from anywhere, as on a shop's page; and only the console
// may frame it.
func previewCSP(nonce, frameAncestors string) string {
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src https: http: data:; " +
		"form-action 'none'; base-uri 'none'; frame-ancestors 'self'" + frameAncestors
}

// widgetPreview renders a widget with the real bundle (w.js in preview
// mode) on a page of its own, which the editor frames: a GET shows the
// saved widget, a POST (the editor's preview button) what was typed. The
// ?variant= (or the button's variant) picks a pop-up's variant.
func (h *Handler) widgetPreview(w http.ResponseWriter, r *http.Request, q *request) error {
	sw, def, err := h.widgetOf(r, q)
	if err != nil {
		return err
	}
	data := map[string]any{"Kind": sw.Kind}
	if r.Method == http.MethodPost {
		wf := readWidgetForm(r, sw.Kind)
		var bad map[string]string
		if def, bad = wf.definition(q.WS.Currency); len(bad) > 0 {
			for name, key := range bad {
				data["Problem"] = name + ": " + h.texts.text(q.Locale, key)
			}
		}
	}
	if data["Problem"] == nil {
		if err := def.Validate(); err != nil {
			var inv *widgets.InvalidError
			if !errors.As(err, &inv) {
				return err
			}
			data["Problem"] = inv.Error()
		}
	}
	if data["Problem"] == nil {
		dec, why, err := h.opt.Personalization.Preview(r.Context(), q.WS.ID, q.WS.Locale, sw.ID, def, r.FormValue("variant"))
		if err != nil {
			return err
		}
		if !dec.W {
			data["Problem"] = why
		} else {
			answer, err := json.Marshal(dec)
			if err != nil {
				return err
			}
			data["Answer"] = string(answer)
			if def.Frame != nil {
				data["Frame"] = def.Frame.Name
			}
			if widgets.PromisesCode(&def) {
				// A sample, shaped like the codes shops get (PREFIX-XXXXXXXX).
				prefix := "CODE"
				if def.Discount != nil && def.Discount.Prefix != "" {
					prefix = def.Discount.Prefix
				}
				data["Code"] = prefix + "-PREVIEW"
			}
		}
	}
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	data["Nonce"] = nonce
	fa := ""
	if q.Session.FrameAncestors != "" {
		// Inside the Shopify admin the console is framed in turn: every
		// ancestor must be allowed.
		fa = " " + q.Session.FrameAncestors
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", previewCSP(nonce, fa))
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	if fa != "" {
		hd.Del("X-Frame-Options")
	}
	return h.renderBare(w, q, "widget_preview.html", "preview", data)
}

// renderBare writes a page of its own (no console layout) in the
// request's locale.
func (h *Handler) renderBare(w http.ResponseWriter, q *request, page, name string, data map[string]any) error {
	t, ok := h.pages[page]
	if !ok {
		return errors.New("no page " + page)
	}
	t, err := t.Clone()
	if err != nil {
		return err
	}
	t = t.Funcs(template.FuncMap{
		"t":    func(key string, args ...any) string { return h.texts.text(q.Locale, key, args...) },
		"date": func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	})
	data["Locale"] = q.Locale
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(buf.String()))
	return err
}

func newNonce() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
