package connectors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// Sync kinds.
const (
	SyncProducts  = "products"
	SyncOrders    = "orders"
	SyncCustomers = "customers"
)

// pageSize is how many records one API call asks for. Shopify clamps it
// further (shopify.MaxProductsPerPage): its query cost counts every
// variant a page could hold.
const pageSize = 50

// ErrSyncRunning is returned when a shop's sync is already under way.
var ErrSyncRunning = errors.New("a sync of this shop is already running")

// syncer runs at most one sync per shop at a time.
type syncer struct {
	h       *Hub
	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

func newSyncer(h *Hub) *syncer { return &syncer{h: h, running: map[string]bool{}} }

// Kinds lists what a platform syncs. Shopify retries its webhooks for 48
// hours, so only the catalogue is pulled; WooCommerce never retries, so
// orders and customers are reconciled too.
func Kinds(platform string) []string {
	switch platform {
	case Shopify:
		return []string{SyncProducts}
	case WooCommerce:
		return []string{SyncProducts, SyncCustomers, SyncOrders}
	}
	return nil
}

// run resumes interrupted syncs at start, then syncs every active shop each
// SyncInterval.
func (s *syncer) run(ctx context.Context) {
	s.each(ctx, func(sh store.Shop) bool {
		states, err := s.h.opt.Store.Syncs(ctx, sh.WorkspaceID, sh.ID)
		if err != nil {
			return false
		}
		for _, st := range states {
			if st.Status == store.SyncRunning {
				return true // a pass was cut off by a stop or a crash
			}
		}
		return false
	})
	if s.h.opt.SyncInterval <= 0 {
		return
	}
	t := time.NewTicker(s.h.opt.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.each(ctx, func(store.Shop) bool { return true })
		}
	}
}

// each starts a sync of every active, syncable shop that want accepts.
func (s *syncer) each(ctx context.Context, want func(store.Shop) bool) {
	wss, err := s.h.opt.Store.Workspaces(ctx)
	if err != nil {
		s.h.log.Error("list workspaces for sync", "err", err)
		return
	}
	for _, w := range wss {
		shops, err := s.h.opt.Store.Shops(ctx, w.ID)
		if err != nil {
			s.h.log.Error("list shops for sync", "workspace", w.ID, "err", err)
			continue
		}
		for _, sh := range shops {
			if sh.Status == workspace.ShopActive && len(Kinds(sh.Platform)) > 0 && want(sh) {
				if err := s.start(ctx, sh); err != nil && !errors.Is(err, ErrSyncRunning) {
					s.h.log.Error("start sync", "shop", sh.ID, "err", err)
				}
			}
		}
	}
}

// start runs a sync of sh in the background.
func (s *syncer) start(ctx context.Context, sh store.Shop) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[sh.ID] {
		return ErrSyncRunning
	}
	s.running[sh.ID] = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.running, sh.ID)
			s.mu.Unlock()
		}()
		if err := s.h.SyncShop(ctx, sh); err != nil && ctx.Err() == nil {
			s.h.log.Error("shop sync failed", "shop", sh.ID, "err", err)
		}
	}()
	return nil
}

// StartSync starts a sync of one of the workspace's shops in the
// background; its progress is in SyncStatus.
func (h *Hub) StartSync(ctx context.Context, workspaceID, shopID string) error {
	sh, err := h.opt.Store.Shop(ctx, workspaceID, shopID)
	if err != nil {
		return err
	}
	if sh.Status != workspace.ShopActive || len(Kinds(sh.Platform)) == 0 {
		return &workspace.InvalidError{Field: "shop", Reason: "only an active Shopify or WooCommerce shop can be synced"}
	}
	// The sync outlives the request that started it, but not the hub.
	if rc := h.runCtx.Load(); rc != nil {
		return h.sync.start(*rc, sh)
	}
	return h.sync.start(context.WithoutCancel(ctx), sh)
}

// SyncShop runs every kind of sync a shop has, in the foreground.
func (h *Hub) SyncShop(ctx context.Context, sh store.Shop) error {
	for _, kind := range Kinds(sh.Platform) {
		if err := h.syncKind(ctx, sh, kind); err != nil {
			return fmt.Errorf("sync %s of shop %s: %w", kind, sh.ID, err)
		}
	}
	return nil
}

// page is one page of a sync: the records and where the next page starts
// ("" when this was the last).
type page struct {
	changes []commerce.Change
	next    string
}

