package admin

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// BenchmarkConsolePages measures each page's server time and size for a
// workspace of 100,000 contacts, 20,000 orders and 20,000 messages: the
// budgets in docs/BENCHMARKS.md ("Admin console").
//
//	go test ./admin -run '^$' -bench ConsolePages -benchtime 50x
func BenchmarkConsolePages(b *testing.B) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "cw.db"), log)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	box, err := secrets.New(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	wsvc := workspace.New(st, box, log, nil)
	name, tz, cur := "Bench", "Europe/Warsaw", "PLN"
	ws, err := wsvc.Create(ctx, workspace.Settings{Name: &name, Timezone: &tz, Currency: &cur})
	if err != nil {
		b.Fatal(err)
	}
	seedConsole(b, st, ws.ID)
	seedDrill(b, st, ws.ID)
	acc := accounts.New(st, log)
	h, err := New(Options{Accounts: acc, Store: st, Workspaces: wsvc, Contacts: cdp.NewContacts(st),
		PublicURL: "http://localhost:8080", Log: log})
	if err != nil {
		b.Fatal(err)
	}
	token, _ := acc.SetupLink(ctx)
	session, _, err := acc.CompleteSetup(ctx, token, "owner@bench.example", "", "a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	for _, page := range append([]string{"/", "/contacts", "/contacts?q=anna", "/contacts/ct_bench00000000000050", "/messages", "/team", "/audit"}, drillBenchPages()...) {
		b.Run(page, func(b *testing.B) {
			var size int
			for b.Loop() {
				req := httptest.NewRequest("GET", "/admin/w/"+ws.ID+page, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", page, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

func seedConsole(b *testing.B, st *store.Store, ws string) {
	ctx := context.Background()
	now := time.Now()
	names := []string{"Anna", "Jan", "Ola", "Piotr", "Kasia"}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := range 100_000 {
			at := now.Add(-time.Duration(i) * time.Minute)
			if err := tx.CreateContact(store.Contact{WorkspaceID: ws, ID: fmt.Sprintf("ct_bench%014d", i),
				Email: fmt.Sprintf("person%d@bench.example", i), FirstName: names[i%len(names)], LastName: "Nowak",
				Attributes: []byte("{}"), CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20_000 {
		at := now.Add(-time.Duration(i) * 2 * time.Minute)
		o := commerce.Order{ID: fmt.Sprintf("o%d", i), WorkspaceID: ws, ShopID: "shop", ExternalID: fmt.Sprint(i),
			Currency: "PLN", TotalMinor: 12999, PlacedAt: at, UpdatedAt: at, Items: []commerce.LineItem{}, DiscountCodes: []string{}}
		if err := st.SaveOrder(ctx, o, func(*commerce.Order) ([]store.Event, bool) { return nil, true }); err != nil {
			b.Fatal(err)
		}
		if _, _, err := st.CreateMessage(ctx, store.Message{ID: fmt.Sprintf("msg_%d", i), WorkspaceID: ws,
			ContactID: fmt.Sprintf("ct_bench%014d", i), Channel: "email", StepKey: fmt.Sprint(i), Status: "sent",
			Subject: "Your cart", CreatedAt: at, SentAt: at}); err != nil {
			b.Fatal(err)
		}
	}
}
