package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// Events the Sweeper logs about contacts when time, not something they did,
// makes a flow start. Flows trigger on them like on any other event.
const (
	// EventBirthday {date: "YYYY-MM-DD"}: the contact's birthday (contact
	// attribute "birthday", "YYYY-MM-DD" or "MM-DD") has begun in the
	// workspace's timezone. A 29 February birthday is kept on 28 February
	// in other years.
	EventBirthday = "birthday"
	// EventInactive {lapse, days_since_order | days_since_visit,
	// last_order_at, last_seen}: a customer has not ordered (lapse
	// "order", days_since_order set), or a known contact has not been seen
	// (lapse "visit", days_since_visit set), for as many days as an active
	// flow's trigger asks with a gte filter on that field, e.g.
	// {"event":"inactive","filters":[{"field":"days_since_order","op":"gte","value":180}]}.
	// Each lapse fires once: a new order or visit starts a new one.
	EventInactive = "inactive"
	// EventReplenishmentDue {product_id, title, cycle_days, last_bought_at,
	// due_at}: a product the contact bought is due to run out in
	// Sweeper.DaysBefore days.
	EventReplenishmentDue = "replenishment_due"
	// EventBrowseAbandoned {product_id, title, views, dwell_ms,
	// last_viewed_at}: the contact looked at a product for 3 minutes or on
	// two page views, then neither carted nor bought it within 2 hours.
	EventBrowseAbandoned = "browse_abandoned"
)

// Recorder logs an event about a known contact; *cdp.Ingest is one.
type Recorder interface {
	RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, at time.Time, props any) error
}

// sweepSource is the source of the events the sweeper logs.
const sweepSource = "automation"

// Browse abandonment thresholds.
const (
	browseDwell = 3 * time.Minute
	browseViews = 2
	browseAfter = 2 * time.Hour
	// browseWindow bounds how long after browseAfter a view still fires,
	// so that enabling the flow does not mail everyone who ever browsed.
	browseWindow = 24 * time.Hour
)

// Sweeper turns the passing of time into events: birthdays, lapsed
// customers, products due for a repurchase and abandoned browsing. It logs
// them through a Recorder, and the ordinary path (automation processor,
// Engine.HandleEvent) enrols contacts on them, with every flow's filters,
// conditions, goals and re-entry policy.
//
// Each fire is keyed (trigger_fires) and the key is written before the
// event is logged: a crash between the two loses that one fire rather than
// ever logging it twice, and a second sweep, or one on another replica,
// fires nothing again. Work is only done for a workspace with an active
// flow on the event, and each sweep scans that workspace's contacts (and,
// for replenishment, its orders) in full: acceptable hourly at the sizes
// SQLite serves; an incremental sweep would keep its own cursors.
type Sweeper struct {
	st  *store.Store
	e   *Engine
	rec Recorder
	log *slog.Logger
	// Interval between sweeps (default 1 h).
	Interval time.Duration
	// DaysBefore is how many days before a product's expected repurchase
	// replenishment_due fires (default 5).
	DaysBefore int
}

// NewSweeper returns a sweeper that uses the engine's clock.
func NewSweeper(st *store.Store, e *Engine, rec Recorder, log *slog.Logger) *Sweeper {
	if log == nil {
		log = slog.Default()
	}
	return &Sweeper{st: st, e: e, rec: rec, log: log, Interval: time.Hour, DaysBefore: 5}
}

