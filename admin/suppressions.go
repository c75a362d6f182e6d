package admin

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/store"
)

// routesDeliverability adds the deliverability page: the sending domain's
// DNS records and warnings, and the suppression list with its import and
// export.
func (h *Handler) routesDeliverability(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/deliverability", h.inWorkspace(h.deliverability))
	m.HandleFunc("GET /admin/w/{ws}/deliverability/suppressions.csv", h.inWorkspace(h.exportSuppressions))
	m.HandleFunc("POST /admin/w/{ws}/deliverability/suppressions", h.inWorkspace(h.editor(h.addSuppression)))
	m.HandleFunc("POST /admin/w/{ws}/deliverability/suppressions/remove", h.inWorkspace(h.editor(h.removeSuppression)))
	m.HandleFunc("POST /admin/w/{ws}/deliverability/import", h.inWorkspace(h.editor(h.importSuppressions)))
}

// suppressionReasons are the reasons the admin may pick by hand.
var suppressionReasons = []string{store.SuppressManual, store.SuppressHardBounce, store.SuppressComplaint, store.SuppressUnsubscribe}

func (h *Handler) deliverability(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderDeliverability(w, r, q, http.StatusOK, newForm())
}

func (h *Handler) renderDeliverability(w http.ResponseWriter, r *http.Request, q *request, status int, f *form) error {
	data := map[string]any{"Title": "deliv.title", "Form": f, "Reasons": suppressionReasons, "Search": r.URL.Query().Get("q")}
	if h.opt.Messaging == nil {
		data["Off"] = true
		h.render(w, r, q, status, "suppressions.html", data)
		return nil
	}
	rep, err := h.opt.Messaging.CheckDomain(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	list, err := h.opt.Messaging.Suppressions(r.Context(), q.WS.ID, store.SuppressionFilter{Search: r.URL.Query().Get("q"), Limit: 200})
	if err != nil {
		return err
	}
	data["Domain"], data["Suppressions"] = rep, list
	h.render(w, r, q, status, "suppressions.html", data)
	return nil
}

func (h *Handler) exportSuppressions(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Messaging == nil {
		return errors.New("messaging is off")
	}
	var b bytes.Buffer
	if err := h.opt.Messaging.ExportSuppressions(r.Context(), q.WS.ID, &b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="suppressions.csv"`)
	_, err := w.Write(b.Bytes())
	return err
}

func (h *Handler) addSuppression(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["email"] = strings.TrimSpace(r.PostFormValue("email"))
	f.Values["reason"] = r.PostFormValue("reason")
	if h.opt.Messaging == nil {
		return h.renderDeliverability(w, r, q, http.StatusOK, f)
	}
	sp, err := h.opt.Messaging.Suppress(r.Context(), q.WS.ID, f.Values["email"], f.Values["reason"], messaging.SourceConsole, "")
	var inv *messaging.InvalidImport
	if errors.As(err, &inv) {
		f.Errors["email"] = h.texts.text(q.Locale, "deliv.bad_email")
		return h.renderDeliverability(w, r, q, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "suppression.add", sp.Email, sp.Reason)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/deliverability", http.StatusSeeOther)
	return nil
}

func (h *Handler) removeSuppression(w http.ResponseWriter, r *http.Request, q *request) error {
	addr := r.PostFormValue("email")
	if h.opt.Messaging != nil {
		ok, err := h.opt.Messaging.Unsuppress(r.Context(), q.WS.ID, addr)
		if err != nil {
			return err
		}
		if ok {
			h.record(r.Context(), q, "suppression.remove", strings.ToLower(addr), "")
		}
	}
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/deliverability", http.StatusSeeOther)
	return nil
}

// importSuppressions reads an uploaded CSV file, or CSV pasted in the text
// box.
func (h *Handler) importSuppressions(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	if h.opt.Messaging == nil {
		return h.renderDeliverability(w, r, q, http.StatusOK, f)
	}
	var src io.Reader = strings.NewReader(r.PostFormValue("csv_text"))
	if file, _, err := r.FormFile("csv"); err == nil {
		defer file.Close()
		src = file
	}
	f.Values["csv_text"] = r.PostFormValue("csv_text")
	res, err := h.opt.Messaging.ImportSuppressions(r.Context(), q.WS.ID, messaging.SourceImport, src)
	var inv *messaging.InvalidImport
	if errors.As(err, &inv) {
		f.Errors["csv"] = h.texts.text(q.Locale, "deliv.bad_csv", inv.Line, inv.Reason)
		return h.renderDeliverability(w, r, q, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "suppression.import", "", h.texts.text("en", "deliv.imported", res.Imported, res.Skipped))
	f = newForm()
	f.Notice = h.texts.text(q.Locale, "deliv.imported", res.Imported, res.Skipped)
	return h.renderDeliverability(w, r, q, http.StatusOK, f)
}
