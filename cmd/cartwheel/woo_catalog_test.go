package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

// wooVariantView is a variant as the catalogue API shows it.
type wooVariantView struct {
	ID           string `json:"id"`
	SKU          string `json:"sku"`
	Title        string `json:"title"`
	PriceMinor   int64  `json:"price_minor"`
	Stock        *int64 `json:"stock"`
	StockManaged bool   `json:"stock_managed"`
	InStock      bool   `json:"in_stock"`
}

// wooProductView is a product as the catalogue API shows it.
type wooProductView struct {
	ID           string           `json:"id"`
	Stock        *int64           `json:"stock"`
	StockManaged bool             `json:"stock_managed"`
	InStock      bool             `json:"in_stock"`
	Variants     []wooVariantView `json:"variants"`
}

// A variable product of a Polish shop, its variations delivered on their
// own (some before the parent, as WooCommerce saves them first), with
// stock counted for one size only: the catalogue API shows the variants
// with their own stock, and stock the shop does not count as such, never
// as "1 in stock".
func TestWooCommerceVariantsAndUntrackedStock(t *testing.T) {
	fake := wootest.NewServer(t)
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SYNC_INTERVAL": "0"}))
	const secret = "wc-pl-secret"
	admin, _, sh := connectPolishWooShop(t, inst, fake.URL, secret)
	hookURL := inst.url("/webhooks/woocommerce/" + sh.ID)
	n := 0
	send := func(topic, file string) {
		t.Helper()
		n++
		req, err := fake.NewDelivery(context.Background(), hookURL, topic, wooSample(t, file), secret, int64(40+n))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.Contains(string(b), "duplicate") || strings.Contains(string(b), "ignored") {
			t.Fatalf("%s %s: %d %s", topic, file, resp.StatusCode, b)
		}
	}
	send("product.created", "pl_variation_s.json")
	send("product.updated", "pl_variation_m.json")
	send("product.created", "pl_product_variable.json")
	send("product.created", "pl_variation_l.json")
	send("product.updated", "pl_product_variable.json") // lists variation ids only
	send("product.created", "pl_product_unmanaged_out.json")
	var st shopStatusJSON
	waitFor(t, "deliveries processed", func() bool {
		admin.do("GET", "/api/v1/shops/"+sh.ID+"/status", nil, &st)
		return st.Deliveries.Counts["done"] == n
	})

	var p wooProductView
	if code := admin.do("GET", "/api/v1/products/310", nil, &p); code != 200 {
		t.Fatalf("product: %d", code)
	}
	if p.StockManaged || p.Stock != nil || !p.InStock {
		t.Errorf("variable product stock %s", show(p))
	}
	three := int64(3)
	want := []wooVariantView{
		{ID: "311", SKU: "BLZ-KAP-S", Title: "Bluza z kapturem - S", PriceMinor: 19900, StockManaged: false, InStock: true},
		{ID: "312", SKU: "BLZ-KAP-M", Title: "Bluza z kapturem - M", PriceMinor: 19900, Stock: &three, StockManaged: true, InStock: true},
		{ID: "313", SKU: "BLZ-KAP-L", Title: "Bluza z kapturem - L", PriceMinor: 19900, StockManaged: false, InStock: false},
	}
	if show(p.Variants) != show(want) {
		t.Fatalf("variants\n got %s\nwant %s", show(p.Variants), show(want))
	}
	var socks wooProductView
	admin.do("GET", "/api/v1/products/305", nil, &socks)
	if socks.StockManaged || socks.Stock != nil || socks.InStock || len(socks.Variants) != 0 {
		t.Errorf("unmanaged product out of stock %s", show(socks))
	}
	var list struct {
		Products []wooProductView `json:"products"`
	}
	admin.do("GET", "/api/v1/products?shop_id="+sh.ID, nil, &list)
	found := false
	for _, lp := range list.Products {
		if lp.ID == "310" {
			found = show(lp.Variants) == show(want)
		}
	}
	if !found {
		t.Errorf("the listing lacks the variants: %s", show(list.Products))
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
