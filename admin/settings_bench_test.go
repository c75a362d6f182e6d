package admin

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// BenchmarkSettingsPages measures the settings pages' server time and size
// in the workspace BenchmarkConsolePages uses, with a connected
// WooCommerce shop whose three syncs and webhook registration have run
// (one failed): the budgets in docs/BENCHMARKS.md ("Admin console").
//
//	go test ./admin -run '^$' -bench SettingsPages -benchtime 50x
func BenchmarkSettingsPages(b *testing.B) {
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
	sh, err := wsvc.ConnectShop(ctx, ws.ID, workspace.ShopInput{Platform: "woocommerce", Domain: "sklep.example.pl",
		ConsumerKey: "ck_bench", ConsumerSecret: "cs_bench", WebhookSecret: "benchsecret0123456789"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for kind, done := range map[string]int{"products": 1200, "customers": 40000, "orders": 20000} {
		if err := st.PutSync(ctx, store.SyncState{WorkspaceID: ws.ID, ShopID: sh.ID, Kind: kind, Status: store.SyncIdle,
			Done: done, StartedAt: now, UpdatedAt: now, LastSuccessAt: now}); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.PutSync(ctx, store.SyncState{WorkspaceID: ws.ID, ShopID: sh.ID, Kind: connectors.OpWebhooks, Status: store.SyncFailed,
		Error: "webhook registration failed: register order.created: woocommerce: HTTP 404 rest_no_route: No route was found", UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	msg := messaging.New(st, box, log, nil)
	hub := connectors.New(connectors.Options{Store: st, Workspaces: wsvc, Secrets: box, Log: log, PublicURL: "http://localhost:8080"})
	acc := accounts.New(st, log)
	h, err := New(Options{Accounts: acc, Store: st, Workspaces: wsvc, Contacts: cdp.NewContacts(st), Messaging: msg,
		Connectors: hub, PublicURL: "http://localhost:8080", PushSubject: "mailto:ops@localhost", Log: log})
	if err != nil {
		b.Fatal(err)
	}
	token, _ := acc.SetupLink(ctx)
	session, _, err := acc.CompleteSetup(ctx, token, "owner@bench.example", "", "a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct{ name, page string }{{"settings", "/settings"}, {"shop", "/settings/shops/" + sh.ID},
		{"connect-keys", "/settings/shops/connect?platform=woocommerce&address=https://sklep.example.pl"}} {
		page := p.page
		b.Run(p.name, func(b *testing.B) {
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
