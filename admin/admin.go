// Package admin is the admin console: server-rendered pages for shop
// admins (sign-in and set-up, dashboard, contacts, flows, team, audit log),
// in English and Polish, with embedded templates and styles and no script
// at all, so it needs no build step and works with a keyboard and on a
// phone. It is a plain net/http handler the server mounts under /admin/.
package admin

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/personalization/segments"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/console.css
var consoleCSS []byte

// Options is what the console needs.
type Options struct {
	Accounts   *accounts.Service
	Store      *store.Store
	Workspaces *workspace.Service
	Contacts   *cdp.Contacts
	// Automation runs flows; nil leaves the flows page saying so.
	Automation *automation.Engine
	// Campaigns sends campaigns; nil leaves the campaigns page saying so.
	Campaigns *campaigns.Service
	// Preview renders a flow's messages for a contact on the flow's
	// preview page; nil leaves the page out.
	Preview FlowPreviewer
	// Personalization holds the widgets; nil leaves the widgets page
	// saying so.
	Personalization *personalization.Decider
	// Segments serves the segments pages and the contact card's segments;
	// nil leaves the segments page saying so.
	Segments *segments.Service
	// Connectors verifies the WordPress plugin's console links; nil turns
	// that entry off.
	Connectors *connectors.Hub
	// Messaging holds the messaging settings; nil leaves them off the
	// settings page.
	Messaging *messaging.Service
	// SMS holds the SMS settings and counts texts; nil leaves the SMS
	// page out.
	SMS *sms.Service
	// Ingest logs what the console does to a contact (tags); nil turns
	// those forms off.
	Ingest *cdp.Ingest
	// PublicURL is how browsers reach Cartwheel: it decides the cookies'
	// Secure flag and the origin forms must come from.
	PublicURL string
	// SendMail emails a person (password resets); nil logs the link for
	// the instance's operator instead, as there is no other way to reach
	// them without an SMTP relay.
	SendMail func(ctx context.Context, to, subject, text string) error
	// ShopifyAPIKey and ShopifyAPISecret verify App Bridge session tokens
	// when the console opens inside the Shopify admin; empty turns that
	// entry off.
	ShopifyAPIKey, ShopifyAPISecret string
	Log                             *slog.Logger

	// PushSubject is the VAPID contact pushes are signed with
	// (CARTWHEEL_PUSH_SUBJECT), shown on the settings page.
	PushSubject string
}

// Handler serves the console.
type Handler struct {
	opt    Options
	mux    *http.ServeMux
	pages  map[string]*template.Template
	texts  catalog
	secure bool
	origin string
}

const (
	sessionCookie = "cw_console"
	// preCookie carries the anti-forgery value of forms shown before
	// signing in (double-submit: the form's hidden field must match it).
	preCookie = "cw_console_pre"
)

