package demo

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// pageContext extracts and decodes the page's tracker context block.
func pageContext(t *testing.T, body string) tracker.PageContext {
	t.Helper()
	const open = `<script type="application/json" data-cartwheel-context>`
	i := strings.Index(body, open)
	if i < 0 {
		t.Fatalf("no context block in page:\n%.500s", body)
	}
	rest := body[i+len(open):]
	j := strings.Index(rest, "</script>")
	var pc tracker.PageContext
	if err := json.Unmarshal([]byte(rest[:j]), &pc); err != nil {
		t.Fatalf("context block %q: %v", rest[:j], err)
	}
	return pc
}

var (
	scriptRe  = regexp.MustCompile(`<script[^>]*>`)
	handlerRe = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleRe   = regexp.MustCompile(`(?i)\sstyle\s*=|<style`)
)

// checkPage asserts what every page must carry: the tracker tag once, the
// context block, no other inline script or inline handler (so it works
// under a strict CSP) and the newsletter form.
func checkPage(t *testing.T, shop *testShop, what string, r response) tracker.PageContext {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: content type %q", what, ct)
	}
	tag := string(tracker.Tag(shop.url, shop.site.Workspace.SiteKey))
	if strings.Count(r.body, tag) != 1 {
		t.Errorf("%s: tracker tag missing or repeated", what)
	}
	if head := r.body[:max(0, strings.Index(r.body, "</head>"))]; !strings.Contains(head, tag) || !strings.Contains(head, "data-cartwheel-context") {
		t.Errorf("%s: tracker tag and context block must be in <head>", what)
	}
	// The tag's stub, the tag's async script, the JSON block, and the soft
	// push prompt (async, after the tracker).
	if n := len(scriptRe.FindAllString(r.body, -1)); n != 4 || !strings.Contains(r.body, `/push-prompt.js" data-sw="/sw.js"`) {
		t.Errorf("%s: %d <script> tags, want 4 with the push prompt: %v", what, n, scriptRe.FindAllString(r.body, -1))
	}
	if m := handlerRe.FindString(r.body); m != "" {
		t.Errorf("%s: inline event handler %q", what, m)
	}
	if m := styleRe.FindString(r.body); m != "" {
		t.Errorf("%s: inline style %q", what, m)
	}
	if !strings.Contains(r.body, `<form class="newsletter" method="post" action="/demo/newsletter" data-cartwheel-newsletter>`) ||
		!strings.Contains(r.body, `<input id="newsletter-email" type="email" name="email"`) ||
		!strings.Contains(r.body, `<label for="newsletter-email">`) {
		t.Errorf("%s: newsletter form missing", what)
	}
	return pageContext(t, r.body)
}

