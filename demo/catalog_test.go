package demo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func TestCatalogShape(t *testing.T) {
	ps := Catalog("ws_a", "shop_a", "EUR", "https://shop.example/", testNow)
	if len(ps) < 240 {
		t.Fatalf("catalogue has %d products, want at least 240", len(ps))
	}
	handleRe := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ids, handles, titles := map[string]bool{}, map[string]bool{}, map[string]bool{}
	perCat := map[string]int{}
	var sale, soldOut, featured int
	for _, p := range ps {
		if ids[p.ID] || handles[p.Handle] || titles[p.Title] {
			t.Fatalf("duplicate id, handle or title: %s %s %q", p.ID, p.Handle, p.Title)
		}
		ids[p.ID], handles[p.Handle], titles[p.Title] = true, true, true
		perCat[p.Category]++
		if !handleRe.MatchString(p.Handle) {
			t.Errorf("%s: handle %q is not a URL slug", p.ID, p.Handle)
		}
		if !validProductID(p.ID) {
			t.Errorf("%s: id would not survive the cart cookie", p.ID)
		}
		if p.WorkspaceID != "ws_a" || p.ShopID != "shop_a" || p.Currency != "EUR" || p.Status != "active" {
			t.Errorf("%s: identity fields %+v", p.ID, p)
		}
		if p.URL != "https://shop.example/demo/p/"+p.Handle || p.ImageURL != "https://shop.example/demo/img/"+p.ID+".svg" {
			t.Errorf("%s: url %q image %q", p.ID, p.URL, p.ImageURL)
		}
		if p.PriceMinor <= 0 || p.PriceMinor%100 != 90 || p.PriceMinor > 100000 {
			t.Errorf("%s: price %d is not a plausible shelf price", p.ID, p.PriceMinor)
		}
		if p.CompareMinor != 0 {
			sale++
			if p.CompareMinor <= p.PriceMinor {
				t.Errorf("%s: compare-at %d not above price %d", p.ID, p.CompareMinor, p.PriceMinor)
			}
		}
		if p.Stock == 0 {
			soldOut++
		}
		if strings.Contains(strings.Join(p.Tags, ","), tagFeatured) {
			featured++
		}
		if p.Title == "" || p.Vendor == "" || len(p.Description) < 40 || len(p.Tags) < 2 {
			t.Errorf("%s: thin product %+v", p.ID, p)
		}
		if p.CreatedAt.After(testNow) || p.CreatedAt.Before(testNow.Add(-newArrivalWindow)) {
			t.Errorf("%s: created %v outside the last 180 days", p.ID, p.CreatedAt)
		}
	}
	if len(perCat) < 8 {
		t.Errorf("%d categories, want at least 8", len(perCat))
	}
	for c, n := range perCat {
		if n < 20 {
			t.Errorf("category %s has only %d products", c, n)
		}
	}
	if sale < 10 || soldOut < 3 || featured < 8 {
		t.Errorf("sale %d, sold out %d, featured %d: want some of each", sale, soldOut, featured)
	}
}

func TestCatalogIsDeterministic(t *testing.T) {
	a := Catalog("ws", "shop", "EUR", "http://localhost:8080", testNow)
	b := Catalog("ws", "shop", "EUR", "http://localhost:8080", testNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two calls with the same arguments gave different catalogues")
	}
	// Ids and handles must not depend on the clock or the URL, or a restart
	// would load a second catalogue beside the first.
	c := Catalog("ws", "shop", "EUR", "https://other.example", testNow.Add(72*time.Hour))
	for i := range a {
		if a[i].ID != c[i].ID || a[i].Handle != c[i].Handle || a[i].PriceMinor != c[i].PriceMinor {
			t.Fatalf("product %d differs across start times: %s/%s vs %s/%s", i, a[i].ID, a[i].Handle, c[i].ID, c[i].Handle)
		}
	}
}

func TestCatalogReplenishment(t *testing.T) {
	ps := Catalog("ws", "shop", "EUR", "http://localhost", testNow)
	byCat := map[string][2]int{} // with, without replenish days
	for _, p := range ps {
		n := byCat[p.Category]
		if p.ReplenishDays > 0 {
			n[0]++
		} else {
			n[1]++
		}
		byCat[p.Category] = n
		food := strings.Contains(strings.Join(p.Tags, ","), "pet-food")
		if p.Category == "Pets" && food != (p.ReplenishDays > 0) {
			t.Errorf("%s %q: pet food must have replenish days and nothing else: %d", p.ID, p.Title, p.ReplenishDays)
		}
	}
	for _, c := range []string{"Coffee", "Tea", "Beauty", "Pets"} {
		if byCat[c][0] == 0 {
			t.Errorf("no %s product has replenish days", c)
		}
	}
	for _, c := range []string{"Apparel", "Footwear", "Books"} {
		if byCat[c][0] != 0 {
			t.Errorf("%d durable %s products have replenish days", byCat[c][0], c)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Chef's Knife 20 cm – Walnut Handle": "chefs-knife-20-cm-walnut-handle",
		"Costa Rica Tarrazú Whole Bean 1 kg": "costa-rica-tarrazu-whole-bean-1-kg",
		"Paper Filters ×100":                 "paper-filters-x100",
		"  Small Spaces, Big Ideas!  ":       "small-spaces-big-ideas",
	} {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProductSVG(t *testing.T) {
	ps := Catalog("ws", "shop", "EUR", "http://localhost", testNow)
	seen := map[string]bool{}
	for _, p := range ps {
		svg := ProductSVG(p)
		if !bytes.Equal(svg, ProductSVG(p)) {
			t.Fatalf("%s: image is not deterministic", p.ID)
		}
		seen[string(svg)] = true
		var root struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
			Width   string `xml:"width,attr"`
		}
		if err := xml.Unmarshal(svg, &root); err != nil {
			t.Fatalf("%s: %v\n%s", p.ID, err, svg)
		}
		if root.XMLName.Local != "svg" || root.ViewBox != "0 0 400 400" || root.Width != "400" {
			t.Fatalf("%s: root %+v", p.ID, root)
		}
		// Every token must decode, not just the root.
		d := xml.NewDecoder(bytes.NewReader(svg))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p.ID, err)
			}
		}
		s := string(svg)
		if strings.Contains(s, "href") || strings.Count(s, "http") != 1 || strings.Contains(s, "<script") {
			t.Fatalf("%s: image refers to something external: %s", p.ID, s)
		}
	}
	if len(seen) != len(ps) {
		t.Errorf("%d distinct images for %d products", len(seen), len(ps))
	}
}

func TestProductSVGEscapesTitle(t *testing.T) {
	p := Catalog("ws", "shop", "EUR", "http://localhost", testNow)[0]
	p.Title = `Salt & Pepper <Mill> "Deluxe"`
	if err := xml.Unmarshal(ProductSVG(p), new(struct{})); err != nil {
		t.Fatalf("title with markup characters broke the SVG: %v", err)
	}
}