// New builds the console.
func New(o Options) (*Handler, error) {
	u, err := url.Parse(o.PublicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("admin: public URL %q: %v", o.PublicURL, err)
	}
	h := &Handler{opt: o, mux: http.NewServeMux(), texts: newCatalog(), secure: u.Scheme == "https",
		origin: u.Scheme + "://" + u.Host}
	if h.pages, err = parsePages(h.texts); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

func parsePages(texts catalog) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// t is replaced per request with the page's locale; this one lets
		// the templates parse.
		"t":            func(key string, args ...any) string { return texts.text("en", key, args...) },
		"money":        formatMoney,
		"date":         func(t time.Time) string { return t.Format("2006-01-02 15:04") },
		"pct":          percent,
		"eventSummary": eventSummary,
		"fields":       func(names ...string) []string { return names },
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue // the layout and partials (_name.html) are parsed with every page
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("admin: template %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// consoleCSP allows the console's own styles and forms and nothing else: no
// script at all, no framing.
const consoleCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP answers every console request with the headers that keep its
// pages private: no framing, no scripts, no referrer to other sites (set-up
// and reset links carry tokens), no caching.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", consoleCSP)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: set-up and reset links carry tokens
	// that must not reach other sites, but with no-referrer browsers send
	// "Origin: null" on the console's own form posts, and the origin check
	// needs the real one.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /admin/static/console.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(consoleCSS)
	})
	m.HandleFunc("GET /admin/setup", h.public(h.setupForm))
	m.HandleFunc("POST /admin/setup", h.public(h.setupSubmit))
	m.HandleFunc("GET /admin/signin", h.public(h.signinForm))
	m.HandleFunc("POST /admin/signin", h.public(h.signinSubmit))
	m.HandleFunc("GET /admin/forgot", h.public(h.forgotForm))
	m.HandleFunc("POST /admin/forgot", h.public(h.forgotSubmit))
	m.HandleFunc("GET /admin/reset", h.public(h.resetForm))
	m.HandleFunc("POST /admin/reset", h.public(h.resetSubmit))
	m.HandleFunc("GET /admin/invite", h.public(h.inviteForm))
	m.HandleFunc("POST /admin/invite", h.public(h.inviteSubmit))
	m.HandleFunc("POST /admin/signout", h.signedIn(h.signout))
	m.HandleFunc("POST /admin/language", h.signedIn(h.setLanguage))
	m.HandleFunc("GET /admin/{$}", h.signedIn(h.home))
	m.HandleFunc("GET /admin/shopify", h.shopifyEntry)
	m.HandleFunc("GET /admin/wordpress", h.wordpressEntry)

	m.HandleFunc("GET /admin/w/{ws}/{$}", h.inWorkspace(h.dashboard))
	m.HandleFunc("GET /admin/w/{ws}/contacts", h.inWorkspace(h.contacts))
	m.HandleFunc("GET /admin/w/{ws}/contacts/{id}", h.inWorkspace(h.contact))
	m.HandleFunc("POST /admin/w/{ws}/contacts/{id}/tags", h.inWorkspace(h.editor(h.contactTag)))
	m.HandleFunc("GET /admin/w/{ws}/contacts/{id}/export", h.inWorkspace(h.owner(h.contactExport)))
	m.HandleFunc("POST /admin/w/{ws}/contacts/{id}/erase", h.inWorkspace(h.owner(h.contactErase)))
	m.HandleFunc("GET /admin/w/{ws}/flows", h.inWorkspace(h.flows))
	m.HandleFunc("POST /admin/w/{ws}/flows/enable-all", h.inWorkspace(h.editor(h.enableAllFlows)))
	m.HandleFunc("POST /admin/w/{ws}/flow-templates/{name}", h.inWorkspace(h.editor(h.enableFlow)))
	m.HandleFunc("POST /admin/w/{ws}/flows/{id}/status", h.inWorkspace(h.editor(h.setFlowStatus)))
	m.HandleFunc("GET /admin/w/{ws}/flows/{id}", h.inWorkspace(h.flowPage))
	m.HandleFunc("POST /admin/w/{ws}/flows/{id}", h.inWorkspace(h.editor(h.saveFlow)))
	m.HandleFunc("GET /admin/w/{ws}/flows/{id}/preview", h.inWorkspace(h.flowPreview))
	m.HandleFunc("GET /admin/w/{ws}/messages", h.inWorkspace(h.messages))
	m.HandleFunc("GET /admin/w/{ws}/messages/{id}", h.inWorkspace(h.message))
	m.HandleFunc("GET /admin/w/{ws}/widgets", h.inWorkspace(h.widgets))
	m.HandleFunc("GET /admin/w/{ws}/widgets/explain", h.inWorkspace(h.explainWidgets))
	m.HandleFunc("POST /admin/w/{ws}/widgets/{id}/status", h.inWorkspace(h.editor(h.setWidgetStatus)))
	m.HandleFunc("GET /admin/w/{ws}/settings", h.inWorkspace(h.settings))
	m.HandleFunc("POST /admin/w/{ws}/settings/workspace", h.inWorkspace(h.owner(h.saveWorkspace)))
	m.HandleFunc("POST /admin/w/{ws}/settings/messaging", h.inWorkspace(h.editor(h.saveMessaging)))
	m.HandleFunc("POST /admin/w/{ws}/settings/test-email", h.inWorkspace(h.editor(h.testEmail)))
	m.HandleFunc("GET /admin/w/{ws}/api-keys", h.inWorkspace(h.owner(h.apiKeys)))
	m.HandleFunc("POST /admin/w/{ws}/api-keys", h.inWorkspace(h.owner(h.issueAPIKey)))
	m.HandleFunc("POST /admin/w/{ws}/api-keys/{id}/revoke", h.inWorkspace(h.owner(h.revokeAPIKey)))
	m.HandleFunc("GET /admin/w/{ws}/team", h.inWorkspace(h.team))
	m.HandleFunc("POST /admin/w/{ws}/team/invite", h.inWorkspace(h.owner(h.invite)))
	m.HandleFunc("GET /admin/w/{ws}/audit", h.inWorkspace(h.owner(h.audit)))
	// A feature's pages register their routes in their own file
	// (routes<Feature>(m)), called from this list.
	for _, add := range []func(*http.ServeMux){
		h.routesCampaigns,
		h.routesContactNotes,
		h.routesDeliverability,
		h.routesDrilldown,
		h.routesFlowArchive,
		h.routesLegacy,
		h.routesSMS,
		h.routesScores,
		h.routesSegments,
		h.routesSettings,
		h.routesWidgets,
	} {
		add(m)
	}
	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, &request{Locale: pickLocale("", r)}, http.StatusNotFound, "message.html", messagePage("err.notfound"))
	})
}

