package shopify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
)

func newTestClient(srv *shopifytest.Server, opts ...Option) *Client {
	base := []Option{WithBaseURL(srv.URL()), WithSleep(srv.Sleep)}
	return NewClient("test-shop.myshopify.com", srv.Token(), append(base, opts...)...)
}

// allProducts pages through the catalogue the way a sync does.
func allProducts(t *testing.T, c *Client) ([]commerce.Product, map[string]string, int) {
	t.Helper()
	var (
		out   []commerce.Product
		items = map[string]string{}
		after string
		pages int
	)
	for {
		page, err := c.Products(context.Background(), "USD", after, 50)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		out = append(out, page.Products...)
		for _, p := range page.Products {
			for _, v := range p.Variants {
				if v.InventoryItemID != "" {
					items[v.InventoryItemID] = v.ID
				}
			}
		}
		if !page.HasNext {
			return out, items, pages
		}
		after = page.EndCursor
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
	}
}

// exactlyOnce checks that got holds each id of want once, in order.
func exactlyOnce(t *testing.T, got []commerce.Product, want []string) {
	t.Helper()
	ids := make([]string, len(got))
	for i, p := range got {
		ids[i] = p.ID
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("products %v, want %v", ids, want)
	}
}

func TestProductsPaginationPacedByCost(t *testing.T) {
	srv := shopifytest.NewServer(t)
	want := srv.SeedProducts(10)
	srv.Throttle(100, 10) // a page of 4 costs 42: the third needs a refill
	c := newTestClient(srv)

	got, items, pages := allProducts(t, c)
	exactlyOnce(t, got, want)
	eq(t, "pages", pages, 3) // 4 + 4 + 2: first is clamped to MaxProductsPerPage
	eq(t, "requests", srv.Requests(), 3)
	if len(srv.Sleeps()) == 0 {
		t.Fatal("the client never paced itself on the cost bucket")
	}
	eq(t, "throttled answers", srv.ThrottledResponses(), 0)     // pacing made them unnecessary
	eq(t, "first wait", srv.Sleeps()[0], 2600*time.Millisecond) // (42 - 16) / 10 points per second
	ts := c.Throttle()
	eq(t, "Throttle().MaximumAvailable", ts.MaximumAvailable, 100.0)
	eq(t, "Throttle().RestoreRate", ts.RestoreRate, 10.0)
	eq(t, "Throttle().RequestedCost", ts.RequestedCost, 42.0)

	p := got[0]
	eq(t, "ID", p.ID, "9007199254740993") // 2^53+1 survives
	eq(t, "ExternalID", p.ExternalID, "9007199254740993")
	eq(t, "Handle", p.Handle, "product-0")
	eq(t, "Title", p.Title, "Product 0")
	eq(t, "Description", p.Description, "Seeded product 0")
	eq(t, "Vendor", p.Vendor, "Acme")
	eq(t, "Category", p.Category, "Shirts")
	eq(t, "Tags", p.Tags, []string{"seed"})
	eq(t, "Status", p.Status, "active")
	eq(t, "URL", p.URL, "https://shop.example.com/products/product-0")
	eq(t, "ImageURL", p.ImageURL, "https://cdn.example.com/p0.jpg")
	eq(t, "Currency", p.Currency, "USD")
	eq(t, "PriceMinor", p.PriceMinor, int64(1999))
	eq(t, "CompareMinor", p.CompareMinor, int64(2999))
	eq(t, "Stock", p.Stock, int64(12))
	eq(t, "Collections", p.Collections, []string{"Seeded"})
	eqTime(t, "UpdatedAt", p.UpdatedAt, "2026-01-02T03:04:05Z")
	v := p.Variants
	if len(v) != 2 {
		t.Fatalf("variants %+v", v)
	}
	eq(t, "variant 0", v[0], commerce.Variant{ID: "9007199255740993", SKU: "SKU-0-S", Title: "Small", PriceMinor: 1999, Stock: 5, InventoryItemID: "59007199255740993"})
	eq(t, "variant 1", v[1], commerce.Variant{ID: "9007199255740994", SKU: "SKU-0-M", Title: "Medium", PriceMinor: 2450, Stock: 7, InventoryItemID: "59007199255740994"})
	eq(t, "inventory items", len(items), 20)
	eq(t, "inventory item of variant 0", items["59007199255740993"], "9007199255740993")
}

func TestProductsThrottledThenRetried(t *testing.T) {
	srv := shopifytest.NewServer(t)
	want := srv.SeedProducts(3)
	srv.Throttle(100, 10)
	srv.SetAvailable(0) // drained by someone else: the client cannot know
	c := newTestClient(srv)

	got, _, _ := allProducts(t, c)
	exactlyOnce(t, got, want)
	eq(t, "throttled answers", srv.ThrottledResponses(), 1)
	eq(t, "requests", srv.Requests(), 2)
	eq(t, "sleeps", srv.Sleeps(), []time.Duration{4200 * time.Millisecond}) // a page of 4 costs 42 points, at 10/s
}

func TestProductsServerErrorRetried(t *testing.T) {
	srv := shopifytest.NewServer(t)
	want := srv.SeedProducts(9)
	srv.FailAfter(1) // page 2 answers 500 once
	c := newTestClient(srv)

	got, _, pages := allProducts(t, c)
	exactlyOnce(t, got, want)
	eq(t, "pages", pages, 3)
	eq(t, "requests", srv.Requests(), 4)
	eq(t, "sleeps", srv.Sleeps(), []time.Duration{500 * time.Millisecond})
}

