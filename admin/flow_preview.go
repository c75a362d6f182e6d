package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/store"
)

// FlowPreviewer renders a flow's send steps for a contact without sending
// anything; *actions.Channels is one.
type FlowPreviewer interface {
	Preview(ctx context.Context, en automation.Enrollment, s automation.Step) (actions.Preview, error)
}

// previewRow is one send step rendered for the chosen contact, or why it
// could not be.
type previewRow struct {
	ID, Kind string
	actions.Preview
	Err string
}

// flowPreview shows each send step of a flow as a contact would get it:
// the newest contact with an email address, or the one whose id or email
// the form names. The contact's newest enrollment in the flow, if any,
// gives the cart and the discount code its messages had.
func (h *Handler) flowPreview(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Automation == nil || h.opt.Preview == nil {
		return errNotFound
	}
	ctx := r.Context()
	f, err := h.opt.Automation.Flow(ctx, q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	fm := newForm()
	asked := strings.TrimSpace(r.URL.Query().Get("contact"))
	if len(asked) > 200 {
		asked = asked[:200]
	}
	fm.Values["contact"] = asked
	var c store.Contact
	switch {
	case asked == "":
		id, err := h.opt.Store.NewestContactWithEmail(ctx, q.WS.ID)
		if err == nil {
			c, err = h.opt.Store.Contact(ctx, q.WS.ID, id)
		}
		if errors.Is(err, store.ErrNotFound) {
			fm.Error = h.texts.text(q.Locale, "flow.preview.nocontacts")
		} else if err != nil {
			return err
		}
	case strings.Contains(asked, "@"):
		c, err = h.opt.Store.ContactByEmail(ctx, q.WS.ID, strings.ToLower(asked))
	default:
		c, err = h.opt.Store.Contact(ctx, q.WS.ID, asked)
	}
	if asked != "" && errors.Is(err, store.ErrNotFound) {
		fm.Errors["contact"] = h.texts.text(q.Locale, "flow.preview.nocontact")
	} else if err != nil {
		return err
	}
	var rows []previewRow
	if c.ID != "" {
		en := automation.Enrollment{WorkspaceID: q.WS.ID, ContactID: c.ID, FlowID: f.ID}
		if last, err := h.opt.Store.LatestEnrollment(ctx, q.WS.ID, f.ID, c.ID); err == nil {
			en = last
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		for _, s := range f.Steps {
			if s.Kind != automation.KindSendEmail && s.Kind != automation.KindSendPush && s.Kind != automation.KindInbox {
				continue
			}
			row := previewRow{ID: s.ID, Kind: s.Kind}
			p, err := h.opt.Preview.Preview(ctx, en, s)
			var pe interface{ StepParam() (string, string) }
			switch {
			case errors.As(err, &pe):
				param, reason := pe.StepParam()
				row.Err = "params." + param + ": " + reason
			case err != nil:
				return err
			}
			row.Preview = p
			rows = append(rows, row)
		}
	}
	// The frames show the messages' own inline styles and images; the page
	// keeps the console's policy otherwise (no script, no framing).
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src https: http: data:; font-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.render(w, r, q, http.StatusOK, "flow_preview.html", map[string]any{"Title": "flows.title", "F": f, "Form": fm,
		"Contact": c, "Rows": rows})
	return nil
}
