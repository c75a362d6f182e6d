package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// formatMoney shows minor units in a currency.
func formatMoney(minor int64, currency string) string { return commerce.FormatMoney(minor, currency) }

// percent shows part of whole as a percentage ("—" without a whole).
func percent(part, whole int64) string {
	if whole <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
}

// eventSummary picks what says most about an event on the timeline: the
// page it happened on, the product or the order.
func eventSummary(e store.Event) string {
	var v struct {
		URL     string `json:"url"`
		Title   string `json:"title"`
		Product string `json:"product_id"`
		Order   string `json:"order_id"`
		Total   int64  `json:"total_minor"`
		Cur     string `json:"currency"`
	}
	_ = json.Unmarshal(e.Props, &v)
	if v.URL == "" {
		var c struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(e.Context, &c)
		v.URL = c.URL
	}
	switch {
	case v.Order != "" && v.Cur != "":
		return v.Order + " " + formatMoney(v.Total, v.Cur)
	case v.Title != "":
		return v.Title
	case v.Product != "":
		return v.Product
	}
	if len(v.URL) > 120 {
		return v.URL[:120] + "…"
	}
	return v.URL
}

// periods the dashboard offers, in days.
func periods() []int { return []int{7, 30, 90} }

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, q *request) error {
	days := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil {
		for _, p := range periods() {
			if v == p {
				days = v
			}
		}
	}
	loc, err := time.LoadLocation(q.WS.Timezone)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -days)
	d, err := h.opt.Store.DashboardFigures(r.Context(), q.WS.ID, from, to, loc, q.WS.Currency)
	if err != nil {
		return err
	}
	var shop, cw int64
	var orders int
	for _, m := range d.ShopRevenue {
		if m.Currency == q.WS.Currency {
			shop, orders = m.Minor, m.Count
		}
	}
	for _, a := range d.Attributed {
		if a.Currency == q.WS.Currency {
			cw += a.Minor
		}
	}
	h.render(w, r, q, http.StatusOK, "dashboard.html", map[string]any{"Title": "dash.title", "D": d, "Days": days,
		"Periods": periods(), "Shop": shop, "CW": cw, "Orders": orders, "Chart": newChart(d),
		"L": newDashboardLinks(q.WS.ID, q.WS.Currency, newPeriod(from, to)), "Rec": newRecovered(d, q.WS.Currency)})
	return nil
}

// chart is the dashboard's revenue per day as SVG bar geometry, drawn on
// the server so that the page needs no script.
type chart struct {
	Width, Height int
	Bars          []chartBar
	Max           int64
}

type chartBar struct {
	X, W, ShopY, ShopH, CWY, CWH int
	Label                        string
	Shop, CW                     int64
}

func newChart(d store.Dashboard) chart {
	c := chart{Width: 720, Height: 160}
	for _, day := range d.Days {
		c.Max = max(c.Max, day.ShopMinor, day.Attributed)
	}
	n := len(d.Days)
	if n == 0 {
		return c
	}
	step := c.Width / n
	for i, day := range d.Days {
		b := chartBar{X: i * step, W: max(step-2, 1), Label: day.Day.Format("2006-01-02"), Shop: day.ShopMinor, CW: day.Attributed}
		if c.Max > 0 {
			b.ShopH = int(day.ShopMinor * int64(c.Height) / c.Max)
			b.CWH = int(day.Attributed * int64(c.Height) / c.Max)
		}
		b.ShopY, b.CWY = c.Height-b.ShopH, c.Height-b.CWH
		c.Bars = append(c.Bars, b)
	}
	return c
}

func (h *Handler) contacts(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query().Get("q")
	if len(query) > 200 {
		query = query[:200]
	}
	f := store.ContactFilter{Query: query, Cursor: r.URL.Query().Get("cursor"), Limit: 50}
	drill, err := contactDrill(r, q, &f)
	if err != nil {
		return err
	}
	page, err := h.opt.Store.ListContacts(r.Context(), q.WS.ID, f)
	if errors.Is(err, store.ErrBadCursor) {
		return errNotFound
	}
	if err == nil && drill != nil {
		drill["Count"], err = h.opt.Store.CountContacts(r.Context(), q.WS.ID, f)
	}
	if err != nil {
		return err
	}
	h.render(w, r, q, http.StatusOK, "contacts.html", map[string]any{"Title": "contacts.title", "Page": page, "Query": query,
		"Erased": r.URL.Query().Get("erased") != "", "Drill": drill})
	return nil
}

func (h *Handler) contact(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderContact(w, r, q, http.StatusOK, r.PathValue("id"), nil, nil)
}

