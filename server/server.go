// Package server wires HTTP (Fiber) to the domain packages: routes,
// middleware (auth, request ids, recovery, metrics) and the admin and public
// API handlers. Handlers translate HTTP to calls and back; the logic lives
// in the domain packages.
package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
	"github.com/cartwheelhq/cartwheel/personalization"
	"github.com/cartwheelhq/cartwheel/personalization/segments"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/tracker"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// Options is what the server needs; the binary builds it at start.
type Options struct {
	Config     config.Config
	Store      *store.Store
	Workspaces *workspace.Service
	Ingest     *cdp.Ingest
	// Writer appends tracker and API events to the log (group commit).
	Writer *cdp.Writer
	// Contacts answers questions about people.
	Contacts *cdp.Contacts
	// Tracker serves /t.js.
	Tracker http.Handler
	// TrackerCarts serves /tc.js, the cart adapter t.js loads on Shopify
	// and WooCommerce storefronts.
	TrackerCarts http.Handler
	// Demo serves the demo storefront under /demo/; nil when not in demo mode.
	Demo http.Handler
	// Console serves the admin console under /admin/ (its Messages page is
	// the outbox); nil leaves it out.
	Console http.Handler
	// Connectors receives shop webhooks and runs installs, syncs and
	// privacy requests; nil turns those routes off.
	Connectors *connectors.Hub
	// Messaging holds VAPID keys and push subscriptions.
	Messaging *messaging.Service
	// Engagement answers the links in messages (clicks, opens,
	// unsubscribe, preferences, confirmation); nil turns those routes off.
	Engagement *messaging.Engagement
	// SMS is the SMS channel: its webhooks, counter and settings; nil
	// turns those routes off.
	SMS *sms.Service
	// Automation runs flows; nil turns the flow API off.
	Automation *automation.Engine
	// Campaigns sends one-off campaigns; nil turns the campaign API off.
	Campaigns *campaigns.Service
	// Personalization decides widgets (/decide) and serves their API; nil
	// leaves those routes out.
	Personalization *personalization.Decider
	// Segments serves /api/v1/segments; nil leaves those routes out.
	Segments *segments.Service
	// ScoreRefit asks for a workspace's scores to be refitted now; nil
	// leaves POST /scores/refit out.
	ScoreRefit func(workspaceID string)
	Registry   *prometheus.Registry
	Log        *slog.Logger
	Version    string
}

// Server is the HTTP front of Cartwheel.
type Server struct {
	app          *fiber.App
	opt          Options
	ready        atomic.Bool
	metrics      *httpMetrics
	shedLog      *intervalLog // 503 answers, one line per interval
	sites        *siteCache
	ipLimit      *limiter
	visitorLimit *limiter
	authLimit    *authThrottle
}

// New builds the server and its routes. It does not listen.
func New(o Options) *Server {
	s := &Server{opt: o, metrics: newHTTPMetrics(o.Registry),
		sites:        newSiteCache(o.Workspaces, 30*time.Second),
		ipLimit:      newLimiter(o.Config.CollectIPRate, int(10*o.Config.CollectIPRate)),
		visitorLimit: newLimiter(o.Config.CollectVisitorRate, int(10*o.Config.CollectVisitorRate)),
		authLimit:    newAuthThrottle(),
		shedLog:      newIntervalLog(o.Log, "answered 503 (overloaded or database not writable)", sheddingLogEvery),
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "cartwheel",
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		// Every string a handler gets (c.Query, c.Params, c.Get, c.Method…)
		// is its own copy instead of a view into fasthttp's request buffer,
		// which the connection's next request overwrites. Without this, a
		// string kept past its request (a cache key, a metric label, a
		// visitor id in the personalization state) silently changes: site
		// keys were answered with another workspace's widgets. The cost is
		// a few small allocations a request (docs/BENCHMARKS.md).
		Immutable: true,
		// Bodies above this are refused before a handler runs; endpoints
		// with tighter limits check their own.
		BodyLimit:    4 << 20,
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  90 * time.Second,
	})
	s.routes()
	return s
}

