package admin

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// The lists behind the dashboard's figures. Every figure links to a list
// for the same period (from and to as dates in the workspace's timezone,
// to exclusive); the list says how many rows it holds, and that count is
// the figure clicked. Contacts and messages reuse their own pages with a
// period filter; revenue has two pages of its own.

func (h *Handler) routesDrilldown(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/orders", h.inWorkspace(h.periodOrders))
	m.HandleFunc("GET /admin/w/{ws}/attributed", h.inWorkspace(h.attributedOrders))
}

// drillPeriod is a period chosen on the dashboard.
type drillPeriod struct {
	From, To time.Time
	// FromDay and ToDay are as in the address; LastDay is the last day in.
	FromDay, ToDay, LastDay string
}

const dayLayout = "2006-01-02"

// maxDrillDays bounds a period a list is asked for, as the dashboard's.
const maxDrillDays = 400

// workspaceLoc is the workspace's timezone, UTC when it has none.
func workspaceLoc(q *request) *time.Location {
	if l, err := time.LoadLocation(q.WS.Timezone); err == nil && q.WS.Timezone != "" {
		return l
	}
	return time.UTC
}

// parsePeriod reads ?from=&to= (dates); ok is false when the address has
// neither, and a malformed or reversed one is not found.
func parsePeriod(r *http.Request, q *request) (p drillPeriod, ok bool, err error) {
	v := r.URL.Query()
	if v.Get("from") == "" && v.Get("to") == "" {
		return p, false, nil
	}
	loc := workspaceLoc(q)
	if p.From, err = time.ParseInLocation(dayLayout, v.Get("from"), loc); err != nil {
		return p, false, errNotFound
	}
	if p.To, err = time.ParseInLocation(dayLayout, v.Get("to"), loc); err != nil {
		return p, false, errNotFound
	}
	if !p.To.After(p.From) || p.To.Sub(p.From) > maxDrillDays*24*time.Hour+time.Hour {
		return p, false, errNotFound
	}
	return newPeriod(p.From, p.To), true, nil
}

func newPeriod(from, to time.Time) drillPeriod {
	return drillPeriod{From: from, To: to, FromDay: from.Format(dayLayout), ToDay: to.Format(dayLayout),
		LastDay: to.AddDate(0, 0, -1).Format(dayLayout)}
}

// link is the address of a list for this period with extra filters (name,
// value pairs; empty values left out).
func (p drillPeriod) link(path string, kv ...string) string {
	v := url.Values{"from": {p.FromDay}, "to": {p.ToDay}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return path + "?" + v.Encode()
}

// cursor reads a "before" cursor of these lists: an RFC 3339 time and an id.
func cursor(r *http.Request) (time.Time, string, error) {
	c := r.URL.Query().Get("before")
	if c == "" {
		return time.Time{}, "", nil
	}
	// The time has a fraction with a dot of its own: the id follows the
	// last dot.
	i := strings.LastIndex(c, ".")
	at, id, ok := c[:max(i, 0)], c[i+1:], i > 0
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", errNotFound
	}
	return t, id, nil
}

func cursorOf(at time.Time, id string) string { return at.UTC().Format(time.RFC3339Nano) + "." + id }

// totals sums a list's per-currency rows' counts.
func totalCount(ms []store.Money) int {
	n := 0
	for _, m := range ms {
		n += m.Count
	}
	return n
}

const drillPageSize = 50

// periodOrders lists the orders behind the shop revenue figure.
func (h *Handler) periodOrders(w http.ResponseWriter, r *http.Request, q *request) error {
	p, ok, err := parsePeriod(r, q)
	if err != nil {
		return err
	}
	if !ok {
		p = h.defaultPeriod(q)
	}
	f := store.PeriodOrderFilter{From: p.From, To: p.To, Currency: currencyParam(r), Limit: drillPageSize}
	if f.Before, f.BeforeID, err = cursor(r); err != nil {
		return err
	}
	orders, err := h.opt.Store.PeriodOrders(r.Context(), q.WS.ID, f)
	if err != nil {
		return err
	}
	totals, err := h.opt.Store.PeriodOrderTotals(r.Context(), q.WS.ID, f)
	if err != nil {
		return err
	}
	next := ""
	if len(orders) == f.Limit {
		last := orders[len(orders)-1]
		next = p.link("", "currency", f.Currency, "before", cursorOf(last.PlacedAt, last.ID))
	}
	h.render(w, r, q, http.StatusOK, "orders.html", map[string]any{"Title": "drill.orders.title", "P": p,
		"Orders": orders, "Totals": totals, "Count": totalCount(totals), "Currency": f.Currency, "Next": next})
	return nil
}