// renderContact shows the contact card; errs are the card's forms' errors
// by field, typed what was typed in them (tag, note).
func (h *Handler) renderContact(w http.ResponseWriter, r *http.Request, q *request, status int, id string, errs, typed map[string]string) error {
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, id)
	if err != nil {
		return err
	}
	evs, err := h.opt.Contacts.Timeline(r.Context(), q.WS.ID, v.Contact.ID, 0, 100)
	if err != nil {
		return err
	}
	notes, err := h.opt.Contacts.Notes(r.Context(), q.WS.ID, v.Contact.ID)
	if err != nil {
		return err
	}
	segs, err := h.contactSegments(r, q.WS.ID, v.Contact.ID)
	if err != nil {
		return err
	}
	sc, err := h.contactScores(r.Context(), q.WS.ID, v.Contact.ID)
	if err != nil {
		return err
	}
	h.render(w, r, q, status, "contact.html", map[string]any{"Title": "contacts.title", "V": v, "Events": evs,
		"Errors": errs, "Tag": typed["tag"], "Note": typed["note"], "Notes": notes, "Saved": r.URL.Query().Get("saved"), "Segments": segs, "Scores": sc})
	return nil
}

func (h *Handler) flows(w http.ResponseWriter, r *http.Request, q *request) error {
	data := map[string]any{"Title": "flows.title"}
	if h.opt.Automation == nil {
		h.render(w, r, q, http.StatusOK, "message.html", messagePage("flows.unavailable"))
		return nil
	}
	flows, err := h.opt.Automation.Flows(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	show := r.URL.Query().Get("archived") == "show"
	flows, archived := visibleFlows(flows, show)
	names := map[string]bool{}
	for _, f := range flows {
		names[f.Name] = f.Status != automation.FlowArchived || names[f.Name]
	}
	type tpl struct {
		automation.TemplateInfo
		Enabled bool
	}
	var lib []tpl
	for _, t := range automation.Templates() {
		lib = append(lib, tpl{TemplateInfo: t, Enabled: names[t.Title]})
	}
	data["Flows"], data["Library"] = flows, lib
	data["ShowArchived"], data["Archived"], data["Done"] = show, archived, archiveNotice(r)
	h.render(w, r, q, http.StatusOK, "flows.html", data)
	return nil
}

func (h *Handler) enableAllFlows(w http.ResponseWriter, r *http.Request, q *request) error {
	for _, t := range automation.Templates() {
		if _, err := h.opt.Automation.EnableTemplate(r.Context(), q.WS.ID, t.Name); err != nil {
			return err
		}
	}
	h.record(r.Context(), q, "flows.enable_all", "", "")
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows", http.StatusSeeOther)
	return nil
}

func (h *Handler) enableFlow(w http.ResponseWriter, r *http.Request, q *request) error {
	f, err := h.opt.Automation.EnableTemplate(r.Context(), q.WS.ID, r.PathValue("name"))
	var inv *automation.InvalidError
	if errors.As(err, &inv) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "flow.enable", f.ID, f.Name)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows", http.StatusSeeOther)
	return nil
}

func (h *Handler) setFlowStatus(w http.ResponseWriter, r *http.Request, q *request) error {
	status := r.PostFormValue("status")
	if status != automation.FlowActive && status != automation.FlowPaused {
		return errNotFound
	}
	f, err := h.opt.Automation.SetStatus(r.Context(), q.WS.ID, r.PathValue("id"), status)
	if err != nil {
		return errArchived(err)
	}
	h.record(r.Context(), q, "flow."+status, f.ID, f.Name)
	if r.PostFormValue("back") == "flow" {
		// Paused or resumed from the flow's own page: back to it.
		http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows/"+f.ID, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/flows", http.StatusSeeOther)
	return nil
}

func (h *Handler) team(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.renderTeam(w, r, q, http.StatusOK, newForm(), "")
}

func (h *Handler) renderTeam(w http.ResponseWriter, r *http.Request, q *request, status int, f *form, link string) error {
	members, err := h.opt.Store.WorkspaceMembers(r.Context(), q.WS.ID)
	if err != nil {
		return err
	}
	h.render(w, r, q, status, "team.html", map[string]any{"Title": "team.title", "Members": members, "Form": f,
		"InviteLink": link, "Roles": []string{"owner", "marketer", "viewer"}})
	return nil
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request, q *request) error {
	f := newForm()
	f.Values["email"], f.Values["role"] = r.PostFormValue("email"), r.PostFormValue("role")
	token, err := h.opt.Accounts.Invite(r.Context(), q.User, q.WS.ID, f.Values["email"], f.Values["role"])
	if f.fieldError(h, q, err) {
		return h.renderTeam(w, r, q, http.StatusUnprocessableEntity, f, "")
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "team.invite", f.Values["email"], f.Values["role"])
	f.Notice = h.texts.text(q.Locale, "team.invite.made", f.Values["email"])
	return h.renderTeam(w, r, q, http.StatusOK, f, h.origin+"/admin/invite?t="+token)
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request, q *request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := h.opt.Store.Audit(r.Context(), q.WS.ID, before, 100)
	if err != nil {
		return err
	}
	h.render(w, r, q, http.StatusOK, "audit.html", map[string]any{"Title": "audit.title", "Entries": entries})
	return nil
}
