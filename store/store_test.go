package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := Open(ctx, path, log)
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.Migrate(ctx)
	if err != nil || len(first) == 0 {
		t.Fatalf("first migrate: %v %v", first, err)
	}
	again, err := st.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, err %v", again, err)
	}
	st.Close()
	// And after a reopen, as at every start.
	st, err = Open(ctx, path, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	again, err = st.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("migrate after reopen applied %v, err %v", again, err)
	}
	v, err := st.SchemaVersion(ctx)
	// The newest migration's number: numbers are assigned to work in
	// parallel, so they need not be contiguous in every tree.
	num, _, _ := strings.Cut(first[len(first)-1], "_")
	if want, _ := strconv.Atoi(num); err != nil || v != want {
		t.Fatalf("schema version %d (%v), want %d", v, err, want)
	}
	var mode string
	if err := st.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q %v", mode, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if _, err := st.w.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err == nil {
		t.Fatal("a database from a newer binary was accepted")
	}
}

func TestEveryQueryParses(t *testing.T) {
	st := openTest(t)
	// Preparing each query makes SQLite parse it against the real schema,
	// so a typo in a rarely used query fails here rather than in production.
	q := st.q
	for name, text := range map[string]string{
		"setting-get": q.SettingGet, "workspace-update": q.WorkspaceUpdate, "api-key-touch": q.APIKeyTouch,
		"shop-update": q.ShopUpdate, "product-list": q.ProductList, "order-list": q.OrderList,
		"checkout-list": q.CheckoutList, "event-list-visitor": q.EventListVisitor, "delivery-pending": q.DeliveryPending,
		"erase-orders-person": q.EraseOrdersPerson, "product-restock": q.ProductRestock, "variant-set-stock": q.VariantSetStock,
		"checkout-complete": q.CheckoutComplete, "product-categories": q.ProductCategories,
	} {
		stmt, err := st.w.Prepare(text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		stmt.Close()
	}
}

func TestRewriteForSQLite(t *testing.T) {
	if got := rewriteForSQLite("a = $1 AND b = $12"); got != "a = ?1 AND b = ?12" {
		t.Errorf("rewrite: %q", got)
	}
}

func TestWorkspaceRoundTrip(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	w := Workspace{ID: "ws_a", Name: "A", SiteKey: "pk_a", Timezone: "Europe/Warsaw", Currency: "PLN", Locale: "pl",
		AllowedOrigins: []string{"https://a.example"}, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWorkspace(ctx, w); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate: %v", err)
	}
	got, err := st.WorkspaceBySiteKey(ctx, "pk_a")
	if err != nil || got.Name != "A" || got.AllowedOrigins[0] != "https://a.example" || !got.CreatedAt.Equal(now) {
		t.Fatalf("got %+v %v", got, err)
	}
	if _, err := st.Workspace(ctx, "ws_missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestOrderPlacedOnce(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC()
	c := commerce.Checkout{Token: "tok1", WorkspaceID: "ws_a", ShopID: "s", Email: "a@x.example", Currency: "EUR",
		TotalMinor: 500, Items: []commerce.LineItem{{ProductID: "p1", Title: "P", Quantity: 1, PriceMinor: 500}},
		CreatedAt: now, UpdatedAt: now}
	if err := st.SaveCheckout(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	o := commerce.Order{ID: "o1", WorkspaceID: "ws_a", ShopID: "s", ExternalID: "1001", Currency: "EUR", TotalMinor: 500,
		Items: c.Items, CheckoutToken: "tok1", Financial: "paid", PlacedAt: now, UpdatedAt: now}
	var created []bool
	record := func(prev *commerce.Order) ([]Event, bool) {
		created = append(created, prev == nil)
		return []Event{{WorkspaceID: "ws_a", Type: "x", Source: "test", OccurredAt: now, ReceivedAt: now}}, true
	}
	for range 3 {
		if err := st.SaveOrder(ctx, o, record); err != nil {
			t.Fatal(err)
		}
	}
	if len(created) != 3 || !created[0] || created[1] || created[2] {
		t.Fatalf("created flags %v, want [true false false]", created)
	}
	got, err := st.Checkout(ctx, "ws_a", "tok1")
	if err != nil || got.CompletedAt.IsZero() {
		t.Fatalf("checkout not completed: %+v %v", got, err)
	}
	evs, err := st.EventsAfter(ctx, "ws_a", 0, 10)
	if err != nil || len(evs) != 3 || evs[0].ID >= evs[1].ID || evs[0].Type != "x" {
		t.Fatalf("events %+v %v", evs, err)
	}
	// Another workspace sees none of it.
	if _, err := st.Order(ctx, "ws_b", "o1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cross-workspace read: %v", err)
	}
}

func TestProductsSearchAndPaging(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC()
	var ps []commerce.Product
	for i, title := range []string{"Blue Mug", "Red Mug", "Green Tea 100% Organic", "Coffee Beans"} {
		cat := "Kitchen"
		if i >= 2 {
			cat = "Drinks"
		}
		ps = append(ps, commerce.Product{ID: title, WorkspaceID: "ws_a", ShopID: "s", Handle: title, Title: title,
			Category: cat, PriceMinor: int64(100 * (i + 1)), Currency: "EUR", Stock: 1, Status: "active",
			CreatedAt: now.Add(time.Duration(i) * time.Minute), UpdatedAt: now})
	}
	if err := st.UpsertProducts(ctx, ps); err != nil {
		t.Fatal(err)
	}
	got, total, err := st.Products(ctx, "ws_a", ProductFilter{Query: "MUG"})
	if err != nil || total != 2 || len(got) != 2 {
		t.Fatalf("search: %d %d %v", total, len(got), err)
	}
	// A shopper's % is dropped, never used as a LIKE wildcard.
	if _, total, _ := st.Products(ctx, "ws_a", ProductFilter{Query: "%"}); total != 4 {
		t.Fatalf("%% query matched %d", total)
	}
	got, _, _ = st.Products(ctx, "ws_a", ProductFilter{Sort: "price_desc", Limit: 1})
	if len(got) != 1 || got[0].Title != "Coffee Beans" {
		t.Fatalf("price_desc first = %+v", got)
	}
	got, _, _ = st.Products(ctx, "ws_a", ProductFilter{Category: "Drinks", Sort: "newest"})
	if len(got) != 2 || got[0].Title != "Coffee Beans" {
		t.Fatalf("newest drinks = %+v", got)
	}
	cats, err := st.Categories(ctx, "ws_a")
	if err != nil || len(cats) != 2 || cats[0].Name != "Drinks" || cats[0].Count != 2 {
		t.Fatalf("categories %+v %v", cats, err)
	}
}

func TestResentEventIsLoggedOnce(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Now()
	mk := func(client string) Event {
		return Event{WorkspaceID: "ws_a", Type: "page_view", Source: "tracker", VisitorID: "v1", ClientID: client,
			OccurredAt: now, ReceivedAt: now}
	}
	first := []Event{mk("e1"), mk("e2"), mk("")}
	if err := st.AppendEvents(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := []Event{mk("e1"), mk("e3"), mk("")}
	if err := st.AppendEvents(ctx, again); err != nil {
		t.Fatal(err)
	}
	evs, _ := st.EventsAfter(ctx, "ws_a", 0, 100)
	if len(evs) != 5 {
		t.Fatalf("%d events logged, want 5", len(evs))
	}
}

func TestAppendManyEventsInChunks(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Now()
	evs := make([]Event, 2*appendChunk+37)
	for i := range evs {
		evs[i] = Event{WorkspaceID: "ws_a", Type: "page_view", Source: "tracker", VisitorID: "v", ClientID: fmt.Sprint("c", i),
			OccurredAt: now, ReceivedAt: now, Props: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	got, err := st.EventsAfter(ctx, "ws_a", 0, 1000)
	if err != nil || len(got) != len(evs) {
		t.Fatalf("%d events stored (%v), want %d", len(got), err, len(evs))
	}
	for i, e := range got {
		if string(e.Props) != fmt.Sprintf(`{"n":%d}`, i) || (i > 0 && e.ID <= got[i-1].ID) {
			t.Fatalf("event %d out of order: %s", i, e.Props)
		}
	}
}

// A timeline must be found through the contact's and its visitors' index
// entries, never by walking the workspace's whole log: that would grow with
// the shop, not with the person.
func TestTimelineQueryUsesIndexes(t *testing.T) {
	st := openTest(t)
	rows, err := st.w.Query("EXPLAIN QUERY PLAN "+st.q.EventListContact, "ws", "ct", 100, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	for _, want := range []string{"INDEX events_contact", "INDEX events_visitor"} {
		if !strings.Contains(joined, want) {
			t.Errorf("plan does not use %s:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "events_workspace") || strings.Contains(joined, "SCAN events") {
		t.Errorf("plan walks the workspace's log:\n%s", joined)
	}
}

func TestOrdersPageNewestFirst(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	for i := range 5 {
		o := commerce.Order{ID: fmt.Sprint("o", i), WorkspaceID: "ws_a", ShopID: "s", ExternalID: fmt.Sprint(i), Currency: "EUR",
			TotalMinor: 100, Financial: "paid", PlacedAt: t0.Add(time.Duration(i/2) * time.Minute), UpdatedAt: t0}
		if err := st.SaveOrder(ctx, o, func(*commerce.Order) ([]Event, bool) { return nil, true }); err != nil {
			t.Fatal(err)
		}
	}
	// Placed times tie in pairs, so the id breaks ties: o4, o3, o2, o1, o0.
	var got []string
	f := OrderFilter{Limit: 2}
	for range 4 {
		page, err := st.Orders(ctx, "ws_a", f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			got = append(got, o.ID)
		}
		if len(page) < 2 {
			break
		}
		f.Before, f.BeforeID = page[len(page)-1].PlacedAt, page[len(page)-1].ID
	}
	if strings.Join(got, ",") != "o4,o3,o2,o1,o0" {
		t.Errorf("pages gave %v", got)
	}
}

func TestPruneDeliveriesKeepsRecentAndFailed(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	old, recent := time.Now().Add(-40*24*time.Hour), time.Now()
	for i, d := range []struct {
		at     time.Time
		status string
	}{{old, DeliveryDone}, {old, DeliveryIgnored}, {old, DeliveryFailed}, {recent, DeliveryDone}, {old, DeliveryPending}} {
		key := "k" + string(rune('a'+i))
		if _, err := st.InsertDelivery(ctx, Delivery{WorkspaceID: "ws", ShopID: "s", Platform: "shopify", Topic: "t",
			DedupKey: key, Body: []byte("{}"), ReceivedAt: d.at}); err != nil {
			t.Fatal(err)
		}
		ds, _ := st.Deliveries(ctx, "ws", "s", "", 0, 10)
		if d.status != DeliveryPending {
			if err := st.FinishDelivery(ctx, ds[0].ID, d.status, "", d.at); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := st.PruneDeliveries(ctx, time.Now().Add(-30*24*time.Hour), time.Now().Add(-90*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the two old processed deliveries", n, err)
	}
	left, _ := st.Deliveries(ctx, "ws", "s", "", 0, 10)
	if len(left) != 3 {
		t.Fatalf("%d deliveries left, want 3 (old failed, recent done, old pending)", len(left))
	}
}