// attributedOrders lists the orders credited to Cartwheel's messages (the
// attributed revenue figure, per channel), or with ?recovered=1 those of
// cart and checkout flows (the carts and checkouts recovered).
func (h *Handler) attributedOrders(w http.ResponseWriter, r *http.Request, q *request) error {
	p, ok, err := parsePeriod(r, q)
	if err != nil {
		return err
	}
	if !ok {
		p = h.defaultPeriod(q)
	}
	f := store.AttributedFilter{From: p.From, To: p.To, Currency: currencyParam(r), Limit: drillPageSize,
		Channel: r.URL.Query().Get("channel"), Recovered: r.URL.Query().Get("recovered") == "1"}
	if len(f.Channel) > 20 {
		return errNotFound
	}
	if f.Before, f.BeforeID, err = cursor(r); err != nil {
		return err
	}
	rows, err := h.opt.Store.AttributedOrders(r.Context(), q.WS.ID, f)
	if err != nil {
		return err
	}
	totals, err := h.opt.Store.AttributedTotals(r.Context(), q.WS.ID, f)
	if err != nil {
		return err
	}
	recovered := ""
	if f.Recovered {
		recovered = "1"
	}
	next := ""
	if len(rows) == f.Limit {
		last := rows[len(rows)-1]
		next = p.link("", "currency", f.Currency, "channel", f.Channel, "recovered", recovered,
			"before", cursorOf(last.MessageAt, last.MessageID))
	}
	title := "drill.attributed.title"
	if f.Recovered {
		title = "drill.recovered.title"
	}
	h.render(w, r, q, http.StatusOK, "attributed.html", map[string]any{"Title": title, "P": p, "Rows": rows,
		"Totals": totals, "Count": totalCount(totals), "Currency": f.Currency, "Channel": f.Channel,
		"Recovered": f.Recovered, "Next": next})
	return nil
}

// currencyParam is ?currency=, an ISO code or nothing.
func currencyParam(r *http.Request) string {
	c := strings.ToUpper(r.URL.Query().Get("currency"))
	if len(c) != 3 {
		return ""
	}
	return c
}

// defaultPeriod is the dashboard's default: the last 30 days, today in.
func (h *Handler) defaultPeriod(q *request) drillPeriod {
	now := time.Now().In(workspaceLoc(q))
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
	return newPeriod(to.AddDate(0, 0, -30), to)
}

// dashboardLinks are the addresses the dashboard's figures open, for its
// period.
type dashboardLinks struct {
	p      drillPeriod
	ws     string
	Shop   string
	CW     string
	Rec    string
	NewCts string
}

func newDashboardLinks(ws, currency string, p drillPeriod) dashboardLinks {
	base := "/admin/w/" + ws
	return dashboardLinks{p: p, ws: ws,
		Shop:   p.link(base+"/orders", "currency", currency),
		CW:     p.link(base+"/attributed", "currency", currency),
		Rec:    p.link(base+"/attributed", "recovered", "1"),
		NewCts: p.link(base + "/contacts"),
	}
}

// Attributed opens one channel's credited orders in one currency.
func (l dashboardLinks) Attributed(channel, currency string) string {
	return l.p.link("/admin/w/"+l.ws+"/attributed", "channel", channel, "currency", currency)
}

// Messages opens a channel's messages the dashboard counts under engaged.
func (l dashboardLinks) Messages(channel, engaged string) string {
	return l.p.link("/admin/w/"+l.ws+"/messages", "channel", channel, "engaged", engaged)
}

// Consents opens the contacts whose consent on channel was last set to
// state ("granted" or "withdrawn") in the period.
func (l dashboardLinks) Consents(channel, state string) string {
	return l.p.link("/admin/w/"+l.ws+"/contacts", "consent", channel, "state", state)
}

// contactDrill reads the contacts page's period filters into f; it returns
// what the page shows about them, nil without a period.
func contactDrill(r *http.Request, q *request, f *store.ContactFilter) (map[string]any, error) {
	p, ok, err := parsePeriod(r, q)
	if err != nil || !ok {
		return nil, err
	}
	f.From, f.To = p.From, p.To
	v := r.URL.Query()
	ch, state := v.Get("consent"), v.Get("state")
	if ch != "" {
		if len(ch) > 20 || (state != "granted" && state != "withdrawn") {
			return nil, errNotFound
		}
		f.ConsentChannel, f.ConsentGranted = ch, state == "granted"
	}
	return map[string]any{"P": p, "Consent": ch, "State": state}, nil
}

// messageDrill reads the messages page's period filters into f, as
// contactDrill.
func messageDrill(r *http.Request, q *request, f *store.MessageFilter) (map[string]any, error) {
	p, ok, err := parsePeriod(r, q)
	if err != nil || !ok {
		return nil, err
	}
	f.From, f.To = p.From, p.To
	switch e := r.URL.Query().Get("engaged"); e {
	case "", store.EngagedDelivered, store.EngagedOpened, store.EngagedMachine, store.EngagedClicked:
		f.Engaged = e
	default:
		return nil, errNotFound
	}
	return map[string]any{"P": p, "Engaged": f.Engaged}, nil
}

// recovered is the dashboard's carts-and-checkouts-recovered figure: how
// many in every currency, and what they brought in the workspace's.
type recovered struct {
	Count int
	Minor int64
}

func newRecovered(d store.Dashboard, currency string) recovered {
	rec := recovered{Count: totalCount(d.Recovered)}
	for _, m := range d.Recovered {
		if m.Currency == currency {
			rec.Minor = m.Minor
		}
	}
	return rec
}
