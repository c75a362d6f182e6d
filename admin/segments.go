package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/personalization/segments"
	"github.com/cartwheelhq/cartwheel/store"
)

// routesSegments registers the segments pages: the list with sizes and
// the ready-made segments, and one page per segment with its definition,
// members and size history.
func (h *Handler) routesSegments(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/segments", h.inWorkspace(h.segmentsPage))
	m.HandleFunc("POST /admin/w/{ws}/segments", h.inWorkspace(h.editor(h.createSegment)))
	m.HandleFunc("POST /admin/w/{ws}/segment-templates/{key}", h.inWorkspace(h.editor(h.installSegment)))
	m.HandleFunc("GET /admin/w/{ws}/segments/{id}", h.inWorkspace(h.segmentPage))
	m.HandleFunc("POST /admin/w/{ws}/segments/{id}", h.inWorkspace(h.editor(h.saveSegment)))
	m.HandleFunc("POST /admin/w/{ws}/segments/{id}/delete", h.inWorkspace(h.editor(h.deleteSegment)))
}

// readyMadeRow is a ready-made segment with the one installed from it.
type readyMadeRow struct {
	segments.ReadyMade
	Installed string
}

func (h *Handler) segmentsPage(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderSegments(w, r, q, http.StatusOK, newForm())
}

func (h *Handler) renderSegments(w http.ResponseWriter, r *http.Request, q *request, status int, f *form) error {
	if h.opt.Segments == nil {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("segments.unavailable"))
		return nil
	}
	list, err := h.opt.Segments.List(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	installed := map[string]string{}
	for _, s := range list {
		if s.ReadyMade != "" {
			installed[s.ReadyMade] = s.ID
		}
	}
	var ready []readyMadeRow
	for _, rm := range segments.ReadyMades() {
		ready = append(ready, readyMadeRow{rm, installed[rm.Key]})
	}
	h.render(w, r, q, status, "segments.html", map[string]any{"Title": "segments.title", "Segments": list,
		"ReadyMade": ready, "Form": f})
	return nil
}

// segmentForm reads the definition form and puts a service error next to
// its field: the definition's errors name the bad node's path.
func (h *Handler) segmentForm(r *http.Request) (*form, segments.Input) {
	f := newForm()
	for _, k := range []string{"name", "description", "definition"} {
		f.Values[k] = r.PostFormValue(k)
	}
	return f, segments.Input{Name: f.Values["name"], Description: f.Values["description"],
		Definition: []byte(strings.TrimSpace(f.Values["definition"]))}
}

func (h *Handler) segmentError(q *request, f *form, err error) bool {
	var inv *segments.InvalidError
	if !errors.As(err, &inv) {
		return false
	}
	switch inv.Path {
	case "name", "description":
		f.Errors[inv.Path] = h.texts.text(q.Locale, "segments.err."+inv.Path)
	default:
		f.Errors["definition"] = h.texts.text(q.Locale, "segments.err.definition", inv.Path, inv.Reason)
	}
	return true
}

func (h *Handler) createSegment(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Segments == nil {
		return h.renderSegments(w, r, q, http.StatusOK, newForm())
	}
	f, in := h.segmentForm(r)
	s, err := h.opt.Segments.Create(r.Context(), q.WS.ID, in)
	if h.segmentError(q, f, err) {
		return h.renderSegments(w, r, q, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "segment.create", s.ID, s.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/segments/"+s.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) installSegment(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Segments == nil {
		return h.renderSegments(w, r, q, http.StatusOK, newForm())
	}
	s, err := h.opt.Segments.Install(r.Context(), q.WS.ID, r.PathValue("key"))
	var inv *segments.InvalidError
	if errors.As(err, &inv) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "segment.install", s.ID, s.ReadyMade)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/segments/"+s.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) segmentPage(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderSegment(w, r, q, http.StatusOK, r.PathValue("id"), nil)
}

// renderSegment shows a segment: the definition form (f, or the stored
// definition), a page of members after ?after= and the size history.
func (h *Handler) renderSegment(w http.ResponseWriter, r *http.Request, q *request, status int, id string, f *form) error {
	if h.opt.Segments == nil {
		return h.renderSegments(w, r, q, http.StatusOK, newForm())
	}
	s, err := h.opt.Segments.Get(r.Context(), q.WS.ID, id)
	if errors.Is(err, segments.ErrNotFound) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm()
		f.Values["name"], f.Values["description"] = s.Name, s.Description
		f.Values["definition"] = indentJSON(s.Definition)
	}
	const pageSize = 50
	after := r.URL.Query().Get("after")
	members, err := h.opt.Segments.Members(r.Context(), q.WS.ID, id, after, pageSize)
	if err != nil {
		return err
	}
	next := ""
	if len(members) == pageSize {
		next = members[len(members)-1].ContactID
	}
	sizes, err := h.opt.Segments.Sizes(r.Context(), q.WS.ID, id, 90)
	if err != nil {
		return err
	}
	// Newest day first: the table answers "how big lately" at the top.
	for i, j := 0, len(sizes)-1; i < j; i, j = i+1, j-1 {
		sizes[i], sizes[j] = sizes[j], sizes[i]
	}
	h.render(w, r, q, status, "segment.html", map[string]any{"Title": "segments.title", "S": s, "Form": f,
		"Members": members, "After": after, "Next": next, "Sizes": sizes, "ReadyMade": segments.ReadyMades(),
		"Saved": r.URL.Query().Get("saved") != ""})
	return nil
}

func (h *Handler) saveSegment(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Segments == nil {
		return h.renderSegments(w, r, q, http.StatusOK, newForm())
	}
	id := r.PathValue("id")
	f, in := h.segmentForm(r)
	s, err := h.opt.Segments.Update(r.Context(), q.WS.ID, id, in)
	if errors.Is(err, segments.ErrNotFound) {
		return store.ErrNotFound
	}
	if h.segmentError(q, f, err) {
		return h.renderSegment(w, r, q, http.StatusUnprocessableEntity, id, f)
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "segment.update", s.ID, s.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/segments/"+s.ID+"?saved=1", http.StatusSeeOther)
	return nil
}

func (h *Handler) deleteSegment(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Segments == nil {
		return h.renderSegments(w, r, q, http.StatusOK, newForm())
	}
	id := r.PathValue("id")
	err := h.opt.Segments.Delete(r.Context(), q.WS.ID, id)
	if errors.Is(err, segments.ErrNotFound) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "segment.delete", id, "")
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/segments", http.StatusSeeOther)
	return nil
}

// contactSegments lists the segments shown on the contact card (none
// without the service).
func (h *Handler) contactSegments(r *http.Request, workspaceID, contactID string) ([]segments.Segment, error) {
	if h.opt.Segments == nil {
		return nil, nil
	}
	return h.opt.Segments.ContactSegments(r.Context(), workspaceID, contactID)
}

// indentJSON lays a stored (compact) definition out for the textarea.
func indentJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}