// Run sweeps once at once, then every Interval until ctx ends. A failed
// sweep is logged and the next one tries again: fires are keyed, so
// nothing a failed sweep did is done twice.
func (s *Sweeper) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("automation sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SweepOnce sweeps every workspace once. One workspace's failure does not
// stop the others; the errors are returned joined.
func (s *Sweeper) SweepOnce(ctx context.Context) error {
	wss, err := s.st.Workspaces(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, w := range wss {
		if err := s.sweepWorkspace(ctx, w); err != nil {
			errs = append(errs, fmt.Errorf("workspace %s: %w", w.ID, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// sweepPlan is what a workspace's active flows ask of one sweep.
type sweepPlan struct {
	now                 time.Time
	loc                 *time.Location
	birthday, browse    bool
	orderDays, seenDays int // inactivity thresholds in days; 0 = none asked
}

func (s *Sweeper) sweepWorkspace(ctx context.Context, w store.Workspace) error {
	p := sweepPlan{now: s.e.clock.Now(), loc: time.UTC}
	if l, err := time.LoadLocation(w.Timezone); err == nil && w.Timezone != "" {
		p.loc = l
	}
	active := func(typ string) ([]store.Flow, error) { return s.st.TriggeredFlows(ctx, w.ID, typ) }
	flows, err := active(EventBirthday)
	if err != nil {
		return err
	}
	p.birthday = len(flows) > 0
	if flows, err = active(EventBrowseAbandoned); err != nil {
		return err
	}
	p.browse = len(flows) > 0
	if flows, err = active(EventInactive); err != nil {
		return err
	}
	p.orderDays, p.seenDays = s.inactivityThresholds(flows)
	if p.birthday || p.browse || p.orderDays > 0 || p.seenDays > 0 {
		if err := s.sweepContacts(ctx, w.ID, p); err != nil {
			return err
		}
	}
	if flows, err = active(EventReplenishmentDue); err != nil || len(flows) == 0 {
		return err
	}
	return s.sweepReplenishment(ctx, w.ID, p.now)
}

// inactivityThresholds is the smallest days_since_order and
// days_since_visit that the inactive flows' trigger filters ask for with
// gte: firing from the smallest lets each flow's own filter pick its
// contacts from the one event per lapse.
func (s *Sweeper) inactivityThresholds(flows []store.Flow) (orderDays, seenDays int) {
	for _, sf := range flows {
		f, err := fromStore(sf)
		if err != nil {
			s.log.Error("automation sweep: flow skipped", "flow", sf.ID, "err", err)
			continue
		}
		asked := false
		for _, fl := range f.Trigger.Filters {
			n, ok := number(fl.Value)
			if fl.Op != OpGte || !ok || n < 1 {
				continue
			}
			switch fl.Field {
			case "days_since_order":
				orderDays, asked = lowest(orderDays, int(n)), true
			case "days_since_visit":
				seenDays, asked = lowest(seenDays, int(n)), true
			}
		}
		if !asked {
			s.log.Warn("automation sweep: an inactive flow needs a gte filter on days_since_order or days_since_visit",
				"flow", sf.ID)
		}
	}
	return orderDays, seenDays
}

func lowest(cur, n int) int {
	if cur == 0 || n < cur {
		return n
	}
	return cur
}

// sweepContacts checks every live contact of the workspace for the
// birthday, inactivity and browse triggers the plan asks for.
func (s *Sweeper) sweepContacts(ctx context.Context, workspaceID string, p sweepPlan) error {
	after := ""
	for {
		page, err := s.st.SweepContacts(ctx, workspaceID, after, 500)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, c := range page {
			if err := s.sweepContact(ctx, workspaceID, c, p); err != nil {
				return err
			}
		}
		after = page[len(page)-1].ID
	}
}

func (s *Sweeper) sweepContact(ctx context.Context, workspaceID string, c store.SweepContact, p sweepPlan) error {
	if p.birthday {
		if date, ok := birthdayToday(c.Attributes, p.now.In(p.loc)); ok {
			if err := s.fire(ctx, workspaceID, c.ID, "birthday:"+date[:4], EventBirthday, p.now,
				map[string]any{"date": date}); err != nil {
				return err
			}
		}
	}
	if !p.browse && p.orderDays == 0 && p.seenDays == 0 || len(c.Profile) == 0 {
		return nil
	}
	var pr cdp.Profile
	if err := json.Unmarshal(c.Profile, &pr); err != nil {
		s.log.Error("automation sweep: unreadable profile", "contact", c.ID, "err", err)
		return nil
	}
	if err := s.sweepInactive(ctx, workspaceID, c, &pr, p); err != nil {
		return err
	}
	if p.browse {
		return s.sweepBrowse(ctx, workspaceID, c.ID, &pr, p.now)
	}
	return nil
}

// sweepInactive fires one inactive event per lapse. The visit lapse is for
// contacts with an email or an order only: an anonymous visitor who never
// came back is most of any shop's traffic, and no flow can reach them.
//
// last_seen moves with any event of the contact, server-side ones
// included (this sweeper's own), so a contact who stays away gets a new
// visit lapse every seenDays days; flows bound that with their re-entry
// policy.
func (s *Sweeper) sweepInactive(ctx context.Context, workspaceID string, c store.SweepContact, pr *cdp.Profile, p sweepPlan) error {
	info := map[string]any{"last_seen": pr.LastSeen}
	if !pr.LastOrderAt.IsZero() {
		info["last_order_at"] = pr.LastOrderAt
	}
	if p.orderDays > 0 && pr.Orders > 0 && !pr.LastOrderAt.IsZero() {
		if days := daysSince(pr.LastOrderAt, p.now); days >= p.orderDays {
			props := withEntries(info, "lapse", "order", "days_since_order", days)
			key := fmt.Sprintf("inactive:order:%d", pr.LastOrderAt.UnixMilli())
			if err := s.fire(ctx, workspaceID, c.ID, key, EventInactive, p.now, props); err != nil {
				return err
			}
		}
	}
	if p.seenDays > 0 && !pr.LastSeen.IsZero() && (c.Email != "" || pr.Orders > 0) {
		if days := daysSince(pr.LastSeen, p.now); days >= p.seenDays {
			props := withEntries(info, "lapse", "visit", "days_since_visit", days)
			key := fmt.Sprintf("inactive:visit:%d", pr.LastSeen.UnixMilli())
			return s.fire(ctx, workspaceID, c.ID, key, EventInactive, p.now, props)
		}
	}
	return nil
}

// sweepBrowse fires browse_abandoned for the contact's most recently
// viewed product that qualifies.
//
// Why a swept event rather than a trigger on product_view: "viewed for 3
// minutes OR on two page views, and not carted since" is a per-product
// test on the profile that filters (all ANDed, on fixed paths) cannot
// express, and it has to hold two hours after the view, not at it. Here it
// is plain Go on the profile's per-product stats, checked when the two
// hours are up; the price is the sweep's granularity (sent 2 to 3 hours
// after the view with the default hourly interval).
func (s *Sweeper) sweepBrowse(ctx context.Context, workspaceID, contactID string, pr *cdp.Profile, now time.Time) error {
	var best string
	var bs *cdp.ProductStat
	for id, ps := range pr.Products {
		qualifies := ps.Carted == 0 && ps.Bought == 0 &&
			(ps.DwellMS >= browseDwell.Milliseconds() || ps.Views >= browseViews) &&
			!ps.LastViewed.After(now.Add(-browseAfter)) && ps.LastViewed.After(now.Add(-browseAfter-browseWindow))
		if qualifies && (bs == nil || ps.LastViewed.After(bs.LastViewed)) {
			best, bs = id, ps
		}
	}
	if bs == nil {
		return nil
	}
	key := fmt.Sprintf("browse:%s:%d", best, bs.LastViewed.UnixMilli())
	return s.fire(ctx, workspaceID, contactID, key, EventBrowseAbandoned, now, map[string]any{"product_id": best,
		"title": bs.Title, "views": bs.Views, "dwell_ms": bs.DwellMS, "last_viewed_at": bs.LastViewed})
}

// fire logs one keyed event unless its key fired before.
func (s *Sweeper) fire(ctx context.Context, workspaceID, contactID, key, typ string, now time.Time, props map[string]any) error {
	first, err := s.st.FireTrigger(ctx, workspaceID, contactID, key, now)
	if err != nil || !first {
		return err
	}
	if err := s.rec.RecordFor(ctx, workspaceID, contactID, typ, sweepSource, now, props); err != nil {
		return fmt.Errorf("%s for %s: %w", typ, contactID, err)
	}
	return nil
}

// birthdayToday returns today's date ("YYYY-MM-DD") when the birthday
// attribute ("YYYY-MM-DD" or "MM-DD") falls on it.
func birthdayToday(attrs json.RawMessage, today time.Time) (string, bool) {
	var a struct {
		Birthday string `json:"birthday"`
	}
	if len(attrs) == 0 || json.Unmarshal(attrs, &a) != nil || a.Birthday == "" {
		return "", false
	}
	md := a.Birthday
	if len(md) == len("2006-01-02") {
		md = md[5:]
	}
	b, err := time.Parse("01-02", md)
	if err != nil {
		return "", false
	}
	month, day := b.Month(), b.Day()
	leap := time.Date(today.Year(), time.February, 29, 0, 0, 0, 0, time.UTC).Month() == time.February
	if month == time.February && day == 29 && !leap {
		day = 28
	}
	if today.Month() != month || today.Day() != day {
		return "", false
	}
	return today.Format("2006-01-02"), true
}

// daysSince counts whole days from then to now.
func daysSince(then, now time.Time) int { return int(now.Sub(then) / (24 * time.Hour)) }

// withEntries copies m with extra key, value pairs.
func withEntries(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
