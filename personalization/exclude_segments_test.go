package personalization

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// TestWidgetExcludeSegments checks a widget's exclusion segments: a
// visitor whose contact enters an excluded segment stops seeing the
// pop-up as soon as the segment_entered event is processed (the visitor
// was already cached), and sees it again after segment_left.
func TestWidgetExcludeSegments(t *testing.T) {
	e := newEnv(t)
	tp, _ := widgets.TemplateByName("first_visit_discount")
	def := tp.Definition
	def.Status = widgets.StatusActive
	def.Targeting.ExcludeSegments = []string{"seg_staff"}
	id := e.create(def)

	e.log(e.ev("page_view", "v1", "s1", ""))
	d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"})
	if !slices.Equal(popupIDs(d), []string{id}) {
		t.Fatalf("before the segment: %v", popupIDs(d))
	}
	c, err := e.st.ContactByIdentity(e.ctx, wsA, cdp.KindVisitor, "v1")
	if err != nil {
		t.Fatal(err)
	}
	// What the segment follower commits: the membership and its event.
	segEvent := func(typ string, join bool) {
		t.Helper()
		now := e.clock()
		err := e.st.InTx(e.ctx, func(tx *store.Tx) error {
			var err error
			if join {
				err = tx.JoinSegment(wsA, "seg_staff", c.ID, now)
			} else {
				err = tx.LeaveSegment(wsA, "seg_staff", c.ID)
			}
			if err != nil {
				return err
			}
			return tx.AppendEvents([]store.Event{{WorkspaceID: wsA, Type: typ, Source: "segments", ContactID: c.ID,
				OccurredAt: now, ReceivedAt: now, Props: json.RawMessage(`{"segment_id":"seg_staff"}`)}})
		})
		if err != nil {
			t.Fatal(err)
		}
		e.process()
	}
	segEvent(EventSegmentEntered, true)
	d, ex := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"})
	if len(d.Popups) != 0 {
		t.Fatalf("a member of the excluded segment sees %v", popupIDs(d))
	}
	if r := reasonOf(ex, id); !strings.Contains(r.Why, "exclude_segments") {
		t.Errorf("reason %+v", r)
	}
	segEvent(EventSegmentLeft, false)
	if d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"}); len(d.Popups) != 1 {
		t.Fatalf("after leaving the segment: %v", popupIDs(d))
	}
	bad := def
	bad.Targeting.ExcludeSegments = []string{"Not An Id"}
	if _, err := e.d.CreateWidget(e.ctx, wsA, bad, ""); err == nil || !strings.Contains(err.Error(), "exclude_segments[0]") {
		t.Fatalf("bad exclusion: %v", err)
	}
}

// TestWidgetSegments checks a widget's target segments: the pop-up shows
// only once the visitor's contact has entered one of them, and stops when
// it leaves; a segment both targeted and excluded is refused.
func TestWidgetSegments(t *testing.T) {
	e := newEnv(t)
	tp, _ := widgets.TemplateByName("first_visit_discount")
	def := tp.Definition
	def.Status = widgets.StatusActive
	def.Targeting.Segments = []string{"seg_vip", "seg_loyal"}
	id := e.create(def)

	e.log(e.ev("page_view", "v1", "s1", ""))
	d, ex := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"})
	if len(d.Popups) != 0 {
		t.Fatalf("a visitor in no segment sees %v", popupIDs(d))
	}
	if r := reasonOf(ex, id); !strings.Contains(r.Why, "segments seg_vip, seg_loyal") {
		t.Errorf("reason %+v", r)
	}
	c, err := e.st.ContactByIdentity(e.ctx, wsA, cdp.KindVisitor, "v1")
	if err != nil {
		t.Fatal(err)
	}
	move := func(typ string, join bool) {
		t.Helper()
		now := e.clock()
		err := e.st.InTx(e.ctx, func(tx *store.Tx) error {
			var err error
			if join {
				err = tx.JoinSegment(wsA, "seg_loyal", c.ID, now)
			} else {
				err = tx.LeaveSegment(wsA, "seg_loyal", c.ID)
			}
			if err != nil {
				return err
			}
			return tx.AppendEvents([]store.Event{{WorkspaceID: wsA, Type: typ, Source: "segments", ContactID: c.ID,
				OccurredAt: now, ReceivedAt: now, Props: json.RawMessage(`{"segment_id":"seg_loyal"}`)}})
		})
		if err != nil {
			t.Fatal(err)
		}
		e.process()
	}
	move(EventSegmentEntered, true)
	if d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"}); !slices.Equal(popupIDs(d), []string{id}) {
		t.Fatalf("a member of a target segment sees %v", popupIDs(d))
	}
	move(EventSegmentLeft, false)
	if d, _ := e.decide(DecideRequest{VisitorID: "v1", SessionID: "s1", Page: "home"}); len(d.Popups) != 0 {
		t.Fatalf("after leaving the segment: %v", popupIDs(d))
	}
	bad := def
	bad.Targeting.ExcludeSegments = []string{"seg_vip"}
	if _, err := e.d.CreateWidget(e.ctx, wsA, bad, ""); err == nil || !strings.Contains(err.Error(), "also excluded") {
		t.Fatalf("a segment both targeted and excluded: %v", err)
	}
}