func TestServerErrorsExhaustAttempts(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.RateLimit(100, "1")
	c := newTestClient(srv, WithMaxAttempts(3))
	_, err := c.ShopInfo(context.Background())
	if !errors.Is(err, ErrThrottled) {
		t.Fatalf("err = %v, want ErrThrottled", err)
	}
	eq(t, "requests", srv.Requests(), 3)
	eq(t, "sleeps", srv.Sleeps(), []time.Duration{time.Second, time.Second})
}

func TestRateLimitedRetryAfter(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.RateLimit(2, "2.0")
	c := newTestClient(srv)
	if _, err := c.ShopInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	eq(t, "sleeps", srv.Sleeps(), []time.Duration{2 * time.Second, 2 * time.Second})
	eq(t, "throttled answers", srv.ThrottledResponses(), 2)
}

func TestUnauthorized(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.SeedProducts(1)
	c := NewClient("test-shop.myshopify.com", "revoked", WithBaseURL(srv.URL()), WithSleep(srv.Sleep))
	_, err := c.Products(context.Background(), "USD", "", 4)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	eq(t, "requests", srv.Requests(), 1) // not retried
	if strings.Contains(err.Error(), "revoked") {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestGraphQLErrors(t *testing.T) {
	srv := shopifytest.NewServer(t)
	c := newTestClient(srv)
	err := c.Do(context.Background(), `query { nothingLikeThis { id } }`, nil, nil)
	var gerr *GraphQLError
	if !errors.As(err, &gerr) || gerr.Errors[0].Code != "UNSUPPORTED" {
		t.Fatalf("err = %v, want a GraphQLError", err)
	}
	// A query costing more than the bucket holds fails at once.
	srv.SeedProducts(1)
	srv.Throttle(30, 10)
	_, err = c.Products(context.Background(), "USD", "", 4)
	if !errors.As(err, &gerr) || gerr.Errors[0].Code != "MAX_COST_EXCEEDED" {
		t.Fatalf("err = %v, want MAX_COST_EXCEEDED", err)
	}
	eq(t, "requests", srv.Requests(), 2)
}

func TestContextCancelsWait(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.RateLimit(1, "30")
	c := NewClient("test-shop.myshopify.com", srv.Token(), WithBaseURL(srv.URL())) // real sleeps
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ShopInfo(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the wait ignored the context")
	}
}

func TestShopInfo(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.SetShop(shopifytest.Shop{Name: "Kenji's Mugs", Currency: "jpy", Domain: "Mugs.Example.JP", MyshopifyDomain: "kenji.myshopify.com", Timezone: "Asia/Tokyo"})
	info, err := newTestClient(srv).ShopInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ShopInfo", info, ShopInfo{Name: "Kenji's Mugs", Currency: "JPY", Domain: "mugs.example.jp", MyshopifyDomain: "kenji.myshopify.com", Timezone: "Asia/Tokyo"})
	if _, err := newTestClient(srv, WithAPIVersion("2025-10")).ShopInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	eq(t, "API versions", srv.APIVersions(), []string{DefaultAPIVersion, "2025-10"})
}

func TestExchangeToken(t *testing.T) {
	srv := shopifytest.NewServer(t)
	srv.SetToken("shpat_fresh")
	srv.SetOAuth("key1", "secret1", "code1", "read_orders,write_discounts")
	c := NewClient("test-shop.myshopify.com", "", WithBaseURL(srv.URL()))
	ctx := context.Background()

	if _, err := c.ExchangeToken(ctx, "key1", "wrong", "code1"); err == nil {
		t.Fatal("a wrong secret got a token")
	}
	tok, err := c.ExchangeToken(ctx, "key1", "secret1", "code1")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Token", tok, Token{AccessToken: "shpat_fresh", Scope: "read_orders,write_discounts"})
	eq(t, "Scopes", tok.Scopes(), []string{"read_orders", "write_discounts"})
	_, err = c.ExchangeToken(ctx, "key1", "secret1", "code1")
	var herr *HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != 400 {
		t.Fatalf("a reused code: err = %v, want HTTP 400", err)
	}
	if _, err := c.ExchangeToken(ctx, "key1", "secret1", ""); err == nil {
		t.Fatal("an empty code was sent")
	}

	// The token never shows in prints or logs.
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("installed", "token", tok)
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v", tok, tok), logs.String()} {
		if strings.Contains(s, "shpat_fresh") {
			t.Errorf("the access token leaks: %s", s)
		}
	}
}

func TestAuthorizeURL(t *testing.T) {
	got := AuthorizeURL("Cool.myshopify.com", "key1", DefaultScopes(), "https://cw.example/shopify/callback", "nonce 1")
	want := "https://cool.myshopify.com/admin/oauth/authorize?client_id=key1&redirect_uri=https%3A%2F%2Fcw.example%2Fshopify%2Fcallback" +
		"&scope=read_orders%2Cread_customers%2Cread_products%2Cread_inventory%2Cwrite_discounts&state=nonce+1"
	eq(t, "AuthorizeURL", got, want)
	if strings.Contains(got, "grant_options") {
		t.Error("asks for an online token")
	}
	for _, shop := range []string{"evil.com", "evil.com/x.myshopify.com", ""} {
		if got := AuthorizeURL(shop, "k", nil, "https://x", "s"); got != "" {
			t.Errorf("AuthorizeURL(%q) = %q, want empty", shop, got)
		}
	}
	s := DefaultScopes()
	s[0] = "changed"
	eq(t, "DefaultScopes is a fresh slice", DefaultScopes()[0], "read_orders")
}