func TestEveryPageKindRenders(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("v_pages")
	ctx, ws := t.Context(), shop.site.Workspace.ID
	p, err := shop.st.Product(ctx, ws, "demo-p-001")
	if err != nil {
		t.Fatal(err)
	}

	home := b.get("/demo/")
	wantStatus(t, "home", home, http.StatusOK)
	if pc := checkPage(t, shop, "home", home); pc.Page != "home" {
		t.Errorf("home context %+v", pc)
	}
	for _, want := range []string{`<div data-cartwheel-frame="home-recommendations"></div>`, "Featured", "New arrivals",
		`href="/demo/c/coffee"`, `width="400" height="400"`} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(home.body, "Bestsellers") {
		t.Error("home shows a bestseller shelf before anything sold")
	}

	cat := b.get("/demo/c/coffee")
	wantStatus(t, "category", cat, http.StatusOK)
	if pc := checkPage(t, shop, "category", cat); pc.Page != "category" || pc.Category != "Coffee" {
		t.Errorf("category context %+v", pc)
	}

	prod := b.get("/demo/p/" + p.Handle)
	wantStatus(t, "product", prod, http.StatusOK)
	pc := checkPage(t, shop, "product", prod)
	if pc.Page != "product" || pc.Product == nil || pc.Product.ID != p.ID || pc.Product.PriceMinor != p.PriceMinor ||
		pc.Product.Currency != "EUR" || pc.Product.URL != p.URL || pc.Product.ImageURL != p.ImageURL || pc.Category != p.Category {
		t.Errorf("product context %+v (product %+v)", pc, pc.Product)
	}
	for _, want := range []string{
		`<form class="add-to-cart" method="post" action="/demo/cart/add" data-cartwheel-add-to-cart data-product-id="` + p.ID + `">`,
		`<div data-cartwheel-frame="product-recommendations"></div>`, "More from Coffee", "In stock",
		`alt="` + strings.ReplaceAll(p.Title, "&", "&amp;") + `"`,
	} {
		if !strings.Contains(prod.body, want) {
			t.Errorf("product page lacks %q", want)
		}
	}

	search := b.get("/demo/search?q=merino")
	wantStatus(t, "search", search, http.StatusOK)
	if pc := checkPage(t, shop, "search", search); pc.Page != "search" || pc.Query != "merino" {
		t.Errorf("search context %+v", pc)
	}
	if !strings.Contains(search.body, "Merino Crew Socks") || !strings.Contains(search.body, `value="merino"`) {
		t.Error("search for merino does not list the merino socks")
	}
	emptySearch := b.get("/demo/search")
	wantStatus(t, "empty search", emptySearch, http.StatusOK)
	checkPage(t, shop, "empty search", emptySearch)

	cart := b.get("/demo/cart")
	wantStatus(t, "cart", cart, http.StatusOK)
	if pc := checkPage(t, shop, "cart", cart); pc.Page != "cart" {
		t.Errorf("cart context %+v", pc)
	}

	missing := b.get("/demo/p/no-such-thing")
	wantStatus(t, "unknown product", missing, http.StatusNotFound)
	if pc := checkPage(t, shop, "404", missing); pc.Page != "other" {
		t.Errorf("404 context %+v", pc)
	}
	// Checkout and thank-you pages are checked in the checkout flow test.
}

func TestSoldOutProductHasNoCartForm(t *testing.T) {
	shop := newTestShop(t)
	var soldOut string
	for _, p := range Catalog("", "", "", "", testNow) {
		if p.Stock == 0 {
			soldOut = p.Handle
			break
		}
	}
	r := shop.shopper("").get("/demo/p/" + soldOut)
	wantStatus(t, "sold-out product", r, http.StatusOK)
	if strings.Contains(r.body, "data-cartwheel-add-to-cart") || !strings.Contains(r.body, "Sold out") {
		t.Error("a sold-out product offers add to cart")
	}
}

