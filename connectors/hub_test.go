package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// env is a hub over a real SQLite file, as one process would hold it.
type env struct {
	st  *store.Store
	ws  *workspace.Service
	hub *Hub
	box *secrets.Box
}

func newEnv(t *testing.T, path string, client *http.Client, sleep func(context.Context, time.Duration) error) env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, path, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ws := workspace.New(st, box, log, nil)
	proc := cdp.NewProcessor(st, log, nil)
	h := New(Options{Store: st, Workspaces: ws, Ingest: cdp.NewIngest(st, log, nil), Secrets: box, Log: log,
		Exclusive: proc.Exclusive, PublicURL: "http://cartwheel.test", HTTPClient: client, Sleep: sleep})
	return env{st: st, ws: ws, hub: h, box: box}
}

// countingTransport cancels a context once a number of GraphQL answers
// have been read: a process dying in the middle of a backfill.
type countingTransport struct {
	n      atomic.Int32
	after  int32
	cancel context.CancelFunc
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/graphql.json") && c.n.Add(1) == c.after {
		c.cancel()
	}
	return resp, err
}

func TestBackfillResumesWhereItStopped(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SeedProducts(20) // five pages of shopify.MaxProductsPerPage
	path := filepath.Join(t.TempDir(), "c.db")
	ctx, cancel := context.WithCancel(context.Background())
	tr := &countingTransport{after: 3, cancel: cancel}
	e := newEnv(t, path, &http.Client{Transport: tr}, fake.Sleep)
	w, err := e.ws.Create(context.Background(), workspace.Settings{Name: ptr("Shop")})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := e.ws.ConnectShop(context.Background(), w.ID, workspace.ShopInput{Platform: "shopify", Domain: "test-shop.myshopify.com",
		AccessToken: shopifytest.DefaultToken, WebhookSecret: "s", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	// The first pass dies while page 3 is in flight.
	if err := e.hub.SyncShop(ctx, sh); err == nil {
		t.Fatal("interrupted sync reported success")
	}
	st, err := e.st.Sync(context.Background(), w.ID, sh.ID, SyncProducts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != store.SyncRunning || st.Cursor == "" || st.Done != 8 {
		t.Fatalf("state after the crash: %+v", st)
	}
	_, n, _ := e.st.Products(context.Background(), w.ID, store.ProductFilter{})
	if n != 8 {
		t.Fatalf("%d products stored before the crash, want 8", n)
	}
	pagesBefore := fake.ProductPages()

	// A new process on the same database resumes from page 3.
	e2 := newEnv(t, path, nil, fake.Sleep)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e2.hub.Run(runCtx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ = e2.st.Sync(context.Background(), w.ID, sh.ID, SyncProducts)
		if st.Status == store.SyncIdle || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if st.Status != store.SyncIdle || st.Done != 20 || st.LastSuccessAt.IsZero() {
		t.Fatalf("state after resuming: %+v", st)
	}
	if got := fake.ProductPages() - pagesBefore; got != 3 {
		t.Fatalf("resumed pass fetched %d pages, want the remaining 3", got)
	}
	_, n, _ = e2.st.Products(context.Background(), w.ID, store.ProductFilter{})
	if n != 20 {
		t.Fatalf("%d products after resuming, want 20", n)
	}
}

func TestThrottledBackfillWaitsAndLosesNothing(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SeedProducts(40)
	fake.Throttle(100, 10) // the fake charges 42 points a page: every third page waits
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"), nil, fake.Sleep)
	w, _ := e.ws.Create(context.Background(), workspace.Settings{Name: ptr("Shop")})
	sh, err := e.ws.ConnectShop(context.Background(), w.ID, workspace.ShopInput{Platform: "shopify", Domain: "test-shop.myshopify.com",
		AccessToken: shopifytest.DefaultToken, WebhookSecret: "s", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.hub.SyncShop(context.Background(), sh); err != nil {
		t.Fatal(err)
	}
	if len(fake.Sleeps()) == 0 {
		t.Fatal("the client never waited for the cost bucket to refill")
	}
	_, n, _ := e.st.Products(context.Background(), w.ID, store.ProductFilter{})
	if n != 40 {
		t.Fatalf("%d products, want 40", n)
	}
}

func TestOutOfOrderOrderDeliveryChangesNothing(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"), nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Shop")})
	sh, _ := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "x.myshopify.com", WebhookSecret: "s"})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	order := func(fin string, at time.Time) commerce.Change {
		return commerce.Change{Kind: commerce.ChangeOrder, Order: &commerce.Order{ExternalID: "5990000000000000001", Currency: "EUR",
			TotalMinor: 1000, Financial: fin, Email: "a@example.com", PlacedAt: t0, UpdatedAt: at,
			Items: []commerce.LineItem{{ProductID: "1", Title: "A", Quantity: 1, PriceMinor: 1000}}}}
	}
	for _, ch := range []commerce.Change{order("pending", t0), order("paid", t0.Add(time.Minute)),
		order("pending", t0.Add(30*time.Second)), order("paid", t0.Add(time.Minute))} {
		if err := e.hub.apply(ctx, sh, ch, true); err != nil {
			t.Fatal(err)
		}
	}
	o, err := e.st.Order(ctx, w.ID, OrderID(sh.ID, "5990000000000000001"))
	if err != nil || o.Financial != "paid" {
		t.Fatalf("order after a stale delivery: %+v %v", o, err)
	}
	evs, _ := e.st.EventsAfter(ctx, w.ID, 0, 100)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if strings.Join(types, ",") != "order_placed,order_paid" {
		t.Fatalf("events %v, want order_placed,order_paid", types)
	}
}

func ptr[T any](v T) *T { return &v }

// A cart the tracker saw (checkout_started with the cart token) and the
// shop's cart and order webhooks naming that token meet in one visitor.
func TestCartTokenLinksCheckoutAndOrderToTheVisitor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	e := newEnv(t, path, nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Shop")})
	sh, _ := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "x.myshopify.com", WebhookSecret: "s"})
	now := time.Now().UTC()
	if err := e.st.AppendEvents(ctx, []store.Event{{WorkspaceID: w.ID, Type: cdp.EventCheckoutStarted, Source: "tracker",
		VisitorID: "v-browsing", OccurredAt: now, ReceivedAt: now, Props: []byte(`{"checkout_token":"cart-tok-1"}`)}}); err != nil {
		t.Fatal(err)
	}
	proc := cdp.NewProcessor(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err := proc.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	cart := commerce.Change{Kind: commerce.ChangeCart, Checkout: &commerce.Checkout{Token: "cart-tok-1", Currency: "EUR",
		Items: []commerce.LineItem{{VariantID: "v1", Title: "A", Quantity: 1, PriceMinor: 500}}}}
	order := commerce.Change{Kind: commerce.ChangeOrder, Order: &commerce.Order{ExternalID: "77", Currency: "EUR", TotalMinor: 500,
		Email: "ann@example.com", CheckoutToken: "cart-tok-1", PlacedAt: now,
		Items: []commerce.LineItem{{ProductID: "1", Title: "A", Quantity: 1, PriceMinor: 500}}}}
	for _, ch := range []commerce.Change{cart, order} {
		if err := e.hub.apply(ctx, sh, ch, true); err != nil {
			t.Fatal(err)
		}
	}
	c, err := e.st.Checkout(ctx, w.ID, "cart-tok-1")
	if err != nil || c.VisitorID != "v-browsing" {
		t.Fatalf("cart %+v %v", c, err)
	}
	o, err := e.st.Order(ctx, w.ID, OrderID(sh.ID, "77"))
	if err != nil || o.VisitorID != "v-browsing" {
		t.Fatalf("order %+v %v", o, err)
	}
	// Once processed, the buyer's contact holds the browsing visitor.
	if err := proc.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	ct, err := e.st.ContactByIdentity(ctx, w.ID, cdp.KindVisitor, "v-browsing")
	if err != nil || ct.Email != "ann@example.com" {
		t.Fatalf("visitor's contact %+v %v", ct, err)
	}
}

