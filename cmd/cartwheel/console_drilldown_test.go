package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

var (
	drillCountRE = regexp.MustCompile(`id="drill-count">(\d+)<`)
	drillTotalRE = regexp.MustCompile(`<span class="total">([^<]+)</span>`)
	nextRE       = regexp.MustCompile(`<a rel="next" href="([^"]+)"`)
	figureRE     = regexp.MustCompile(`id="fig-(\w+)">\s*<h2>[^<]*</h2>\s*<p class="big"><a href="([^"]+)">([^<]+)</a>`)
	cellRE       = regexp.MustCompile(`<tr data-channel="(\w+)">.*?</tr>`)
	cellLinkRE   = regexp.MustCompile(`data-fig="(\w+)"><a href="([^"]+)">(\d+)</a>`)
)

// Every figure of the dashboard opens the list behind it for the same
// period, and the list counts what the figure said: attributed and shop
// revenue, carts recovered, new contacts, subscribers and unsubscribes per
// channel, and messages sent, opened, opened by machines only and clicked.
// A list longer than a page pages to the same count.
func TestConsoleDashboardDrillDown(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ctx := context.Background()
	ws := inst.demo.Workspace.ID
	cur := inst.demo.Workspace.Currency
	c, _ := consoleOwner(t, inst, out.String())
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}

	// Subscribers: two contacts grant email consent, a third withdraws it.
	var evs []map[string]any
	for i := range 3 {
		evs = append(evs, map[string]any{"type": "consent", "email": fmt.Sprintf("sub%d@example.pl", i),
			"properties": map[string]any{"email": i < 2}})
	}
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": evs}, nil); code != 202 {
		t.Fatalf("sign-ups: %d", code)
	}
	contacts := map[string]string{}
	waitFor(t, "the subscribers", func() bool {
		for i := range 3 {
			var found struct {
				Contacts []struct{ ID string } `json:"contacts"`
			}
			admin.do("GET", fmt.Sprintf("/api/v1/contacts?email=sub%d@example.pl", i), nil, &found)
			if len(found.Contacts) == 1 {
				contacts[fmt.Sprint(i)] = found.Contacts[0].ID
			}
		}
		return len(contacts) == 3
	})

	// A cart flow, so that an order credited to its message is a recovered
	// checkout.
	if code := admin.do("POST", "/api/v1/flow-templates", nil, nil); code != 200 && code != 201 {
		t.Fatalf("enable all flows: %d", code)
	}
	var fl struct {
		Flows []struct {
			ID      string
			Trigger struct{ Event string }
		}
	}
	admin.do("GET", "/api/v1/flows", nil, &fl)
	cartFlow := ""
	for _, f := range fl.Flows {
		if f.Trigger.Event == "checkout_updated" {
			cartFlow = f.ID
		}
	}
	if cartFlow == "" {
		t.Fatalf("no checkout flow among %+v", fl.Flows)
	}

	// 60 emails sent (more than a page): some opened, one by a machine
	// only, some clicked; two credited with orders, one of them from the
	// cart flow.
	now := time.Now()
	for i := range 60 {
		id := fmt.Sprintf("msg_drill%02d", i)
		m := store.Message{ID: id, WorkspaceID: ws, ContactID: contacts[fmt.Sprint(i%3)], Channel: store.ChannelEmail,
			Status: store.MessageSent, Subject: "Drill " + id, CreatedAt: now.Add(-time.Duration(i) * time.Minute)}
		if i < 2 {
			m.FlowID = cartFlow
			if i == 1 {
				m.FlowID = ""
			}
		}
		createMessage(t, inst, m)
		switch {
		case i%5 == 0:
			must(t, inst.st.RecordMessageOpen(ctx, id, false, now))
		case i == 7:
			must(t, inst.st.RecordMessageOpen(ctx, id, true, now))
		}
		if i < 4 {
			must(t, inst.st.RecordMessageClick(ctx, id, now.Add(-time.Duration(i)*time.Second)))
		}
	}
	for i, total := range []int64{12_300, 4_500} {
		o := commerce.Order{WorkspaceID: ws, ID: fmt.Sprintf("ord_drill%d", i), ShopID: "shop_demo",
			ExternalID: fmt.Sprintf("drill-%d", i), Number: fmt.Sprintf("#D%d", i), Email: fmt.Sprintf("sub%d@example.pl", i),
			CheckoutToken: fmt.Sprintf("chk_drill%d", i), Currency: cur, TotalMinor: total, PlacedAt: now, UpdatedAt: now}
		must(t, inst.st.SaveOrder(ctx, o, func(*commerce.Order) ([]store.Event, bool) { return nil, true }))
		id, err := inst.st.AttributeOrder(ctx, ws, contacts[fmt.Sprint(i)], o.ID, total, cur, now.Add(-time.Hour), now)
		if err != nil || id == "" {
			t.Fatalf("attribute %s: %q %v", o.ID, id, err)
		}
	}

	_, dash, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/?days=7"))
	figs := figureRE.FindAllStringSubmatch(dash, -1)
	if len(figs) != 4 {
		t.Fatalf("figures linked on the dashboard: %d in %s", len(figs), dash)
	}
	checked := map[string]bool{}
	for _, f := range figs {
		name, link, shown := f[1], html.UnescapeString(f[2]), html.UnescapeString(f[3])
		n, page := drillCount(t, c, inst.url(link))
		switch name {
		case "attributed", "shop":
			totals := drillTotalRE.FindAllStringSubmatch(page, -1)
			if len(totals) != 1 || html.UnescapeString(totals[0][1]) != shown {
				t.Errorf("%s: the dashboard says %q, the list %v (%s)", name, shown, totals, link)
			}
		default:
			if fmt.Sprint(n) != shown {
				t.Errorf("%s: the dashboard says %s, the list %d (%s)", name, shown, n, link)
			}
		}
		if name == "recovered" && (n != 1 || !strings.Contains(page, "chk_drill0") || strings.Contains(page, "chk_drill1")) {
			t.Errorf("recovered: %d rows, want the cart flow's order only", n)
		}
		if name == "attributed" && n != 2 {
			t.Errorf("attributed: %d orders, want 2", n)
		}
		checked[name] = true
	}
	for _, row := range cellRE.FindAllString(dash, -1) {
		for _, m := range cellLinkRE.FindAllStringSubmatch(row, -1) {
			name, link, shown := m[1], html.UnescapeString(m[2]), m[3]
			n, _ := drillCount(t, c, inst.url(link))
			if fmt.Sprint(n) != shown {
				t.Errorf("%s: the dashboard says %s, the list %d (%s)", name, shown, n, link)
			}
			checked[name] = true
		}
	}
	for _, want := range []string{"attributed", "shop", "recovered", "contacts", "sent", "opened", "machine", "clicked",
		"subscribed", "unsubscribed"} {
		if !checked[want] {
			t.Errorf("the dashboard has no link for %s", want)
		}
	}

	// The 60 sent (and whatever the demo sent) page to the count shown.
	sent := regexp.MustCompile(`data-fig="sent"><a href="([^"]+)">(\d+)</a>`).FindStringSubmatch(dash)
	if sent == nil {
		t.Fatal("no sent figure")
	}
	link, rows, pages := inst.url(html.UnescapeString(sent[1])), 0, 0
	for link != "" {
		_, page, _ := getWith(t, c, link)
		rows += strings.Count(page, `href="/admin/w/`+ws+`/messages/msg_`)
		pages++
		link = ""
		if m := nextRE.FindStringSubmatch(page); m != nil {
			u, _ := url.Parse(inst.url("/admin/w/" + ws + "/messages"))
			ref, _ := url.Parse(html.UnescapeString(m[1]))
			link = u.ResolveReference(ref).String()
		}
	}
	if fmt.Sprint(rows) != sent[2] || pages < 2 {
		t.Errorf("sent: %d rows on %d pages, the dashboard says %s", rows, pages, sent[2])
	}
	if code, _, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/messages?from=2026-13-01&to=x")); code != http.StatusNotFound {
		t.Errorf("a malformed period: %d", code)
	}
}

// drillCount opens a list and returns the count it shows.
func drillCount(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	code, page, _ := getWith(t, c, u)
	m := drillCountRE.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("%s: %d without a count: %.2000s", u, code, page)
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n, page
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
