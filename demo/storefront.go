package demo

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/style.css
var styleCSS []byte

// Storefront serves the demo shop's pages under /demo/. It is safe for
// concurrent use.
type Storefront struct {
	st        *store.Store
	ing       *cdp.Ingest
	site      Site
	publicURL string
	// base prefixes every link: "/demo", or "/prefix/demo" when the public
	// URL has a path because a proxy mounts Cartwheel below the root.
	base   string
	secure bool
	log    *slog.Logger
	pages  map[string]*template.Template
	mux    *http.ServeMux
	cssTag string
	// placeMu serialises order placement, so that order numbers never
	// repeat and a double-clicked "Place order" makes one order.
	placeMu sync.Mutex
}

// NewStorefront returns the demo storefront selling site's catalogue.
// publicURL is how browsers reach this server. Requests arrive with their
// full path (/demo/...). It panics only if the embedded templates do not
// parse, which the package's tests rule out.
func NewStorefront(st *store.Store, ing *cdp.Ingest, site Site, publicURL string, log *slog.Logger) *Storefront {
	publicURL = strings.TrimRight(publicURL, "/")
	s := &Storefront{st: st, ing: ing, site: site, publicURL: publicURL, log: log}
	if u, err := url.Parse(publicURL); err == nil {
		s.base = strings.TrimRight(u.Path, "/") + "/demo"
		s.secure = u.Scheme == "https"
	} else {
		s.base = "/demo"
	}
	sum := sha256.Sum256(styleCSS)
	s.cssTag = `"` + hex.EncodeToString(sum[:8]) + `"`
	s.pages = parsePages(s.funcs())
	s.mux = s.routes()
	return s
}

func (s *Storefront) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /demo", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.base+"/", http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /demo/{$}", s.home)
	m.HandleFunc("GET /demo/c/{slug}", s.category)
	m.HandleFunc("GET /demo/p/{handle}", s.product)
	m.HandleFunc("GET /demo/search", s.search)
	m.HandleFunc("GET /demo/cart", s.cart)
	m.HandleFunc("POST /demo/cart/add", s.cartAdd)
	m.HandleFunc("POST /demo/cart/update", s.cartUpdate)
	m.HandleFunc("GET /demo/checkout", s.checkout)
	m.HandleFunc("POST /demo/checkout", s.checkoutContact)
	m.HandleFunc("GET /demo/checkout/payment", s.payment)
	m.HandleFunc("POST /demo/checkout/place", s.placeOrder)
	m.HandleFunc("POST /demo/checkout/discount", s.applyCode)
	m.HandleFunc("GET /demo/checkout/recover", s.recoverCheckout)
	m.HandleFunc("GET /demo/thank-you/{id}", s.thankYou)
	m.HandleFunc("POST /demo/newsletter", s.newsletter)
	m.HandleFunc("GET /demo/img/{file}", s.image)
	m.HandleFunc("GET /demo/static/style.css", s.style)
	return m
}

// ServeHTTP routes the request. Unknown paths and wrong methods get the
// shop's own 404 and 405 pages rather than ServeMux's plain-text ones.
func (s *Storefront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method || (m == http.MethodGet && r.Method == http.MethodHead) {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		if allowed[0] == http.MethodGet {
			allowed = append(allowed, http.MethodHead)
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, http.StatusMethodNotAllowed, "This page does not accept "+r.Method+" requests.")
		return
	}
	s.fail(w, r, http.StatusNotFound, "We could not find that page.")
}

// parsePages parses each page template with the layout and the partials
// into its own set, because every page defines its own "content".
func parsePages(funcs template.FuncMap) map[string]*template.Template {
	names := []string{"home", "category", "product", "search", "cart", "checkout", "payment", "thank_you", "error"}
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t := template.New(name).Funcs(funcs)
		pages[name] = template.Must(t.ParseFS(templateFiles, "templates/layout.html", "templates/partials.html",
			"templates/"+name+".html"))
	}
	return pages
}

func (s *Storefront) funcs() template.FuncMap {
	return template.FuncMap{
		"money":       commerce.FormatMoney,
		"onSale":      func(p commerce.Product) bool { return p.CompareMinor > p.PriceMinor },
		"productPath": func(handle string) string { return s.base + "/p/" + url.PathEscape(handle) },
		"imagePath":   func(id string) string { return s.base + "/img/" + url.PathEscape(id) + ".svg" },
		"categoryPath": func(name string) string {
			return s.base + "/c/" + slugify(name)
		},
		"imageSize": func() int { return ImageSize },
		"times":     func(a, b int64) int64 { return a * b },
		"tileClass": func(name string) string { return "tile-" + slugify(name) },
	}
}

// render writes page with v as a complete HTML response. The page is
// rendered to a buffer first so a template error never leaves half a page.
func (s *Storefront) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("demo: render page", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Every page shows the cart, which lives in a cookie: shared caches must
	// not keep it, and the browser must revalidate.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page with status and message.
func (s *Storefront) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	v, err := s.newView(r, http.StatusText(status), pageOther())
	if err != nil {
		// The shop cannot even load its header; say so plainly.
		s.log.Error("demo: error page", "path", r.URL.Path, "err", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	v.Data = errorData{Status: status, Message: message}
	s.render(w, r, status, "error", v)
}

// internal logs err and renders a 500: only for failures of the database or
// the ingest path, never for anything a shopper typed.
func (s *Storefront) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("demo: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
}

type errorData struct {
	Status  int
	Message string
}

// serveAsset serves body as an immutable-for-a-while asset with an ETag, so
// repeat views cost a 304.
func serveAsset(w http.ResponseWriter, r *http.Request, contentType, etag string, maxAge time.Duration, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (s *Storefront) style(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, r, "text/css; charset=utf-8", s.cssTag, time.Hour, styleCSS)
}