// request is what a console page knows about who asks.
type request struct {
	Locale  string
	User    store.User
	Session store.ConsoleSession
	Token   string
	// Pre is the anti-forgery value of a form shown before signing in.
	Pre string
	// WS and Role are set inside a workspace.
	WS         store.Workspace
	Role       string
	Workspaces []store.Workspace
}

// csrf is the value forms must send back.
func (q *request) csrf() string {
	if q.Session.CSRF != "" {
		return q.Session.CSRF
	}
	return q.Pre
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// public wraps a page shown before signing in: it gets an anti-forgery
// cookie, and its POSTs must send it back.
func (h *Handler) public(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &request{Locale: pickLocale(r.URL.Query().Get("lang"), r)}
		if c, err := r.Cookie(preCookie); err == nil && len(c.Value) > 20 {
			q.Pre = c.Value
		}
		if r.Method == http.MethodPost {
			if !h.sameOrigin(r) || q.Pre == "" || !equal(r.PostFormValue("_csrf"), q.Pre) {
				h.fail(w, r, q, http.StatusForbidden, "err.csrf")
				return
			}
		}
		if q.Pre == "" {
			q.Pre = ids.Token("pre")
			http.SetCookie(w, &http.Cookie{Name: preCookie, Value: q.Pre, Path: "/admin/", HttpOnly: true,
				Secure: h.secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
		}
		h.finish(w, r, q, fn(w, r, q))
	}
}

// signedIn wraps a page for a signed-in person; without a session it sends
// them to sign in, and its POSTs must carry the session's CSRF value.
func (h *Handler) signedIn(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &request{}
		if c, err := r.Cookie(sessionCookie); err == nil {
			q.Token = c.Value
		}
		var err error
		q.User, q.Session, err = h.opt.Accounts.Session(r.Context(), q.Token)
		q.Locale = pickLocale(q.User.Locale, r)
		if errors.Is(err, accounts.ErrNoSession) {
			if r.Method != http.MethodGet {
				h.fail(w, r, q, http.StatusForbidden, "err.csrf")
				return
			}
			http.Redirect(w, r, "/admin/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err != nil {
			h.finish(w, r, q, err)
			return
		}
		if fa := q.Session.FrameAncestors; fa != "" {
			// A session opened inside the Shopify admin is framed by it.
			w.Header().Set("Content-Security-Policy", strings.Replace(consoleCSP, "frame-ancestors 'none'", "frame-ancestors "+fa, 1))
			w.Header().Del("X-Frame-Options")
		}
		if r.Method == http.MethodPost && (!h.sameOrigin(r) || !equal(r.PostFormValue("_csrf"), q.Session.CSRF)) {
			h.fail(w, r, q, http.StatusForbidden, "err.csrf")
			return
		}
		h.finish(w, r, q, fn(w, r, q))
	}
}

// inWorkspace wraps a page of one workspace: the person must have a role
// in it.
func (h *Handler) inWorkspace(fn handlerFunc) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request, q *request) error {
		ctx := r.Context()
		ws, err := h.opt.Workspaces.Get(ctx, r.PathValue("ws"))
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if q.Role, err = h.opt.Accounts.Role(ctx, q.User, ws.ID); err != nil {
			return err
		}
		if q.Role == "" {
			// Not a member: the same answer as for a workspace that does
			// not exist, so ids cannot be probed.
			return errNotFound
		}
		q.WS = ws
		if q.Workspaces, err = h.reachable(ctx, q.User); err != nil {
			return err
		}
		return fn(w, r, q)
	})
}