func (s *Server) routes() {
	a := s.app
	a.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.opt.Log.Error("panic in handler", "path", c.Path(), "panic", e)
	}}))
	a.Use(requestid.New())
	a.Use(s.observe)

	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Get("/metrics", s.netHTTP(promhttp.HandlerFor(s.opt.Registry, promhttp.HandlerOpts{Registry: s.opt.Registry})))
	a.Get("/", s.root)
	if s.opt.Tracker != nil {
		h := s.netHTTP(s.opt.Tracker)
		a.Get("/t.js", h)
		a.Head("/t.js", h)
	}
	if s.opt.TrackerCarts != nil {
		h := s.netHTTP(s.opt.TrackerCarts)
		a.Get("/tc.js", h)
		a.Head("/tc.js", h)
	}
	if s.opt.Writer != nil {
		// The per-IP limit runs first, on Fiber's view of the client address.
		ch := tracker.NewCollectHandler(s.collectSink)
		ch.Admit = s.opt.Writer.Admit
		h := s.netHTTP(ch)
		a.Post("/collect", s.limitIP, s.admitCollect, h)
		a.Options("/collect", h)
	}
	if s.opt.Demo != nil {
		h := s.netHTTP(s.opt.Demo)
		// Fiber's routing is not strict, so a separate "/demo" redirect would
		// also catch "/demo/" and loop; the storefront redirects "/demo" itself.
		a.All("/demo", s.demoSecurity, h)
		a.All("/demo/*", s.demoSecurity, h)
	}

	// The push service worker, for storefront integrations that proxy it
	// onto the shop's origin (the WordPress plugin's /cartwheel-sw.js).
	a.Get("/sw.js", s.serviceWorker)
	if s.opt.Messaging != nil {
		a.Get("/push/key", publicCORS, s.pushKey)
		a.Options("/push/key", publicCORS)
		a.Post("/push/subscribe", publicCORS, s.limitIP, s.pushSubscribe)
		a.Options("/push/subscribe", publicCORS)
		a.Post("/push/unsubscribe", publicCORS, s.limitIP, s.pushUnsubscribe)
		a.Options("/push/unsubscribe", publicCORS)
	}
	if s.opt.Connectors != nil {
		a.Post("/webhooks/shopify", s.shopifyWebhook)
		a.Post("/webhooks/woocommerce/:shop", s.wooWebhook)
		a.Get("/shopify/install", s.shopifyInstall)
		a.Get("/shopify/callback", s.shopifyCallback)
		a.Get("/shopify/proxy/sw.js", s.shopifyProxyServiceWorker)
	}

	api := a.Group("/api/v1", s.authenticate)
	api.Get("/me", s.me)

	// Instance administration: admin tokens only.
	api.Get("/workspaces", s.requireAdmin, s.listWorkspaces)
	api.Post("/workspaces", s.requireAdmin, s.createWorkspace)
	api.Get("/workspaces/:id", s.requireAdmin, s.getWorkspaceByID)
	api.Patch("/workspaces/:id", s.requireAdmin, s.updateWorkspaceByID)

	// Workspace-scoped: the workspace is the key's own, or for an admin token
	// the one named by the X-Cartwheel-Workspace header.
	ws := func(method, path string, h fiber.Handler) { api.Add(method, path, s.resolveWorkspace, h) }
	ws("GET", "/workspace", s.getWorkspace)
	ws("PATCH", "/workspace", s.updateWorkspace)
	ws("GET", "/api-keys", s.listAPIKeys)
	ws("POST", "/api-keys", s.createAPIKey)
	ws("DELETE", "/api-keys/:id", s.revokeAPIKey)
	ws("GET", "/shops", s.listShops)
	ws("POST", "/shops", s.createShop)
	ws("GET", "/shops/:id", s.getShop)
	ws("PATCH", "/shops/:id", s.updateShop)
	if s.opt.Connectors != nil {
		// A shop's sub-resources answer 404 for a shop of another
		// workspace, not an empty list: shopInWorkspace checks first.
		shop := func(method, path string, h fiber.Handler) {
			api.Add(method, path, s.resolveWorkspace, s.shopInWorkspace, h)
		}
		shop("GET", "/shops/:id/status", s.shopStatus)
		shop("POST", "/shops/:id/sync", s.startShopSync)
		shop("POST", "/shops/:id/webhooks", s.registerShopWebhooks)
		shop("GET", "/shops/:id/deliveries", s.listDeliveries)
		shop("POST", "/shops/:id/discount-codes", s.createDiscountCode)
		ws("GET", "/privacy-requests", s.listPrivacyRequests)
		ws("GET", "/privacy-requests/:id", s.getPrivacyRequest)
		ws("GET", "/privacy-requests/:id/export", s.privacyExport)
	}
	ws("GET", "/products", s.listProducts)
	ws("GET", "/products/:id", s.getProduct)
	ws("GET", "/orders", s.listOrders)
	ws("GET", "/orders/:id", s.getOrder)
	ws("GET", "/checkouts", s.listCheckouts)
	ws("GET", "/checkouts/:token", s.getCheckout)
	ws("POST", "/events", s.postEvents)
	ws("GET", "/contacts", s.findContacts)
	ws("GET", "/contacts/:id", s.getContact)
	ws("GET", "/contacts/:id/timeline", s.contactTimeline)
	s.contactNoteRoutes(ws)
	ws("GET", "/visitors/:id", s.getVisitor)
	s.engagementRoutes(ws)
	s.scoreRoutes(ws)
	s.flowRoutes(ws)
	s.smsRoutes(ws)
	s.segmentRoutes(ws)
	s.campaignRoutes(ws)
	s.widgetRoutes(ws)
	s.identifyRoutes()
	if s.opt.Console != nil {
		h := s.netHTTP(s.opt.Console)
		// As with /demo: Fiber's non-strict routing would make a separate
		// "/admin" redirect catch "/admin/" too; the console's own mux
		// redirects "/admin" to "/admin/".
		// Only the methods the console answers, so that any other gets
		// Fiber's 405 with Allow like every route.
		for _, m := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost} {
			a.Add(m, "/admin", h)
			a.Add(m, "/admin/*", h)
		}
	}

	// No catch-all here: falling off the route table lets Fiber answer 405
	// with an Allow header when the path exists under other methods, and
	// 404 otherwise (errorHandler gives both the usual error body).
}

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// SetReady flips /readyz; the binary sets it once start-up work is done and
// clears it first thing on shutdown so load balancers drain this replica.
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error {
	s.SetReady(false)
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) root(c *fiber.Ctx) error {
	if s.opt.Demo != nil {
		return c.Redirect("/demo/", fiber.StatusFound)
	}
	return c.JSON(fiber.Map{"name": "cartwheel", "version": s.opt.Version, "api": "/api/v1"})
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if !s.ready.Load() {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "starting or stopping"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.opt.Store.Ping(ctx); err != nil {
		s.opt.Log.Warn("readiness: database", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "database unavailable"})
	}
	// Writes failing (disk full): this replica can serve reads but would
	// answer every write 503, so it asks not to be sent traffic. The store
	// probes in the background and this turns ready again by itself.
	if ws := s.opt.Store.WriteStatus(); !ws.OK {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "database not writable",
			"since": ws.Since.UTC().Format(time.RFC3339)})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
