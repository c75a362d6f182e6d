package segments

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const ws = "ws_a"

// env is the follower on a real SQLite store behind the real profile
// processor, with the facts flows use, on a clock the test moves.
type env struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	prof *cdp.Processor
	fw   *Follower
	svc  *Service
	mu   sync.Mutex
	now  time.Time
}

func newEnv(t *testing.T, start time.Time) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, ctx: ctx, st: st, now: start}
	e.prof = cdp.NewProcessor(st, quiet, e.clock)
	e.fw = NewFollower(Options{Store: st, Facts: actions.New(actions.Options{Store: st, Now: e.clock}), Now: e.clock, Log: quiet})
	e.svc = NewService(st, e.fw)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) set(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

func (e *env) log(evs ...store.Event) {
	e.t.Helper()
	if err := e.st.AppendEvents(e.ctx, evs); err != nil {
		e.t.Fatal(err)
	}
	e.process()
}

func (e *env) process() {
	e.t.Helper()
	if err := e.prof.CatchUp(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.fw.CatchUp(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func visitorEvent(typ, visitor string, at time.Time, props string) store.Event {
	if props == "" {
		props = "{}"
	}
	return store.Event{WorkspaceID: ws, Type: typ, Source: "tracker", VisitorID: visitor, SessionID: "s-" + visitor,
		OccurredAt: at, ReceivedAt: at, Props: json.RawMessage(props)}
}

func (e *env) member(segID, visitor string) bool {
	e.t.Helper()
	c, err := e.st.ContactByIdentity(e.ctx, ws, cdp.KindVisitor, visitor)
	if err != nil {
		e.t.Fatal(err)
	}
	in, err := e.st.SegmentMember(e.ctx, ws, segID, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return in
}

// segmentEvents lists the segment events logged, as "type segment_id".
func (e *env) segmentEvents() []store.Event {
	e.t.Helper()
	evs, err := e.st.LogAfter(e.ctx, 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Event
	for _, ev := range evs {
		if ev.Source == Source {
			out = append(out, ev)
		}
	}
	return out
}

// TestNoOrderFor60DaysFlipsOnDay60 checks that a time-based condition
// flips at the moment it becomes true, with no event to wake it: one
// millisecond before day 60 the buyer is out, at day 60 in, and the
// segment_entered event carries that moment.
func TestNoOrderFor60DaysFlipsOnDay60(t *testing.T) {
	t0 := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, t0)
	sg, err := e.svc.Create(e.ctx, ws, Input{Name: "No order for 60 days",
		Definition: json.RawMessage(`{"since":{"field":"profile.last_order_at","op":"gte","days":60}}`)})
	if err != nil {
		t.Fatal(err)
	}
	e.log(visitorEvent("page_view", "v1", t0, ""),
		visitorEvent("order_placed", "v1", t0.Add(time.Minute), `{"order_id":"o1","currency":"EUR","total_minor":1000}`))
	if e.member(sg.ID, "v1") {
		t.Fatal("member right after ordering")
	}
	day60 := t0.Add(time.Minute + 60*day)
	due, err := e.st.NextSegmentDue(e.ctx)
	if err != nil || !due.Equal(day60) {
		t.Fatalf("re-check at %v (%v), want %v", due, err, day60)
	}
	e.set(day60.Add(-time.Millisecond))
	e.process()
	if e.member(sg.ID, "v1") {
		t.Fatal("member a millisecond before day 60")
	}
	e.set(day60)
	e.process()
	if !e.member(sg.ID, "v1") {
		t.Fatal("not a member on day 60")
	}
	evs := e.segmentEvents()
	if len(evs) != 1 || evs[0].Type != EventEntered || !evs[0].OccurredAt.Equal(day60) {
		t.Fatalf("segment events %+v, want one segment_entered at %v", evs, day60)
	}
	var props map[string]string
	_ = json.Unmarshal(evs[0].Props, &props)
	if props["segment_id"] != sg.ID || props["segment_name"] != sg.Name {
		t.Errorf("props %v", props)
	}
	// A new order takes the buyer out at once, with a segment_left event.
	e.log(visitorEvent("order_placed", "v1", day60.Add(time.Hour), `{"order_id":"o2","currency":"EUR","total_minor":1000}`))
	if e.member(sg.ID, "v1") {
		t.Fatal("still a member after a new order")
	}
	if evs := e.segmentEvents(); len(evs) != 2 || evs[1].Type != EventLeft {
		t.Fatalf("segment events %+v, want a segment_left", evs)
	}
	// Replaying the log from the start changes nothing and logs nothing.
	if err := e.st.InTx(e.ctx, func(tx *store.Tx) error { return tx.SetCheckpoint(Checkpoint, 0) }); err != nil {
		t.Fatal(err)
	}
	e.fw.pos = -1
	e.process()
	if evs := e.segmentEvents(); len(evs) != 2 {
		t.Fatalf("replay logged again: %d segment events", len(evs))
	}
}

// TestWindowAndSizes checks a behaviour window ("viewed Shoes 3 times in
// 14 days") entering on the third view and leaving when the first view
// leaves the window, a segment created after the events finding its
// members, members paging and the size history.
func TestWindowAndSizes(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	e := newEnv(t, t0)
	e.fw.snapshot = 0 // every change is recorded at once
	view := func(v string, at time.Time, pv string) store.Event {
		ev := visitorEvent("product_view", v, at, `{"product":{"id":"p1","title":"Boot","category":"Shoes"}}`)
		ev.Context = json.RawMessage(`{"pv":"` + pv + `"}`)
		return ev
	}
	e.log(view("early", t0, "a"), view("early", t0, "b"), view("early", t0, "c"))
	sg, err := e.svc.Create(e.ctx, ws, Input{Name: "Shoe lovers", Definition: json.RawMessage(
		`{"event":{"type":"product_view","where":[{"field":"product.category","op":"eq","value":"Shoes"}],"within_days":14,"op":"gte","count":3}}`)})
	if err != nil {
		t.Fatal(err)
	}
	e.process()
	if !e.member(sg.ID, "early") {
		t.Fatal("a contact from before the segment was not found")
	}
	e.set(t0.Add(day))
	e.log(view("v2", t0.Add(day), "1"), view("v2", t0.Add(2*day), "2"))
	if e.member(sg.ID, "v2") {
		t.Fatal("member after two views")
	}
	e.set(t0.Add(3 * day))
	e.log(view("v2", t0.Add(3*day), "3"))
	if !e.member(sg.ID, "v2") {
		t.Fatal("not a member after the third view")
	}
	// 14 days after the first view it leaves the window.
	e.set(t0.Add(15*day - time.Millisecond))
	e.process()
	if !e.member(sg.ID, "v2") {
		t.Fatal("left before the first view left the window")
	}
	e.set(t0.Add(15 * day))
	e.process()
	if e.member(sg.ID, "v2") {
		t.Fatal("still a member after the first view left the window")
	}
	got, err := e.svc.Get(e.ctx, ws, sg.ID)
	if err != nil || got.Size != 0 {
		t.Fatalf("size %d (%v), want 0", got.Size, err)
	}
	sizes, err := e.svc.Sizes(e.ctx, ws, sg.ID, 30)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"2026-10-01": 1, "2026-10-04": 2, "2026-10-16": 0}
	for _, z := range sizes {
		if w, ok := want[z.Day]; ok && w != z.Size {
			t.Errorf("size on %s: %d, want %d", z.Day, z.Size, w)
		}
		delete(want, z.Day)
	}
	if len(want) != 0 {
		t.Errorf("no size recorded for %v (have %+v)", want, sizes)
	}
}

// TestInstallAndMembers installs a ready-made segment twice (one copy)
// and pages its members.
func TestInstallAndMembers(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	e := newEnv(t, t0)
	var evs []store.Event
	for _, v := range []string{"a", "b", "c"} {
		for i := range 4 {
			ev := visitorEvent("page_view", v, t0.Add(time.Duration(i)*time.Hour), "")
			ev.SessionID = v + string(rune('0'+i))
			evs = append(evs, ev)
		}
	}
	evs = append(evs, visitorEvent("page_view", "d", t0, ""))
	e.log(evs...)
	a, err := e.svc.Install(e.ctx, ws, "window_shoppers")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Install(e.ctx, ws, "window_shoppers")
	if err != nil || b.ID != a.ID {
		t.Fatalf("second install %v %v, want the first one back", b.ID, err)
	}
	e.process()
	if got, _ := e.svc.Get(e.ctx, ws, a.ID); got.Size != 3 {
		t.Fatalf("window shoppers: %d, want 3", got.Size)
	}
	page1, err := e.svc.Members(e.ctx, ws, a.ID, "", 2)
	if err != nil || len(page1) != 2 {
		t.Fatalf("page 1: %v %v", page1, err)
	}
	page2, err := e.svc.Members(e.ctx, ws, a.ID, page1[1].ContactID, 2)
	if err != nil || len(page2) != 1 || page2[0].ContactID <= page1[1].ContactID {
		t.Fatalf("page 2: %v %v", page2, err)
	}
	if _, err := e.svc.Install(e.ctx, ws, "nonsense"); err == nil {
		t.Fatal("installed an unknown ready-made segment")
	}
}