// syncKind runs one pass, resuming a pass that was interrupted (its cursor
// is saved after every page) rather than starting over.
func (h *Hub) syncKind(ctx context.Context, sh store.Shop, kind string) error {
	st, err := h.opt.Store.Sync(ctx, sh.WorkspaceID, sh.ID, kind)
	if err != nil {
		return err
	}
	if st.Status == store.SyncIdle || st.Cursor == "" {
		st.Cursor, st.Done, st.StartedAt = "", 0, h.now()
		// Records modified while the last pass ran are fetched again:
		// an overlap costs an idempotent upsert, a gap loses an order.
		st.Since = st.LastSuccessAt.Add(-time.Minute)
		if st.LastSuccessAt.IsZero() {
			st.Since = time.Time{}
		}
	} else {
		h.log.Info("resuming shop sync", "shop", sh.ID, "kind", kind, "cursor", st.Cursor, "done", st.Done)
	}
	st.Status, st.Error, st.UpdatedAt = store.SyncRunning, "", h.now()
	if err := h.opt.Store.PutSync(ctx, st); err != nil {
		return err
	}
	fetch, err := h.fetcher(ctx, sh, kind)
	if err != nil {
		return h.failSync(ctx, st, err)
	}
	for {
		p, err := fetch(ctx, st.Cursor, st.Since)
		if err != nil {
			return h.failSync(ctx, st, err)
		}
		for _, ch := range p.changes {
			if err := h.apply(ctx, sh, ch, false); err != nil {
				var perm *permanentError
				if !errors.As(err, &perm) {
					return h.failSync(ctx, st, err)
				}
				// One bad record must not stop the catalogue.
				h.log.Warn("sync record skipped", "shop", sh.ID, "kind", kind, "id", ch.ExternalID, "err", err)
			}
		}
		st.Done += len(p.changes)
		st.Cursor, st.UpdatedAt = p.next, h.now()
		if p.next == "" {
			st.Status, st.LastSuccessAt = store.SyncIdle, st.StartedAt
			if err := h.opt.Store.PutSync(ctx, st); err != nil {
				return err
			}
			h.log.Info("shop sync finished", "shop", sh.ID, "kind", kind, "records", st.Done,
				"took", h.now().Sub(st.StartedAt).Round(time.Millisecond))
			return nil
		}
		if err := h.opt.Store.PutSync(ctx, st); err != nil {
			return err
		}
		h.log.Debug("shop sync progress", "shop", sh.ID, "kind", kind, "records", st.Done)
	}
}

func (h *Hub) failSync(ctx context.Context, st store.SyncState, cause error) error {
	if ctx.Err() != nil {
		// Stopped, not failed: the state stays "running" with its cursor,
		// and the next start resumes the pass.
		return cause
	}
	// The cursor stays: the next pass resumes from the failed page.
	st.Status, st.Error, st.UpdatedAt = store.SyncFailed, cause.Error(), h.now()
	if err := h.opt.Store.PutSync(context.WithoutCancel(ctx), st); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// fetcher returns the page reader of one kind of one shop's records.
func (h *Hub) fetcher(ctx context.Context, sh store.Shop, kind string) (func(ctx context.Context, cursor string, since time.Time) (page, error), error) {
	token, _, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return nil, err
	}
	switch sh.Platform {
	case Shopify:
		c := h.shopifyClient(sh, token)
		return func(ctx context.Context, cursor string, _ time.Time) (page, error) {
			pp, err := c.Products(ctx, sh.Currency, cursor, pageSize)
			if err != nil {
				return page{}, err
			}
			p := page{}
			for i := range pp.Products {
				p.changes = append(p.changes, commerce.Change{Kind: commerce.ChangeProduct, Product: &pp.Products[i],
					ExternalID: pp.Products[i].ExternalID})
			}
			if pp.HasNext {
				p.next = pp.EndCursor
			}
			return p, nil
		}, nil
	case WooCommerce:
		c, err := h.wooClient(sh, token)
		if err != nil {
			return nil, err
		}
		res := map[string]woocommerce.Resource{SyncProducts: woocommerce.ResourceProducts, SyncOrders: woocommerce.ResourceOrders,
			SyncCustomers: woocommerce.ResourceCustomers}[kind]
		return func(ctx context.Context, cursor string, since time.Time) (page, error) {
			n := 1
			if cursor != "" {
				if n, err = strconv.Atoi(cursor); err != nil || n < 1 {
					return page{}, fmt.Errorf("bad page cursor %q", cursor)
				}
			}
			wp, err := c.List(ctx, res, since, n, pageSize)
			if err != nil {
				return page{}, err
			}
			p := page{changes: wp.Changes}
			if n < wp.TotalPages {
				p.next = strconv.Itoa(n + 1)
			}
			return p, nil
		}, nil
	}
	return nil, fmt.Errorf("platform %q cannot be synced", sh.Platform)
}

