// Package connectors runs Cartwheel's side of a shop connection: it
// receives webhook deliveries (verified, persisted, acknowledged, then
// processed), applies what they mean through cdp, keeps the catalogue and
// order history in sync with backfills and reconciliation passes, creates
// discount codes, installs the Shopify app and carries out privacy requests.
//
// The platform protocols live in connectors/shopify and
// connectors/woocommerce, which only verify and translate; this package
// owns the order of things and the state.
package connectors

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/secrets"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// Platforms.
const (
	Shopify     = "shopify"
	WooCommerce = "woocommerce"
)

// Options configure a Hub.
type Options struct {
	Store      *store.Store
	Workspaces *workspace.Service
	Ingest     *cdp.Ingest
	Secrets    *secrets.Box
	Log        *slog.Logger
	// Exclusive runs privacy work while the profile processor is paused
	// (cdp.Processor.Exclusive); nil runs it directly.
	Exclusive func(ctx context.Context, fn func(context.Context) error) error
	// PublicURL is where platforms reach Cartwheel (webhook and OAuth
	// callback addresses).
	PublicURL string
	// ShopifyAPIKey and ShopifyAPISecret are the Shopify app's credentials;
	// without them the install flow is off and only hand-connected shops
	// (custom apps with their own webhook secret) work.
	ShopifyAPIKey    string
	ShopifyAPISecret string
	// ShopifyBaseURL replaces https://{shop} for every Shopify API call:
	// for tests against a fake Admin API, never in production.
	ShopifyBaseURL string
	// SyncInterval is how often every active shop is reconciled; 0 turns
	// periodic syncs off.
	SyncInterval time.Duration
	// HTTPClient calls the platforms' APIs.
	HTTPClient *http.Client
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
	// Sleep waits between throttled API calls (tests); nil leaves the
	// platform clients' own real wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnDelivery is called after a delivery was stored (tests, metrics).
	OnDelivery func()
}

// Hub is the connectors' runtime. Its zero value is not usable; use New.
type Hub struct {
	opt    Options
	log    *slog.Logger
	wake   chan struct{}
	sync   *syncer
	commit *committer
	// runCtx is Run's context: background syncs started by requests live
	// as long as the hub runs, not as long as the request.
	runCtx atomic.Pointer[context.Context]
	// localCodes holds the custom shops whose codes Cartwheel keeps
	// (KeepCodesFor).
	localCodes sync.Map
}

// New returns a Hub; call Run to start processing deliveries and syncs.
func New(opt Options) *Hub {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opt.Exclusive == nil {
		opt.Exclusive = func(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }
	}
	h := &Hub{opt: opt, log: opt.Log.With("component", "connectors"), wake: make(chan struct{}, 1)}
	h.sync = newSyncer(h)
	h.commit = newCommitter(opt.Store)
	return h
}

func (h *Hub) now() time.Time { return h.opt.Now().UTC() }

// notify wakes the delivery worker; it never blocks.
func (h *Hub) notify() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}
