package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// Settings of the demo workspace.
const (
	// WorkspaceName names the demo workspace in the admin.
	WorkspaceName = "Cartwheel Demo Shop"
	// SettingWorkspaceID is the instance setting that remembers the demo
	// workspace, so a restart finds it instead of creating another.
	SettingWorkspaceID = "demo_workspace_id"

	demoCurrency = "EUR"
	demoTimezone = "Europe/Warsaw"
	demoLocale   = "en"
)

// Site is the demo workspace and its shop: what the storefront sells from.
type Site struct {
	Workspace store.Workspace
	Shop      store.Shop
}

// Ensure makes sure the demo workspace, its custom shop and its catalogue
// exist, creating them on the first start and finding them on later ones.
// publicURL is how browsers reach this server; its origin is allowed to send
// tracker events to the workspace and its host is the shop's domain.
func Ensure(ctx context.Context, wsvc *workspace.Service, st *store.Store, publicURL string, log *slog.Logger) (Site, error) {
	origin, host, err := parsePublicURL(publicURL)
	if err != nil {
		return Site{}, err
	}
	ws, err := findOrCreateWorkspace(ctx, wsvc, st, host, origin, log)
	if err != nil {
		return Site{}, err
	}
	// The public URL may have changed since the workspace was made (another
	// port, a real domain): the tracker on the new origin must still be
	// heard, and on a loopback URL so must the other names of this machine.
	origins := slices.Clone(ws.AllowedOrigins)
	for _, o := range loopbackAliases(origin) {
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	if len(origins) != len(ws.AllowedOrigins) {
		if ws, err = wsvc.Update(ctx, ws.ID, workspace.Settings{AllowedOrigins: &origins}); err != nil {
			return Site{}, fmt.Errorf("demo: allow origin %s: %w", origin, err)
		}
	}
	shop, err := findOrConnectShop(ctx, wsvc, ws.ID, host)
	if err != nil {
		return Site{}, err
	}
	if err := loadCatalog(ctx, st, ws, shop, publicURL, log); err != nil {
		return Site{}, err
	}
	return Site{Workspace: ws, Shop: shop}, nil
}

// loopbackAliases returns origin and, when its host is this machine's
// loopback name (localhost, 127.0.0.1, [::1]), the same origin under the
// other two: someone who opens http://127.0.0.1:8080/demo/ although the
// public URL says localhost must not find tracking silently refused.
func loopbackAliases(origin string) []string {
	u, err := url.Parse(origin)
	if err != nil {
		return []string{origin}
	}
	names := []string{"localhost", "127.0.0.1", "[::1]"}
	h := u.Hostname()
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if !slices.Contains(names, h) {
		return []string{origin}
	}
	port := u.Port()
	out := []string{origin}
	for _, n := range names {
		o := u.Scheme + "://" + n
		if port != "" {
			o += ":" + port
		}
		if o != origin {
			out = append(out, o)
		}
	}
	return out
}

// parsePublicURL returns the origin ("https://shop.example:8443") and the
// host[:port] of an absolute http(s) URL.
func parsePublicURL(publicURL string) (origin, host string, err error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil {
		return "", "", fmt.Errorf("demo: public URL %q: %w", publicURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("demo: public URL %q must be an absolute http or https URL", publicURL)
	}
	host = strings.ToLower(u.Host)
	return u.Scheme + "://" + host, host, nil
}

func findOrCreateWorkspace(ctx context.Context, wsvc *workspace.Service, st *store.Store, host, origin string, log *slog.Logger) (store.Workspace, error) {
	id, err := st.Setting(ctx, SettingWorkspaceID)
	switch {
	case err == nil:
		ws, err := wsvc.Get(ctx, id)
		if err == nil {
			return ws, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return ws, fmt.Errorf("demo: find workspace: %w", err)
		}
		log.Warn("demo workspace in settings no longer exists; creating a new one", "workspace", id)
	case !errors.Is(err, store.ErrNotFound):
		return store.Workspace{}, fmt.Errorf("demo: find workspace: %w", err)
	}

	// The setting may have been lost while the shop survived: adopt it,
	// but only if it is the demo's, never a real shop that happens to share
	// the host.
	if sh, err := st.ShopByDomain(ctx, "custom", host); err == nil {
		ws, err := wsvc.Get(ctx, sh.WorkspaceID)
		if err != nil {
			return ws, fmt.Errorf("demo: workspace of shop %s: %w", sh.ID, err)
		}
		if ws.Name != WorkspaceName {
			return ws, fmt.Errorf("demo: a custom shop for %s already belongs to workspace %s (%q); disconnect it or serve the demo on another public URL",
				host, ws.ID, ws.Name)
		}
		return ws, remember(ctx, st, ws.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Workspace{}, fmt.Errorf("demo: find shop: %w", err)
	}

	name, tz, cur, locale := WorkspaceName, demoTimezone, demoCurrency, demoLocale
	origins := loopbackAliases(origin)
	ws, err := wsvc.Create(ctx, workspace.Settings{Name: &name, Timezone: &tz, Currency: &cur, Locale: &locale,
		AllowedOrigins: &origins})
	if err != nil {
		return ws, fmt.Errorf("demo: create workspace: %w", err)
	}
	// Remembered before anything else is made, so that a crash now leaves
	// a workspace the next start completes rather than an orphan.
	if err := remember(ctx, st, ws.ID); err != nil {
		return ws, err
	}
	log.Info("demo workspace created", "workspace", ws.ID, "site_key", ws.SiteKey)
	return ws, nil
}

func remember(ctx context.Context, st *store.Store, workspaceID string) error {
	if err := st.SetSetting(ctx, SettingWorkspaceID, workspaceID); err != nil {
		return fmt.Errorf("demo: remember workspace: %w", err)
	}
	return nil
}

// findOrConnectShop returns the workspace's custom shop, connecting one for
// host if it has none. An existing shop is kept even when the host changed:
// the catalogue belongs to its id.
func findOrConnectShop(ctx context.Context, wsvc *workspace.Service, workspaceID, host string) (store.Shop, error) {
	shops, err := wsvc.Shops(ctx, workspaceID)
	if err != nil {
		return store.Shop{}, fmt.Errorf("demo: list shops: %w", err)
	}
	for _, sh := range shops {
		if sh.Platform == "custom" {
			return sh, nil
		}
	}
	sh, err := wsvc.ConnectShop(ctx, workspaceID, workspace.ShopInput{Platform: "custom", Domain: host, Name: WorkspaceName})
	if err != nil {
		return sh, fmt.Errorf("demo: connect shop: %w", err)
	}
	return sh, nil
}

// loadCatalog upserts the generated catalogue when the shop has fewer
// products than it, or when its links point at another public URL.
func loadCatalog(ctx context.Context, st *store.Store, ws store.Workspace, shop store.Shop, publicURL string, log *slog.Logger) error {
	cat := Catalog(ws.ID, shop.ID, ws.Currency, publicURL, time.Now())
	_, total, err := st.Products(ctx, ws.ID, store.ProductFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: count products: %w", err)
	}
	stale := false
	if total >= len(cat) {
		first, err := st.Product(ctx, ws.ID, cat[0].ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			stale = true
		case err != nil:
			return fmt.Errorf("demo: check catalogue: %w", err)
		default:
			stale = first.URL != cat[0].URL
		}
	}
	if total >= len(cat) && !stale {
		return nil
	}
	if err := st.UpsertProducts(ctx, cat); err != nil {
		return fmt.Errorf("demo: load catalogue: %w", err)
	}
	log.Info("demo catalogue loaded", "workspace", ws.ID, "products", len(cat))
	return nil
}