func (h *Hub) shopifyClient(sh store.Shop, token string) *shopify.Client {
	opts := []shopify.Option{shopify.WithHTTPClient(h.opt.HTTPClient), shopify.WithSleep(h.opt.Sleep), shopify.WithLogger(h.log)}
	if sh.APIURL != "" {
		opts = append(opts, shopify.WithBaseURL(sh.APIURL))
	}
	return shopify.NewClient(sh.Domain, token, opts...)
}

func (h *Hub) wooClient(sh store.Shop, token string) (*woocommerce.Client, error) {
	key, secret, ok := strings.Cut(token, ":")
	if !ok {
		return nil, errors.New("the shop has no WooCommerce REST key pair")
	}
	base := sh.APIURL
	if base == "" {
		base = "https://" + sh.Domain
	}
	return woocommerce.NewClient(base, key, secret, woocommerce.WithHTTPClient(h.opt.HTTPClient),
		woocommerce.WithSleep(h.opt.Sleep), woocommerce.WithLogger(h.log), woocommerce.WithCurrency(sh.Currency)), nil
}

// SyncStatus is a shop's connection status as the admin API shows it.
type SyncStatus struct {
	Shop       store.Shop          `json:"shop"`
	Syncs      []store.SyncState   `json:"syncs"`
	Deliveries store.DeliveryStats `json:"deliveries"`
	LastSyncAt time.Time           `json:"last_sync_at,omitzero"`
}

// Status reports a shop's connection, its syncs and its deliveries.
func (h *Hub) Status(ctx context.Context, workspaceID, shopID string) (SyncStatus, error) {
	sh, err := h.opt.Store.Shop(ctx, workspaceID, shopID)
	if err != nil {
		return SyncStatus{}, err
	}
	out := SyncStatus{Shop: sh}
	if out.Syncs, err = h.opt.Store.Syncs(ctx, workspaceID, shopID); err != nil {
		return out, err
	}
	for _, s := range out.Syncs {
		if !isCallKind(s.Kind) && s.LastSuccessAt.After(out.LastSyncAt) {
			out.LastSyncAt = s.LastSuccessAt
		}
	}
	out.Deliveries, err = h.opt.Store.ShopDeliveryStats(ctx, workspaceID, shopID)
	return out, err
}

// RegisterWebhooks subscribes Cartwheel to a hand-connected shop's
// webhooks through the platform's API (an app install does this itself;
// the WordPress plugin does it from the shop's side). It is idempotent.
func (h *Hub) RegisterWebhooks(ctx context.Context, workspaceID, shopID string) (int, error) {
	sh, err := h.opt.Store.Shop(ctx, workspaceID, shopID)
	if err != nil {
		return 0, err
	}
	token, secret, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return 0, err
	}
	n, err := h.registerWebhooks(ctx, sh, token, secret)
	return n, h.recordCall(ctx, sh, OpWebhooks, "webhook registration", err)
}

func (h *Hub) registerWebhooks(ctx context.Context, sh store.Shop, token, secret string) (int, error) {
	base := strings.TrimRight(h.opt.PublicURL, "/")
	switch sh.Platform {
	case Shopify:
		topics := shopify.DefaultTopics()
		return len(topics), h.shopifyClient(sh, token).RegisterWebhooks(ctx, base+"/webhooks/shopify", topics)
	case WooCommerce:
		if secret == "" {
			return 0, &workspace.InvalidError{Field: "webhook_secret", Reason: "the shop needs a webhook secret to sign its deliveries"}
		}
		c, err := h.wooClient(sh, token)
		if err != nil {
			return 0, err
		}
		topics := woocommerce.DefaultTopics()
		for _, t := range topics {
			if err := c.RegisterWebhook(ctx, "Cartwheel "+t, t, base+"/webhooks/woocommerce/"+sh.ID, secret); err != nil {
				return 0, fmt.Errorf("register %s: %w", t, err)
			}
		}
		return len(topics), nil
	}
	return 0, &workspace.InvalidError{Field: "shop", Reason: "a " + sh.Platform + " shop has no webhooks to register"}
}