// editor lets only roles that may change marketing through.
func (h *Handler) editor(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) error {
		if !accounts.CanEdit(q.Role) {
			return errForbidden
		}
		return fn(w, r, q)
	}
}

// owner lets only owners through.
func (h *Handler) owner(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) error {
		if !accounts.CanManage(q.Role) {
			return errForbidden
		}
		return fn(w, r, q)
	}
}

// reachable lists the workspaces a person may open.
func (h *Handler) reachable(ctx context.Context, u store.User) ([]store.Workspace, error) {
	if u.InstanceAdmin {
		return h.opt.Workspaces.List(ctx)
	}
	ms, err := h.opt.Accounts.Memberships(ctx, u)
	if err != nil {
		return nil, err
	}
	out := make([]store.Workspace, 0, len(ms))
	for _, m := range ms {
		ws, err := h.opt.Workspaces.Get(ctx, m.WorkspaceID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ws)
	}
	return out, nil
}

// sameOrigin refuses a POST whose Origin (or, lacking it, Referer) names
// another site: a second wall behind the CSRF value.
func (h *Handler) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		ref, err := url.Parse(r.Header.Get("Referer"))
		if err != nil || ref.Host == "" {
			// Neither header: an old browser or a privacy setting; the
			// CSRF value still has to match.
			return o == ""
		}
		o = ref.Scheme + "://" + ref.Host
	}
	return o == h.origin || o == "http://"+r.Host || o == "https://"+r.Host
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

var (
	errNotFound  = errors.New("not found")
	errForbidden = errors.New("forbidden")
)

// finish turns a page's error into the page a person sees.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, q *request, err error) {
	switch {
	case err == nil:
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
		h.fail(w, r, q, http.StatusNotFound, "err.notfound")
	case errors.Is(err, errForbidden):
		h.fail(w, r, q, http.StatusForbidden, "err.forbidden")
	default:
		h.opt.Log.Error("admin console", "path", r.URL.Path, "err", err)
		h.fail(w, r, q, http.StatusInternalServerError, "err.server")
	}
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, q *request, status int, key string) {
	h.render(w, r, q, status, "message.html", messagePage(key))
}

func messagePage(key string) map[string]any { return map[string]any{"Title": key, "Message": key} }

// render writes a page in the request's locale.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, q *request, status int, page string, data map[string]any) {
	t, ok := h.pages[page]
	if !ok {
		http.Error(w, "no page "+page, http.StatusInternalServerError)
		return
	}
	t, err := t.Clone()
	if err == nil {
		loc := time.UTC
		if l, err := time.LoadLocation(q.WS.Timezone); err == nil && q.WS.Timezone != "" {
			loc = l
		}
		t = t.Funcs(template.FuncMap{
			"t":    func(key string, args ...any) string { return h.texts.text(q.Locale, key, args...) },
			"date": func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		})
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Q"] = q
	data["CSRF"] = q.csrf()
	data["Locale"] = q.Locale
	data["Locales"] = locales()
	data["Path"] = r.URL.Path
	var buf strings.Builder
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		h.opt.Log.Error("admin console: render", "page", page, "err", err)
		http.Error(w, "page failed to render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// setSession stores the session cookie after signing in.
func (h *Handler) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/admin/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(accounts.SessionLifetime / time.Second)})
}

// record adds a change made by the request's person to the audit log.
func (h *Handler) record(ctx context.Context, q *request, action, target, detail string) {
	h.opt.Accounts.Record(ctx, q.User, q.WS.ID, action, target, detail)
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/admin/"
}
