package admin

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// A period is two dates in the workspace's timezone, to exclusive;
// anything else is not found, never a list of everything.
func TestParsePeriod(t *testing.T) {
	q := &request{WS: store.Workspace{Timezone: "Europe/Warsaw"}}
	waw, _ := time.LoadLocation("Europe/Warsaw")
	for _, tc := range []struct {
		query string
		ok    bool
		err   bool
	}{
		{"", false, false},
		{"from=2026-11-05&to=2026-12-05", true, false},
		{"from=2026-11-05", false, true},
		{"from=2026-12-05&to=2026-12-05", false, true},
		{"from=2026-12-06&to=2026-12-05", false, true},
		{"from=2020-01-01&to=2026-12-05", false, true},
		{"from=2026-13-01&to=2026-12-05", false, true},
		{"from=2026-11-05T00:00&to=2026-12-05", false, true},
	} {
		p, ok, err := parsePeriod(httptest.NewRequest("GET", "/x?"+tc.query, nil), q)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("%q: ok %v err %v", tc.query, ok, err)
		}
		if ok {
			if want := time.Date(2026, 11, 5, 0, 0, 0, 0, waw); !p.From.Equal(want) || p.LastDay != "2026-12-04" {
				t.Errorf("%q: %+v", tc.query, p)
			}
			if got := p.link("/admin/w/ws/messages", "engaged", "opened", "channel", ""); got !=
				"/admin/w/ws/messages?engaged=opened&from=2026-11-05&to=2026-12-05" {
				t.Errorf("link %s", got)
			}
		}
	}
}

// Archived flows are left out of the list unless asked for, and counted.
func TestVisibleFlows(t *testing.T) {
	fs := []automation.Flow{{ID: "a", Status: automation.FlowActive}, {ID: "b", Status: automation.FlowArchived},
		{ID: "c", Status: automation.FlowPaused}}
	if got, n := visibleFlows(fs, false); len(got) != 2 || n != 1 || got[1].ID != "c" {
		t.Errorf("hidden: %+v %d", got, n)
	}
	if got, n := visibleFlows(fs, true); len(got) != 3 || n != 1 {
		t.Errorf("shown: %+v %d", got, n)
	}
}

// FuzzDrillCursor: a list's cursor from the address never panics, and
// what it accepts is a time and an id that print back as they came.
func FuzzDrillCursor(f *testing.F) {
	f.Add("2026-12-04T19:10:11.123Z.msg_abc")
	f.Add("2026-12-04T19:10:11Z.o1")
	f.Add("....")
	f.Add("2026-12-04T19:10:11.123Z.")
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		r := httptest.NewRequest("GET", "/x", nil)
		r.URL.RawQuery = "before=" + url.QueryEscape(c)
		at, id, err := cursor(r)
		if err != nil || c == "" {
			return
		}
		if id == "" || strings.Contains(id, ".") || at.IsZero() && !strings.HasPrefix(c, "0001-01-01") {
			t.Fatalf("%q: %v %q", c, at, id)
		}
	})
}
