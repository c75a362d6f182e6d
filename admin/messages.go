package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/store"
)

// messages lists what Cartwheel sent (or keeps in the outbox when no SMTP
// relay is set), newest first, a page at a time, by channel and status.
func (h *Handler) messages(w http.ResponseWriter, r *http.Request, q *request) error {
	f := store.MessageFilter{Channel: r.URL.Query().Get("channel"), Status: r.URL.Query().Get("status"), Limit: 50}
	if c := r.URL.Query().Get("before"); c != "" {
		// The time has a fraction with a dot of its own: the id follows
		// the last dot.
		i := strings.LastIndex(c, ".")
		at, id, ok := c[:max(i, 0)], c[i+1:], i > 0
		t, err := time.Parse(time.RFC3339Nano, at)
		if !ok || err != nil {
			return errNotFound
		}
		f.Before, f.BeforeID = t, id
	}
	drill, err := messageDrill(r, q, &f)
	if err != nil {
		return err
	}
	ms, err := h.opt.Store.Messages(r.Context(), q.WS.ID, f)
	if err == nil && drill != nil {
		drill["Count"], err = h.opt.Store.CountMessages(r.Context(), q.WS.ID, f)
	}
	if err != nil {
		return err
	}
	next := ""
	if len(ms) == f.Limit {
		last := ms[len(ms)-1]
		next = last.CreatedAt.UTC().Format(time.RFC3339Nano) + "." + last.ID
	}
	h.render(w, r, q, http.StatusOK, "messages.html", map[string]any{"Title": "messages.title", "Messages": ms,
		"Next": next, "Channel": f.Channel, "Status": f.Status, "Drill": drill,
		"Channels": []string{store.ChannelEmail, store.ChannelPush, store.ChannelInbox},
		"Statuses": []string{store.MessageSent, store.MessageOutbox, store.MessageFailed, store.MessageSkipped}})
	return nil
}

// message shows one message as its recipient got it: an email's HTML in a
// sandboxed frame (no script, no forms, no navigation, and without its
// open pixel, so that reading it here is not an open) and its text part;
// a push or inbox item's content.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, q *request) error {
	m, err := h.opt.Store.Message(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	var body struct {
		HTML  string `json:"html"`
		Text  string `json:"text"`
		Title string `json:"title"`
		Body  string `json:"body"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal(m.Body, &body); err != nil && len(m.Body) > 0 {
		return errors.Join(errors.New("message body"), err)
	}
	if m.Channel == store.ChannelEmail && body.HTML != "" {
		// The frame inherits this page's policy: the mail's own inline
		// styles and images may load, nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src https: http: data:; font-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	}
	h.render(w, r, q, http.StatusOK, "message_view.html", map[string]any{"Title": "messages.title", "M": m,
		"HTML": email.WithoutOpenPixel(body.HTML), "Text": body.Text, "PushTitle": body.Title, "PushBody": body.Body,
		"PushURL": body.URL})
	return nil
}

// widgetRow is a widget with its totals over the last 30 days.
type widgetRow struct {
	store.Widget
	Impressions, Clicks, Submissions, Conversions, RevenueMinor int64
}

func (h *Handler) widgets(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Personalization == nil {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("widgets.unavailable"))
		return nil
	}
	ws, err := h.opt.Store.Widgets(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	rows := make([]widgetRow, 0, len(ws))
	for _, wd := range ws {
		row := widgetRow{Widget: wd}
		stats, err := h.opt.Personalization.Stats(r.Context(), q.WS.ID, wd.ID, 30)
		if err != nil {
			return err
		}
		for _, s := range stats {
			row.Impressions += s.Impressions
			row.Clicks += s.Clicks
			row.Submissions += s.Submissions
			row.Conversions += s.Conversions
			row.RevenueMinor += s.RevenueMinor
		}
		rows = append(rows, row)
	}
	h.render(w, r, q, http.StatusOK, "widgets.html", map[string]any{"Title": "widgets.title", "Widgets": rows})
	return nil
}

func (h *Handler) setWidgetStatus(w http.ResponseWriter, r *http.Request, q *request) error {
	status := r.PostFormValue("status")
	if status != "active" && status != "paused" {
		return errNotFound
	}
	wd, err := h.opt.Personalization.SetStatus(r.Context(), q.WS.ID, r.PathValue("id"), status)
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "widget."+status, wd.ID, wd.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/widgets", http.StatusSeeOther)
	return nil
}
