package shopifytest

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Shop is what the shop query answers.
type Shop struct {
	Name            string
	Currency        string // ISO 4217
	Domain          string // primary domain host
	MyshopifyDomain string
	Timezone        string // IANA
}

// Product is a product of the fake catalogue, with Admin GraphQL values:
// numeric ids (the fake renders gids), Status as the enum ("ACTIVE"),
// prices as decimal strings.
type Product struct {
	ID              string
	Handle          string
	Title           string
	DescriptionHTML string
	Vendor          string
	ProductType     string
	Tags            []string
	Status          string
	OnlineStoreURL  string
	ImageURL        string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Variants        []Variant
	Collections     []string // titles
}

// Variant is a product variant of the fake catalogue.
type Variant struct {
	ID                string
	SKU               string
	Title             string
	Price             string
	CompareAtPrice    string // "" renders null
	InventoryQuantity int64
	InventoryItemID   string
}

// Subscription is a webhook subscription held by the fake.
type Subscription struct {
	ID     string // gid
	Topic  string // GraphQL enum, e.g. "ORDERS_CREATE"
	URI    string
	Format string
}

// Discount is a discount code created through discountCodeBasicCreate.
type Discount struct {
	ID    string // gid://shopify/DiscountCodeNode/…
	Code  string
	Title string
	// Input is the DiscountCodeBasicInput as received (numbers as
	// json.Number), for assertions on the exact request.
	Input map[string]any
}

// SeedBase is the id of the first seeded product: 2^53 + 1, the smallest
// integer a float64 cannot hold, so a client that decodes ids through
// float64 gets them wrong.
const SeedBase int64 = 1<<53 + 1

// SeedProducts adds n generated products and returns their numeric ids in
// order. Product i (from 0, counting all seeded so far) has id SeedBase+2i,
// title "Product i", two variants priced 19.99 (compare at 29.99) and
// 24.50, 5 and 7 in stock, inventory item ids "5"+variant id, and the
// collection "Seeded".
func (s *Server) SeedProducts(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, n)
	start := len(s.products)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := start; i < start+n; i++ {
		id := strconv.FormatInt(SeedBase+int64(2*i), 10)
		v1 := strconv.FormatInt(SeedBase+int64(1_000_000+2*i), 10)
		v2 := strconv.FormatInt(SeedBase+int64(1_000_001+2*i), 10)
		s.products = append(s.products, Product{
			ID:              id,
			Handle:          fmt.Sprintf("product-%d", i),
			Title:           fmt.Sprintf("Product %d", i),
			DescriptionHTML: fmt.Sprintf("<p>Seeded <b>product</b> %d</p>", i),
			Vendor:          "Acme",
			ProductType:     "Shirts",
			Tags:            []string{"seed"},
			Status:          "ACTIVE",
			OnlineStoreURL:  fmt.Sprintf("https://shop.example.com/products/product-%d", i),
			ImageURL:        fmt.Sprintf("https://cdn.example.com/p%d.jpg", i),
			CreatedAt:       at,
			UpdatedAt:       at.Add(time.Duration(i) * time.Minute),
			Variants: []Variant{
				{ID: v1, SKU: fmt.Sprintf("SKU-%d-S", i), Title: "Small", Price: "19.99", CompareAtPrice: "29.99", InventoryQuantity: 5, InventoryItemID: "5" + v1},
				{ID: v2, SKU: fmt.Sprintf("SKU-%d-M", i), Title: "Medium", Price: "24.50", InventoryQuantity: 7, InventoryItemID: "5" + v2},
			},
			Collections: []string{"Seeded"},
		})
		ids = append(ids, id)
	}
	sortProducts(s.products)
	return ids
}

// sortProducts orders by numeric id, as products(sortKey: ID) does.
func sortProducts(ps []Product) {
	sort.SliceStable(ps, func(i, j int) bool { return idLess(ps[i].ID, ps[j].ID) })
}

// idLess compares decimal ids without converting them to numbers.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func gid(kind string, id any) string { return fmt.Sprintf("gid://shopify/%s/%v", kind, id) }

// nullable renders "" as JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// node renders p as the client's products query selects it.
func (p Product) node() map[string]any {
	var total int64
	variants := make([]any, 0, len(p.Variants))
	for _, v := range p.Variants {
		total += v.InventoryQuantity
		var item any
		if v.InventoryItemID != "" {
			item = map[string]any{"id": gid("InventoryItem", v.InventoryItemID)}
		}
		variants = append(variants, map[string]any{
			"id": gid("ProductVariant", v.ID), "sku": nullable(v.SKU), "title": v.Title, "price": v.Price,
			"compareAtPrice": nullable(v.CompareAtPrice), "inventoryQuantity": v.InventoryQuantity, "inventoryItem": item,
		})
	}
	cols := make([]any, 0, len(p.Collections))
	for _, c := range p.Collections {
		cols = append(cols, map[string]any{"title": c, "handle": c})
	}
	var img any
	if p.ImageURL != "" {
		img = map[string]any{"url": p.ImageURL}
	}
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"id": gid("Product", p.ID), "handle": p.Handle, "title": p.Title, "descriptionHtml": p.DescriptionHTML,
		"vendor": p.Vendor, "productType": p.ProductType, "tags": tags, "status": p.Status,
		"onlineStoreUrl": nullable(p.OnlineStoreURL), "featuredImage": img,
		"createdAt": p.CreatedAt.UTC().Format(time.RFC3339), "updatedAt": p.UpdatedAt.UTC().Format(time.RFC3339),
		"totalInventory": total,
		"variants":       map[string]any{"nodes": variants},
		"collections":    map[string]any{"nodes": cols},
	}
}
