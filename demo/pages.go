package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// shelfSize is the number of products in a home-page or "more like this" row.
const shelfSize = 8

type homeData struct {
	Featured    []commerce.Product
	Bestsellers []commerce.Product
	NewArrivals []commerce.Product
}

// home shows the hero, the categories and three shelves.
func (s *Storefront) home(w http.ResponseWriter, r *http.Request) {
	ctx, ws := r.Context(), s.site.Workspace.ID
	v, err := s.newView(r, "Home", tracker.PageContext{Page: "home"})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var d homeData
	if d.Featured, err = s.featured(ctx); err != nil {
		s.internal(w, r, err)
		return
	}
	if d.NewArrivals, _, err = s.st.Products(ctx, ws, store.ProductFilter{Sort: "newest", Limit: shelfSize}); err != nil {
		s.internal(w, r, err)
		return
	}
	// Before the first sale there are no bestsellers; the template then
	// leaves the shelf out rather than repeat the featured one.
	if d.Bestsellers, err = s.bestsellers(ctx); err != nil {
		s.internal(w, r, err)
		return
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "home", v)
}

// featured returns in-stock products tagged featured. The store's search
// also matches titles, so the tag is checked here.
func (s *Storefront) featured(ctx context.Context) ([]commerce.Product, error) {
	ps, _, err := s.st.Products(ctx, s.site.Workspace.ID, store.ProductFilter{Query: tagFeatured, Limit: 100})
	if err != nil {
		return nil, fmt.Errorf("featured products: %w", err)
	}
	out := []commerce.Product{}
	for _, p := range ps {
		if slices.Contains(p.Tags, tagFeatured) && p.InStock() && len(out) < shelfSize {
			out = append(out, p)
		}
	}
	return out, nil
}

// bestsellerWindow is how many recent orders the bestseller shelf counts.
const bestsellerWindow = 500

// bestsellers ranks products by units sold in the shop's recent orders.
func (s *Storefront) bestsellers(ctx context.Context) ([]commerce.Product, error) {
	ws := s.site.Workspace.ID
	orders, err := s.st.Orders(ctx, ws, store.OrderFilter{ShopID: s.site.Shop.ID, Limit: bestsellerWindow})
	if err != nil {
		return nil, fmt.Errorf("bestsellers: %w", err)
	}
	units := map[string]int64{}
	for _, o := range orders {
		if !o.CancelledAt.IsZero() {
			continue
		}
		for _, it := range o.Items {
			units[it.ProductID] += it.Quantity
		}
	}
	ids := make([]string, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := cmp.Compare(units[b], units[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := []commerce.Product{}
	for _, id := range ids {
		if len(out) == shelfSize {
			break
		}
		p, err := s.st.Product(ctx, ws, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bestsellers: %w", err)
		}
		if p.InStock() {
			out = append(out, p)
		}
	}
	return out, nil
}

type listingData struct {
	Heading  string
	Category string
	Query    string
	Sort     string
	Sorts    []sortLink
	Products []commerce.Product
	Total    int
	Pager    pager
}

type sortLink struct {
	Label, URL string
	Current    bool
}

// sortLabels are the listing orders a shopper can pick; "" is the store's
// default, alphabetical.
func sortLabels() [][2]string {
	return [][2]string{{"", "A–Z"}, {"newest", "Newest"}, {"price_asc", "Price: low to high"}, {"price_desc", "Price: high to low"}}
}

func validSort(v string) bool {
	for _, s := range sortLabels() {
		if s[0] == v {
			return true
		}
	}
	return false
}

// category lists one category, paged and sorted.
func (s *Storefront) category(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	page, ok := parsePage(r)
	sort := r.URL.Query().Get("sort")
	if !ok || !validSort(sort) {
		s.fail(w, r, http.StatusBadRequest, "That page or sort order does not exist.")
		return
	}
	cats, err := s.st.Categories(r.Context(), s.site.Workspace.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	name := ""
	for _, c := range cats {
		if slugify(c.Name) == slug {
			name = c.Name
		}
	}
	if name == "" {
		s.fail(w, r, http.StatusNotFound, "We could not find that category.")
		return
	}
	ps, total, err := s.st.Products(r.Context(), s.site.Workspace.ID, store.ProductFilter{Category: name, Sort: sort,
		Limit: pageSize, Offset: (page - 1) * pageSize})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(ps) == 0 && page > 1 {
		s.fail(w, r, http.StatusNotFound, "That page is past the end of the list.")
		return
	}
	v, err := s.newView(r, name, tracker.PageContext{Page: "category", Category: name})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.CurrentCategory = name
	link := func(sort string, page int) string {
		q := url.Values{}
		if sort != "" {
			q.Set("sort", sort)
		}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		u := s.base + "/c/" + slug
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		return u
	}
	d := listingData{Heading: name, Category: name, Sort: sort, Products: ps, Total: total,
		Pager: newPager(page, total, func(p int) string { return link(sort, p) })}
	for _, sl := range sortLabels() {
		d.Sorts = append(d.Sorts, sortLink{Label: sl[1], URL: link(sl[0], 1), Current: sl[0] == sort})
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "category", v)
}

// search lists the products matching ?q=.
func (s *Storefront) search(w http.ResponseWriter, r *http.Request) {
	q := clampQuery(r.URL.Query().Get("q"))
	page, ok := parsePage(r)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "That page does not exist.")
		return
	}
	var ps []commerce.Product
	total := 0
	if q != "" {
		var err error
		ps, total, err = s.st.Products(r.Context(), s.site.Workspace.ID, store.ProductFilter{Query: q, Limit: pageSize,
			Offset: (page - 1) * pageSize})
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if len(ps) == 0 && page > 1 {
			s.fail(w, r, http.StatusNotFound, "That page is past the end of the results.")
			return
		}
	}
	v, err := s.newView(r, "Search", tracker.PageContext{Page: "search", Query: q})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Query = q
	v.Data = listingData{Heading: "Search", Query: q, Products: ps, Total: total,
		Pager: newPager(page, total, func(p int) string {
			return s.base + "/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(p)}}.Encode()
		})}
	s.render(w, r, http.StatusOK, "search", v)
}

type productData struct {
	Product commerce.Product
	More    []commerce.Product
}

// product shows one product with its add-to-cart form.
func (s *Storefront) product(w http.ResponseWriter, r *http.Request) {
	ctx, ws := r.Context(), s.site.Workspace.ID
	p, err := s.st.ProductByHandle(ctx, ws, s.site.Shop.ID, r.PathValue("handle"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Status != "active") {
		s.fail(w, r, http.StatusNotFound, "We could not find that product. It may have been removed from the shop.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	more, _, err := s.st.Products(ctx, ws, store.ProductFilter{Category: p.Category, Sort: "newest", Limit: shelfSize + 1})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	more = slices.DeleteFunc(more, func(o commerce.Product) bool { return o.ID == p.ID })
	v, err := s.newView(r, p.Title, tracker.PageContext{Page: "product", Category: p.Category,
		Product: &tracker.ContextProduct{ID: p.ID, Title: p.Title, Category: p.Category, PriceMinor: p.PriceMinor,
			Currency: p.Currency, URL: p.URL, ImageURL: p.ImageURL}})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Data = productData{Product: p, More: more[:min(len(more), shelfSize)]}
	s.render(w, r, http.StatusOK, "product", v)
}
