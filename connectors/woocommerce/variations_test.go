package woocommerce_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

func plSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A catalogue pass brings a variable product's variations with it, as
// webhooks would: the product lists only their ids.
func TestListProductsBringsVariations(t *testing.T) {
	store := wootest.NewServer(t)
	store.SetCurrency("PLN")
	store.SeedProducts(2)
	// Older WooCommerce versions serve variations without name, type and
	// parent_id: the parent's title and the option make the title.
	var l map[string]any
	if err := json.Unmarshal(plSample(t, "pl_variation_l.json"), &l); err != nil {
		t.Fatal(err)
	}
	delete(l, "name")
	delete(l, "type")
	delete(l, "parent_id")
	old, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	store.AddVariableProduct(plSample(t, "pl_product_variable.json"), plSample(t, "pl_variation_s.json"),
		plSample(t, "pl_variation_m.json"), old)
	c, _ := newClient(store, woocommerce.WithCurrency("PLN"))
	page, err := c.List(context.Background(), woocommerce.ResourceProducts, time.Time{}, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range page.Changes {
		s := string(ch.Kind) + ":" + ch.ExternalID
		if ch.Kind == commerce.ChangeVariant {
			v := ch.Product.Variants[0]
			s += "/" + v.ID + "/" + v.Title
			if !v.StockUntracked {
				s += "/" + strconv.FormatInt(v.Stock, 10)
			}
		}
		got = append(got, s)
	}
	want := "product:101,product:102,product:310,variant:310/311/Bluza z kapturem - S,variant:310/312/Bluza z kapturem - M/3,variant:310/313/Bluza z kapturem - L"
	if strings.Join(got, ",") != want {
		t.Fatalf("changes\n got %s\nwant %s", strings.Join(got, ","), want)
	}
}
