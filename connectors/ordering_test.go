package connectors

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// A delivery whose data the database refuses (here a rule in a trigger,
// which SQLite reports as a constraint violation) is refused the same way
// on every retry: it fails at once, with the reason on the delivery,
// instead of being retried eight times over hours.
func TestConstraintViolationFailsAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	e := newEnv(t, path, nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Sklep"), Currency: ptr("PLN")})
	sh, err := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "sklep.myshopify.com", WebhookSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER products_refuse BEFORE INSERT ON products WHEN NEW.title = 'Odrzucony'
		BEGIN SELECT RAISE(ABORT, 'tytuł odrzucony przez regułę'); END`); err != nil {
		t.Fatal(err)
	}
	body := `{"id": 9123456789012345299, "title": "Odrzucony", "handle": "odrzucony", "status": "active",
		"updated_at": "2026-03-02T09:00:00+01:00", "variants": [{"id": 9123456789012345399, "price": "10.00", "inventory_quantity": 1}]}`
	if _, err := e.st.InsertDelivery(ctx, store.Delivery{WorkspaceID: w.ID, ShopID: sh.ID, Platform: Shopify,
		Topic: "products/create", DedupKey: "shopify:refused", Body: []byte(body), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.hub.ProcessPending(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := e.st.Deliveries(ctx, w.ID, sh.ID, "", 0, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	if d := ds[0]; d.Status != store.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.Error, "tytuł odrzucony") {
		t.Fatalf("refused delivery: status %s after %d attempts, error %q; want failed at once with the reason", d.Status, d.Attempts, d.Error)
	}
}

// A Shopify product from a webhook gets its storefront address from its
// handle, on the domain the catalogue sync found it on (the shop's primary
// domain), and keeps its picture when the webhook carries none.
func TestShopifyWebhookProductKeepsItsAddress(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"), nil, nil)
	ctx := context.Background()
	w, _ := e.ws.Create(ctx, workspace.Settings{Name: ptr("Sklep"), Currency: ptr("PLN")})
	sh, _ := e.ws.ConnectShop(ctx, w.ID, workspace.ShopInput{Platform: "shopify", Domain: "sklep.myshopify.com", WebhookSecret: "s"})
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	synced := commerce.Product{ExternalID: "9123456789012345201", Handle: "kubek-zuraw", Title: "Kubek", PriceMinor: 5999,
		URL: "https://sklep.pl/products/kubek-zuraw", ImageURL: "https://cdn.shopify.com/kubek.jpg", UpdatedAt: t0}
	if err := e.hub.saveProducts(ctx, sh, []commerce.Product{synced}, false); err != nil {
		t.Fatal(err)
	}
	renamed := commerce.Product{ExternalID: "9123456789012345201", Handle: "kubek-żuraw-zielony", Title: "Kubek „Żuraw”",
		PriceMinor: 5999, UpdatedAt: t0.Add(time.Hour)}
	if err := e.hub.apply(ctx, sh, commerce.Change{Kind: commerce.ChangeProduct, Product: &renamed}, true); err != nil {
		t.Fatal(err)
	}
	p, err := e.st.Product(ctx, w.ID, "9123456789012345201")
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "https://sklep.pl/products/kubek-%C5%BCuraw-zielony" || p.ImageURL != "https://cdn.shopify.com/kubek.jpg" {
		t.Fatalf("product links %q %q", p.URL, p.ImageURL)
	}
}
