package admin

import (
	"errors"
	"net/http"

	"github.com/cartwheelhq/cartwheel/automation"
)

// Archiving a flow: a confirmation page (archiving ends every running
// enrollment, which cannot be undone), the archive itself, and restoring
// an archived flow to paused. The flows list leaves archived flows out
// unless ?archived=show.

func (h *Handler) routesFlowArchive(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/flows/{id}/archive", h.inWorkspace(h.editor(h.archiveFlowForm)))
	m.HandleFunc("POST /admin/w/{ws}/flows/{id}/archive", h.inWorkspace(h.editor(h.archiveFlow)))
	m.HandleFunc("POST /admin/w/{ws}/flows/{id}/restore", h.inWorkspace(h.editor(h.restoreFlow)))
}

func (h *Handler) archiveFlowForm(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Automation == nil {
		return errNotFound
	}
	f, err := h.opt.Automation.Flow(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.render(w, r, q, http.StatusOK, "flow_archive.html", map[string]any{"Title": "archive.title", "F": f})
	return nil
}

func (h *Handler) archiveFlow(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Automation == nil {
		return errNotFound
	}
	f, err := h.opt.Automation.SetStatus(r.Context(), q.WS.ID, r.PathValue("id"), automation.FlowArchived)
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "flow.archived", f.ID, f.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows?done=archived", http.StatusSeeOther)
	return nil
}

// restoreFlow takes a flow out of the archive, paused: an admin activates
// it from there on purpose.
func (h *Handler) restoreFlow(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Automation == nil {
		return errNotFound
	}
	f, err := h.opt.Automation.Flow(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if f.Status == automation.FlowArchived {
		if f, err = h.opt.Automation.SetStatus(r.Context(), q.WS.ID, f.ID, automation.FlowPaused); err != nil {
			return err
		}
		h.record(r.Context(), q, "flow.restored", f.ID, f.Name)
	}
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows?done=restored", http.StatusSeeOther)
	return nil
}

// visibleFlows leaves archived flows out of the list unless asked to show
// them; it returns how many are archived.
func visibleFlows(flows []automation.Flow, show bool) ([]automation.Flow, int) {
	out, archived := make([]automation.Flow, 0, len(flows)), 0
	for _, f := range flows {
		if f.Status == automation.FlowArchived {
			archived++
			if !show {
				continue
			}
		}
		out = append(out, f)
	}
	return out, archived
}

// archiveNotice is what the flows list says after an archive or a
// restore (?done=), nothing for any other value.
func archiveNotice(r *http.Request) string {
	if d := r.URL.Query().Get("done"); d == "archived" || d == "restored" {
		return d
	}
	return ""
}

// errArchived turns the engine's refusal to activate an archived flow
// into "not found" for a stale form.
func errArchived(err error) error {
	var inv *automation.InvalidError
	if errors.As(err, &inv) && inv.Field == "status" {
		return errNotFound
	}
	return err
}
