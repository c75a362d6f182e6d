package demo

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// view is what the layout renders around every page.
type view struct {
	Title    string
	Base     string
	ShopName string
	// Head is the tracker tag and the page's context block.
	Head            template.HTML
	Categories      []categoryLink
	CurrentCategory string
	CartCount       int64
	Query           string
	Notice          string
	// FreeShipping is the order value above which shipping is free.
	FreeShipping string
	Data         any
	// cart is the resolved cart behind CartCount, kept for handlers that
	// show or change it.
	cart cartView
}

type categoryLink struct {
	Name  string
	Count int
}

// notices are the messages a redirect can ask the next page to show; only
// these keys are honoured, so a link cannot put arbitrary text on the page.
func notice(key string) string {
	switch key {
	case "subscribed":
		return "Thanks for subscribing! Our next letter is on its way to your inbox."
	}
	return ""
}

// newView loads what every page shows: the category nav and the cart count.
func (s *Storefront) newView(r *http.Request, title string, pc tracker.PageContext) (*view, error) {
	cats, err := s.st.Categories(r.Context(), s.site.Workspace.ID)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	links := make([]categoryLink, len(cats))
	for i, c := range cats {
		links[i] = categoryLink{Name: c.Name, Count: c.Count}
	}
	c, err := s.loadCart(r)
	if err != nil {
		return nil, err
	}
	return &view{
		Title:        title,
		Base:         s.base,
		ShopName:     s.site.Shop.Name,
		Head:         tracker.Tag(s.publicURL, s.site.Workspace.SiteKey) + tracker.ContextBlock(pc) + pushPrompt(s.publicURL),
		Categories:   links,
		CartCount:    c.Count,
		cart:         c,
		Notice:       notice(r.URL.Query().Get("notice")),
		FreeShipping: commerce.FormatMoney(freeShippingOver, s.site.Workspace.Currency),
	}, nil
}

func pageOther() tracker.PageContext { return tracker.PageContext{Page: "other"} }

// pageSize is the number of products on a listing page: divisible by 2, 3
// and 4 so the grid's last row is full at every breakpoint.
const pageSize = 24

// parsePage reads ?page=, which must be a positive integer when present.
func parsePage(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, false
	}
	return n, true
}

// pager is the previous/next navigation of a listing.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

// newPager links the neighbours of page; link builds a page's URL.
func newPager(page, total int, link func(page int) string) pager {
	p := pager{Page: page, Pages: max(1, (total+pageSize-1)/pageSize)}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// clampQuery bounds a search query; nobody types 100 characters into a
// shop's search box, and the store matches it with LIKE.
func clampQuery(q string) string {
	q = strings.TrimSpace(q)
	if r := []rune(q); len(r) > 100 {
		q = string(r[:100])
	}
	return q
}

// pushPrompt is the soft web push prompt's tag, as a shop would add it
// after the tracker's: the demo is served from Cartwheel's own origin, so
// the service worker at /sw.js is the shop's too.
func pushPrompt(publicURL string) template.HTML {
	return template.HTML(`<script async src="` + html.EscapeString(strings.TrimRight(publicURL, "/")) +
		`/push-prompt.js" data-sw="/sw.js" data-delay="8000"></script>`)
}