func TestCategoryPagingAndSorting(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	cards := regexp.MustCompile(`<a class="card-link" href="/demo/p/([a-z0-9-]+)">`)
	prices := regexp.MustCompile(`<span class="card-price">(?:<del>.*?</del> <ins><span class="visually-hidden">now </span>)?€([0-9]+)\.([0-9]{2})`)

	first := b.get("/demo/c/coffee")
	wantStatus(t, "page 1", first, http.StatusOK)
	second := b.get("/demo/c/coffee?page=2")
	wantStatus(t, "page 2", second, http.StatusOK)
	p1, p2 := cards.FindAllStringSubmatch(first.body, -1), cards.FindAllStringSubmatch(second.body, -1)
	if len(p1) != pageSize || len(p2) != perCategory-pageSize {
		t.Fatalf("page sizes %d and %d, want %d and %d", len(p1), len(p2), pageSize, perCategory-pageSize)
	}
	if p1[0][1] == p2[0][1] {
		t.Error("page 2 starts with page 1's first product")
	}
	if !strings.Contains(first.body, `href="/demo/c/coffee?page=2" rel="next"`) {
		t.Error("page 1 does not link to page 2")
	}

	for _, sort := range []string{"price_asc", "price_desc"} {
		r := b.get("/demo/c/tea?sort=" + sort)
		wantStatus(t, sort, r, http.StatusOK)
		var got []int
		for _, m := range prices.FindAllStringSubmatch(r.body, -1) {
			euros, _ := strconv.Atoi(m[1])
			cents, _ := strconv.Atoi(m[2])
			got = append(got, euros*100+cents)
		}
		if len(got) < 10 {
			t.Fatalf("%s: found %d prices", sort, len(got))
		}
		for i := 1; i < len(got); i++ {
			if (sort == "price_asc" && got[i] < got[i-1]) || (sort == "price_desc" && got[i] > got[i-1]) {
				t.Fatalf("%s: prices out of order: %v", sort, got)
			}
		}
	}
	newest := b.get("/demo/c/books?sort=newest")
	wantStatus(t, "newest", newest, http.StatusOK)
	top := cards.FindStringSubmatch(newest.body)[1]
	ps, _, err := shop.st.Products(t.Context(), shop.site.Workspace.ID, store.ProductFilter{Category: "Books", Sort: "newest", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if top != ps[0].Handle {
		t.Errorf("newest first shows %s, want %s", top, ps[0].Handle)
	}

	for path, status := range map[string]int{
		"/demo/c/coffee?page=abc":    http.StatusBadRequest,
		"/demo/c/coffee?page=0":      http.StatusBadRequest,
		"/demo/c/coffee?sort=random": http.StatusBadRequest,
		"/demo/c/coffee?page=9":      http.StatusNotFound,
		"/demo/c/jewellery":          http.StatusNotFound,
		"/demo/search?q=x&page=-1":   http.StatusBadRequest,
	} {
		wantStatus(t, path, b.get(path), status)
	}
}

func TestAssets(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	img := b.get("/demo/img/demo-p-001.svg")
	wantStatus(t, "image", img, http.StatusOK)
	if img.header.Get("Content-Type") != "image/svg+xml" || img.header.Get("ETag") == "" ||
		!strings.Contains(img.header.Get("Cache-Control"), "max-age") || !strings.HasPrefix(img.body, "<svg") {
		t.Errorf("image response %v %.80s", img.header, img.body)
	}
	req, _ := http.NewRequest(http.MethodGet, shop.url+"/demo/img/demo-p-001.svg", nil)
	req.Header.Set("If-None-Match", img.header.Get("ETag"))
	wantStatus(t, "revalidated image", b.do(req), http.StatusNotModified)
	wantStatus(t, "unknown image", b.get("/demo/img/demo-p-999.svg"), http.StatusNotFound)
	wantStatus(t, "not an svg", b.get("/demo/img/demo-p-001.png"), http.StatusNotFound)

	css := b.get("/demo/static/style.css")
	wantStatus(t, "css", css, http.StatusOK)
	if !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, ":focus-visible") ||
		!strings.Contains(css.body, "[data-cartwheel-frame]:empty") {
		t.Error("stylesheet missing or lacks focus and empty-frame rules")
	}
	if strings.Contains(css.body, "url(") || strings.Contains(css.body, "@import") {
		t.Error("stylesheet loads something from the network")
	}
}

func TestRoutingErrors(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	r := b.post("/demo/", url.Values{})
	wantStatus(t, "POST home", r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "GET, HEAD" || !strings.Contains(r.body, "<html") {
		t.Errorf("405: Allow %q, body %.100s", r.header.Get("Allow"), r.body)
	}
	r = b.get("/demo/cart/add")
	wantStatus(t, "GET add", r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	req, _ := http.NewRequest(http.MethodDelete, shop.url+"/demo/checkout", nil)
	wantStatus(t, "DELETE checkout", b.do(req), http.StatusMethodNotAllowed)
	r = b.get("/demo/nowhere/at/all")
	wantStatus(t, "unknown path", r, http.StatusNotFound)
	if !strings.Contains(r.body, "We could not find that page.") {
		t.Error("404 is not the shop's page")
	}
	wantStatus(t, "bare /demo", b.get("/demo"), http.StatusMovedPermanently)
}
