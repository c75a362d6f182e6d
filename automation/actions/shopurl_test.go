package actions

import (
	"testing"

	"github.com/cartwheelhq/cartwheel/store"
)

// Shop links keep the shop's own scheme: a shop on plain http (the demo on
// localhost) must not get https links that lead nowhere.
func TestShopURLKeepsTheShopsScheme(t *testing.T) {
	for _, c := range []struct {
		shop    store.Shop
		origins []string
		want    string
	}{
		{store.Shop{Domain: "shop.example"}, nil, "https://shop.example"},
		{store.Shop{Domain: "http://localhost:8080/"}, nil, "http://localhost:8080"},
		{store.Shop{Domain: "localhost:8080"}, []string{"http://localhost:8080"}, "http://localhost:8080"},
		{store.Shop{Domain: "localhost:8080"}, []string{"https://other.example", "http://LOCALHOST:8080"}, "http://localhost:8080"},
		{store.Shop{Domain: "wp.example", APIURL: "http://wp.example/wp-json"}, nil, "http://wp.example"},
		{store.Shop{Domain: "wp.example", APIURL: "http://api.other.example"}, []string{"http://elsewhere.example"}, "https://wp.example"},
		{store.Shop{Domain: ""}, nil, ""},
	} {
		if got := shopURL(c.shop, c.origins); got != c.want {
			t.Errorf("shopURL(%+v, %v) = %q, want %q", c.shop, c.origins, got, c.want)
		}
	}
}
