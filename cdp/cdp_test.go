package cdp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func ev(typ, visitor, session string, at time.Duration, props, ctx string) store.Event {
	if props == "" {
		props = "{}"
	}
	if ctx == "" {
		ctx = "{}"
	}
	return store.Event{WorkspaceID: "ws_a", Type: typ, Source: "tracker", VisitorID: visitor, SessionID: session,
		OccurredAt: t0.Add(at), ReceivedAt: t0.Add(at), Props: json.RawMessage(props), Context: json.RawMessage(ctx)}
}

func profileOf(t *testing.T, st *store.Store, contact string) *Profile {
	t.Helper()
	raw, err := st.Profile(context.Background(), "ws_a", contact)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodeProfile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const coffee = `{"id":"p1","title":"Ethiopia Beans","category":"Coffee","price_minor":1290}`

func TestAnonymousHistoryJoinsOnIdentify(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	evs := []store.Event{
		ev("page_view", "v1", "s1", 0, "", `{"pv":"pv1","browser":"Chrome","os":"Linux","device":"desktop"}`),
		ev("product_view", "v1", "s1", time.Second, `{"product":`+coffee+`,"dwell_ms":0}`, `{"pv":"pv2"}`),
		// Cumulative reports of one page view: 30 s then 45 s is 45 s of dwell, one view.
		ev("product_view", "v1", "s1", 31*time.Second, `{"product":`+coffee+`,"dwell_ms":30000}`, `{"pv":"pv2"}`),
		ev("product_view", "v1", "s1", 46*time.Second, `{"product":`+coffee+`,"dwell_ms":45000}`, `{"pv":"pv2"}`),
		// A late duplicate of an earlier report changes nothing.
		ev("product_view", "v1", "s1", 47*time.Second, `{"product":`+coffee+`,"dwell_ms":30000}`, `{"pv":"pv2"}`),
		ev("add_to_cart", "v1", "s1", 50*time.Second, `{"product_id":"p1","quantity":2,"product":`+coffee+`}`, `{"pv":"pv2"}`),
		ev("page_view", "v1", "s2", time.Hour, "", `{"pv":"pv3"}`),
		ev("bot_thing", "v1", "s2", time.Hour, "", `{"bot":true}`),
		ev("identify", "v1", "s2", time.Hour+time.Second, `{"email":" Ann@Example.com ","first_name":"Ann"}`, `{"pv":"pv3"}`),
		ev("consent", "v1", "s2", time.Hour+2*time.Second, `{"tracking":true,"email":true,"text":"Yes, send me offers"}`, ""),
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, quiet, func() time.Time { return t0 })
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.ContactByEmail(ctx, "ws_a", "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "Ann" {
		t.Errorf("first name %q", c.FirstName)
	}
	byVisitor, err := st.ContactByIdentity(ctx, "ws_a", KindVisitor, "v1")
	if err != nil || byVisitor.ID != c.ID {
		t.Fatalf("visitor resolves to %q (%v), want %q", byVisitor.ID, err, c.ID)
	}
	pr := profileOf(t, st, c.ID)
	if pr.PageViews != 2 || pr.ProductViews != 1 || pr.Visits != 2 || pr.AddToCarts != 1 {
		t.Errorf("counters: page views %d, product views %d, visits %d, carts %d", pr.PageViews, pr.ProductViews, pr.Visits, pr.AddToCarts)
	}
	if got := pr.Products["p1"]; got == nil || got.DwellMS != 45000 || got.Views != 1 || got.Category != "Coffee" {
		t.Errorf("product stat %+v", got)
	}
	if got := pr.Categories["Coffee"]; got == nil || got.DwellMS != 45000 || got.Views != 1 {
		t.Errorf("category stat %+v", got)
	}
	if len(pr.LastCart) != 1 || pr.LastCart[0].Quantity != 2 {
		t.Errorf("cart %+v", pr.LastCart)
	}
	if pr.Device == nil || pr.Device.Browser != "Chrome" {
		t.Errorf("device %+v", pr.Device)
	}
	if !pr.FirstSeen.Equal(t0) || !pr.LastSeen.Equal(t0.Add(time.Hour+2*time.Second)) {
		t.Errorf("seen %v .. %v", pr.FirstSeen, pr.LastSeen)
	}
	cons, err := st.Consents(ctx, "ws_a", c.ID)
	if err != nil || len(cons) != 2 || !cons[0].Granted || cons[0].Text != "Yes, send me offers" {
		t.Errorf("consents %+v %v", cons, err)
	}
	// The timeline holds the anonymous history (bot events are logged but not counted).
	tl, err := st.ContactEvents(ctx, "ws_a", c.ID, 0, 100)
	if err != nil || len(tl) != len(evs) || tl[0].Type != "consent" {
		t.Fatalf("timeline: %d events (%v)", len(tl), err)
	}
	// Replaying from the checkpoint does nothing twice.
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if again := profileOf(t, st, c.ID); again.PageViews != 2 {
		t.Errorf("page views after a second catch-up: %d", again.PageViews)
	}
}

func TestTwoContactsFoundToBeOneAreMerged(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// A known customer shops on her laptop…
	laptop := []store.Event{
		ev("identify", "laptop", "s1", 0, `{"email":"bo@example.com"}`, ""),
		ev("consent", "laptop", "s1", time.Second, `{"email":true}`, ""),
		ev("page_view", "laptop", "s1", 2*time.Second, "", ""),
	}
	// …and anonymously on her phone, with a cart there.
	phone := []store.Event{
		ev("page_view", "phone", "s9", time.Minute, "", ""),
		ev("product_view", "phone", "s9", time.Minute, `{"product":`+coffee+`,"dwell_ms":5000}`, `{"pv":"x"}`),
		ev("add_to_cart", "phone", "s9", 2*time.Minute, `{"product_id":"p1","quantity":1}`, ""),
		ev("consent", "phone", "s9", 3*time.Minute, `{"push":true}`, ""),
	}
	order := store.Event{WorkspaceID: "ws_a", Type: EventOrderPlaced, Source: "demo", VisitorID: "phone",
		OccurredAt: t0.Add(time.Hour), ReceivedAt: t0.Add(time.Hour),
		Props: json.RawMessage(`{"order_id":"o1","email":"BO@example.com","currency":"EUR","total_minor":1290,"items":[{"product_id":"p1","quantity":1,"price_minor":1290,"title":"x"}]}`)}
	if err := st.AppendEvents(ctx, append(append(laptop, phone...), order)); err != nil {
		t.Fatal(err)
	}
	p := NewProcessor(st, quiet, nil)
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	bo, err := st.ContactByEmail(ctx, "ws_a", "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"laptop", "phone"} {
		c, err := st.ContactByIdentity(ctx, "ws_a", KindVisitor, v)
		if err != nil || c.ID != bo.ID {
			t.Errorf("visitor %s → %q (%v), want %q", v, c.ID, err, bo.ID)
		}
	}
	pr := profileOf(t, st, bo.ID)
	if pr.PageViews != 2 || pr.ProductViews != 1 || pr.Orders != 1 || pr.Revenue["EUR"] != 1290 || len(pr.LastCart) != 0 {
		t.Errorf("merged profile: pv %d prodv %d orders %d revenue %v cart %v", pr.PageViews, pr.ProductViews, pr.Orders, pr.Revenue, pr.LastCart)
	}
	if pr.Products["p1"].Bought != 1 {
		t.Errorf("bought %+v", pr.Products["p1"])
	}
	cons, _ := st.Consents(ctx, "ws_a", bo.ID)
	if len(cons) != 2 {
		t.Errorf("consents after merge %+v (want email and push)", cons)
	}
	tl, _ := st.ContactEvents(ctx, "ws_a", bo.ID, 0, 100)
	if len(tl) != 8 {
		t.Errorf("merged timeline has %d events, want 8", len(tl))
	}
}

func TestSharedComputerKeepsPeopleApart(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	evs := []store.Event{
		ev("identify", "shared", "s1", 0, `{"email":"one@example.com"}`, ""),
		ev("page_view", "shared", "s1", time.Second, "", ""),
		ev("identify", "other", "s2", 2*time.Second, `{"email":"two@example.com"}`, ""),
		ev("identify", "shared", "s3", 3*time.Second, `{"email":"two@example.com"}`, ""),
		ev("page_view", "shared", "s3", 4*time.Second, "", ""),
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := NewProcessor(st, quiet, nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	one, err1 := st.ContactByEmail(ctx, "ws_a", "one@example.com")
	two, err2 := st.ContactByEmail(ctx, "ws_a", "two@example.com")
	if err1 != nil || err2 != nil || one.ID == two.ID {
		t.Fatalf("one %q two %q (%v %v)", one.ID, two.ID, err1, err2)
	}
	if pr := profileOf(t, st, one.ID); pr.PageViews != 1 {
		t.Errorf("one's page views %d", pr.PageViews)
	}
	if pr := profileOf(t, st, two.ID); pr.PageViews != 1 {
		t.Errorf("two's page views %d", pr.PageViews)
	}
}

func TestMalformedEventIsSkippedNotWedged(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	evs := []store.Event{
		ev("product_view", "v", "s", 0, `{"dwell_ms":5}`, ""), // no product
		ev("page_view", "v", "s", time.Second, `[1,2]`, ""),   // props not an object
		ev("page_view", "v", "s", 2*time.Second, "", ""),
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := NewProcessor(st, quiet, nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.ContactByIdentity(ctx, "ws_a", KindVisitor, "v")
	if err != nil {
		t.Fatal(err)
	}
	if pr := profileOf(t, st, c.ID); pr.PageViews != 1 {
		t.Errorf("page views %d", pr.PageViews)
	}
	logged, _ := st.EventsAfter(ctx, "ws_a", 0, 10)
	pos, _ := st.Checkpoint(ctx, ProfileCheckpoint)
	if len(logged) != 3 || pos != logged[2].ID {
		t.Errorf("checkpoint %d, want the last event's offset", pos)
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Ann@Example.COM ": "ann@example.com", "a@b": "", "not an email": "", "<a@b.co>": "", "a@b.co": "a@b.co", "": "",
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterGroupCommitsAndBounds(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	var mu sync.Mutex
	commits := 0
	w := NewWriter(st, quiet, WriterOptions{QueueEvents: 1000, MaxBatch: 500}, func() {
		mu.Lock()
		commits++
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs := []store.Event{ev("page_view", "v", "s", time.Duration(i), "", ""), ev("page_view", "v", "s", time.Duration(i), "", "")}
			if err := w.Append(ctx, evs); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// 50 concurrent appends share commits: never more commits than appends.
	if commits < 1 || commits > 50 {
		t.Errorf("%d commits for 50 appends", commits)
	}
	// Past the bound, Append fails fast instead of queueing.
	big := make([]store.Event, 1001)
	if err := w.Append(ctx, big); !errors.Is(err, ErrOverloaded) {
		t.Errorf("oversized append: %v", err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(ctx, evsOne()); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	n, _ := st.EventsAfter(ctx, "ws_a", 0, 1000)
	if len(n) != 100 {
		t.Errorf("%d events stored", len(n))
	}
}

func evsOne() []store.Event { return []store.Event{ev("page_view", "v", "s", 0, "", "")} }

// The in-memory path (known visitors' browsing, counted before the write
// transaction) must give exactly what the transactional path gives.
func TestInMemoryBatchesCountLikeTransactionalOnes(t *testing.T) {
	ctx := context.Background()
	browse := func(v string, k int) []store.Event {
		at := time.Duration(k) * time.Minute
		pv := `{"pv":"pv` + v + strconv.Itoa(k) + `"}`
		return []store.Event{
			ev("page_view", v, "s", at, "", pv),
			ev("product_view", v, "s", at+time.Second, `{"product":`+coffee+`,"dwell_ms":20000}`, pv),
			ev("add_to_cart", v, "s", at+2*time.Second, `{"product_id":"p1","quantity":1}`, pv),
			ev("search", v, "s", at+3*time.Second, `{"query":"beans"}`, ""),
		}
	}
	run := func(warm bool) (*store.Store, []*Profile, bool) {
		st := openStore(t)
		p := NewProcessor(st, quiet, func() time.Time { return t0 })
		usedMemory := false
		for k := range 3 {
			var evs []store.Event
			for _, v := range []string{"va", "vb", "vc"} {
				evs = append(evs, browse(v, k)...)
			}
			if err := st.AppendEvents(ctx, evs); err != nil {
				t.Fatal(err)
			}
			if !warm {
				clear(p.idents) // a cold cache forces the transactional path
			} else if k > 0 {
				batch, _ := st.LogAfter(ctx, p.pos, 500)
				parsed := make([]parsedEvent, len(batch))
				for i := range batch {
					parsed[i] = parse(&batch[i])
				}
				usedMemory = usedMemory || p.inMemory(parsed, p.prefetch(ctx, batch))
			}
			if err := p.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var out []*Profile
		for _, v := range []string{"va", "vb", "vc"} {
			c, err := st.ContactByIdentity(ctx, "ws_a", KindVisitor, v)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, profileOf(t, st, c.ID))
		}
		return st, out, usedMemory
	}
	_, cold, _ := run(false)
	_, warm, used := run(true)
	if !used {
		t.Fatal("warm batches of known visitors did not take the in-memory path")
	}
	for i := range cold {
		a, _ := json.Marshal(cold[i])
		b, _ := json.Marshal(warm[i])
		if string(a) != string(b) {
			t.Fatalf("profile %d differs:\ntransactional %s\nin memory     %s", i, a, b)
		}
	}
	if cold[0].PageViews != 3 || cold[0].AddToCarts != 3 || cold[0].ProductViews != 3 {
		t.Fatalf("counters %+v", cold[0])
	}
}
