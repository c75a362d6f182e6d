package admin

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

//go:embed static/widgets.css
var widgetsCSS []byte

// routesWidgets adds the widget editor, its preview and the widget bundle
// the preview loads.
func (h *Handler) routesWidgets(m *http.ServeMux) {
	m.HandleFunc("GET /admin/static/widgets.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(widgetsCSS)
	})
	// The real bundle, as the shops' pages get it (minified, cached).
	m.Handle("GET /admin/static/w.js", widgets.BundleHandler())
	m.HandleFunc("GET /admin/w/{ws}/widgets/{id}", h.inWorkspace(h.widgetPage))
	m.HandleFunc("POST /admin/w/{ws}/widgets/{id}", h.inWorkspace(h.editor(h.saveWidget)))
	m.HandleFunc("GET /admin/w/{ws}/widgets/{id}/preview", h.inWorkspace(h.widgetPreview))
	// Previewing what was typed changes nothing: viewers may too.
	m.HandleFunc("POST /admin/w/{ws}/widgets/{id}/preview", h.inWorkspace(h.widgetPreview))
}

// newWidgetID is the id in the editor's address of a widget not saved yet.
const newWidgetID = "new"

// widgetOf returns the widget the path names and its definition; "new"
// is a widget of the kind the query names (a pop-up by default) with the
// starting values of the editor.
func (h *Handler) widgetOf(r *http.Request, q *request) (store.Widget, widgets.Definition, error) {
	var def widgets.Definition
	if h.opt.Personalization == nil {
		return store.Widget{}, def, errNotFound
	}
	id := r.PathValue("id")
	if id == newWidgetID {
		kind := r.FormValue("kind")
		if !slices.Contains([]string{widgets.KindPopup, widgets.KindFrame, widgets.KindInbox}, kind) {
			kind = widgets.KindPopup
		}
		def = widgets.Definition{Kind: kind, Status: widgets.StatusDraft}
		switch kind {
		case widgets.KindPopup:
			def.Layout = widgets.LayoutModal
			def.Variants = []widgets.Variant{{ID: "a", Weight: 1}}
		case widgets.KindFrame:
			def.Frame = &widgets.Frame{Count: 4}
		}
		return store.Widget{ID: newWidgetID, Kind: kind, Status: def.Status}, def, nil
	}
	sw, err := h.opt.Store.Widget(r.Context(), q.WS.ID, id)
	if err != nil {
		return sw, def, err
	}
	if err := json.Unmarshal(sw.Definition, &def); err != nil {
		return sw, def, fmt.Errorf("widget %s: %w", sw.ID, err)
	}
	return sw, def, nil
}

// widgetPage shows a widget's figures per variant and its editor, with
// the preview beside it.
func (h *Handler) widgetPage(w http.ResponseWriter, r *http.Request, q *request) error {
	sw, def, err := h.widgetOf(r, q)
	if err != nil {
		return err
	}
	return h.renderWidget(w, r, q, http.StatusOK, sw, widgetFormOf(def, q.WS.Currency))
}

// variantRow is one variant's figures; Weight is its share now (0 for a
// variant no longer in the widget).
type variantRow struct {
	personalization.Stat
	Weight int
	Gone   bool
}

// widgetPeriods are the figures' periods in days (0: all time).
var widgetPeriods = []int{7, 30, 90, 0}

func (h *Handler) renderWidget(w http.ResponseWriter, r *http.Request, q *request, status int, sw store.Widget, wf *widgetForm) error {
	days := 30
	if n, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && slices.Contains(widgetPeriods, n) {
		days = n
	}
	var rows []variantRow
	if sw.ID != newWidgetID {
		var def widgets.Definition
		_ = json.Unmarshal(sw.Definition, &def)
		stats, err := h.opt.Personalization.Stats(r.Context(), q.WS.ID, sw.ID, days)
		if err != nil {
			return err
		}
		// Every variant of the widget, shown or not yet, then those of
		// earlier versions that still have figures.
		for _, v := range def.Variants {
			row := variantRow{Stat: personalization.Stat{WidgetStat: store.WidgetStat{Variant: v.ID}}, Weight: v.Weight}
			if i := slices.IndexFunc(stats, func(s personalization.Stat) bool { return s.Variant == v.ID }); i >= 0 {
				row.Stat = stats[i]
			}
			rows = append(rows, row)
		}
		for _, s := range stats {
			if !slices.ContainsFunc(def.Variants, func(v widgets.Variant) bool { return v.ID == s.Variant }) {
				rows = append(rows, variantRow{Stat: s, Gone: true})
			}
		}
	}
	first := ""
	if wf.Variants > 0 {
		first = wf.Values[variantName(0, "id")]
	}
	// The page frames its own preview, and nothing else.
	w.Header().Set("Content-Security-Policy", w.Header().Get("Content-Security-Policy")+"; frame-src 'self'")
	h.render(w, r, q, status, "widget_edit.html", map[string]any{"Title": "widgets.title", "W": sw, "Form": wf,
		"Sections": h.sections(q, wf), "Rows": rows, "Days": days, "Periods": widgetPeriods, "FirstVariant": first,
		"CanAdd": wf.Kind == widgets.KindPopup && wf.Variants < maxVariants, "Saved": r.URL.Query().Has("saved"),
		"Action": "/admin/w/" + q.WS.ID + "/widgets/" + sw.ID})
	return nil
}

// saveWidget stores the editor's widget through the API's code path
// (personalization's CreateWidget or UpdateWidget: the validation of
// widgets/validate.go and the discount promise check), or adds or removes
// a variant when one of those buttons was pressed. Errors go next to
// their fields, with everything typed kept.
func (h *Handler) saveWidget(w http.ResponseWriter, r *http.Request, q *request) error {
	sw, _, err := h.widgetOf(r, q)
	if err != nil {
		return err
	}
	wf := readWidgetForm(r, sw.Kind)
	switch op := r.PostFormValue("op"); {
	case op == "add-variant":
		wf.addVariant()
		return h.renderWidget(w, r, q, http.StatusOK, sw, wf)
	case strings.HasPrefix(op, "remove-variant:"):
		i, _ := strconv.Atoi(strings.TrimPrefix(op, "remove-variant:"))
		wf.removeVariant(i)
		return h.renderWidget(w, r, q, http.StatusOK, sw, wf)
	}
	def, bad := wf.definition(q.WS.Currency)
	if len(bad) > 0 {
		for name, key := range bad {
			wf.Errors[name] = h.texts.text(q.Locale, key)
		}
		return h.renderWidget(w, r, q, http.StatusUnprocessableEntity, sw, wf)
	}
	var out store.Widget
	if sw.ID == newWidgetID {
		out, err = h.opt.Personalization.CreateWidget(r.Context(), q.WS.ID, def, "")
	} else {
		out, err = h.opt.Personalization.UpdateWidget(r.Context(), q.WS.ID, sw.ID, def)
	}
	var inv *widgets.InvalidError
	if errors.As(err, &inv) {
		wf.placeError(inv)
		return h.renderWidget(w, r, q, http.StatusUnprocessableEntity, sw, wf)
	}
	if err != nil {
		return err
	}
	action := "widget.update"
	if sw.ID == newWidgetID {
		action = "widget.create"
	}
	h.record(r.Context(), q, action, out.ID, out.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/widgets/"+out.ID+"?saved=1", http.StatusSeeOther)
	return nil
}