// Shopify names orders and checkouts by their own tokens; the storefront
// (and so the tracker) knows the cart token, which they carry as
// cart_token. A delivery without the visitor attribute is joined on it.
func TestShopifyOrderJoinsTheVisitorByCartToken(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"), nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Shop"), Currency: ptr("EUR")})
	sh, _ := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "x.myshopify.com", WebhookSecret: "s"})
	now := time.Now().UTC()
	if err := e.st.AppendEvents(ctx, []store.Event{{WorkspaceID: w.ID, Type: cdp.EventCheckoutStarted, Source: "tracker",
		VisitorID: "v-cart", OccurredAt: now, ReceivedAt: now, Props: []byte(`{"checkout_token":"cart-tok-9"}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := cdp.NewProcessor(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("shopify", "testdata", "orders_paid.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // the ids exceed 2^53
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	m["cart_token"], m["note_attributes"] = "cart-tok-9", []any{}
	body, _ := json.Marshal(m)
	d := store.Delivery{WorkspaceID: w.ID, ShopID: sh.ID, Platform: Shopify, Topic: "orders/paid", DedupKey: "k", Body: body}
	if err := e.hub.handle(ctx, d); err != nil {
		t.Fatal(err)
	}
	o, err := e.st.Order(ctx, w.ID, OrderID(sh.ID, "5990000000000000001"))
	if err != nil || o.VisitorID != "v-cart" {
		t.Fatalf("order %+v %v: not joined to the visitor who reported the cart token", o, err)
	}
}

// A delivery that arrives after Run has returned (shutdown, or a hub used
// by a tool) is stored directly instead of waiting for a batcher that is
// gone.
func TestDeliveryAfterRunStoppedIsStored(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"), nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Shop"), Currency: ptr("EUR")})
	sh, _ := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "y.myshopify.com", WebhookSecret: "s"})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = e.hub.Run(runCtx) }()
	for e.hub.runCtx.Load() == nil {
		time.Sleep(time.Millisecond)
	}
	stop()
	<-done
	reqCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := store.Delivery{WorkspaceID: w.ID, ShopID: sh.ID, Platform: Shopify, Topic: "orders/paid", DedupKey: "late-1",
		Body: []byte(`{}`), ReceivedAt: time.Now()}
	inserted, err := e.hub.insert(reqCtx, d)
	if err != nil || !inserted {
		t.Fatalf("late delivery: inserted %v, %v (it waited for a stopped batcher)", inserted, err)
	}
}
