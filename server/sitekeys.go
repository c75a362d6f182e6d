package server

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// siteInfo is what the public endpoints need to know about a site key's
// workspace, cached because /collect is the hottest path there is.
type siteInfo struct {
	ws      store.Workspace
	origins map[string]bool // empty: any origin may send
	found   bool
	at      time.Time
}

// siteCache maps public site keys to workspaces for a short time; a new
// origin or a revoked key takes effect within ttl.
type siteCache struct {
	ws  *workspace.Service
	ttl time.Duration
	mu  sync.RWMutex
	m   map[string]siteInfo
	// refused logs each origin refused for a workspace once.
	refused refusedOrigins
}

func newSiteCache(ws *workspace.Service, ttl time.Duration) *siteCache {
	return &siteCache{ws: ws, ttl: ttl, m: map[string]siteInfo{}}
}

func (c *siteCache) get(ctx context.Context, key string, now time.Time) (siteInfo, error) {
	c.mu.RLock()
	si, ok := c.m[key]
	c.mu.RUnlock()
	if ok && now.Sub(si.at) < c.ttl {
		return si, nil
	}
	si = siteInfo{at: now}
	w, err := c.ws.BySiteKey(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return si, err
	default:
		si.ws, si.found = w, true
		si.origins, err = c.origins(ctx, w)
		if err != nil {
			return si, err
		}
	}
	c.mu.Lock()
	if len(c.m) > 100_000 {
		// Unknown keys sent by scanners must not grow this without bound.
		clear(c.m)
	}
	// The key outlives the request: never keep the caller's string, which
	// may be a view into a reused buffer.
	c.m[strings.Clone(key)] = si
	c.mu.Unlock()
	return si, nil
}

// origins are the workspace's allowed origins plus its shops' own.
func (c *siteCache) origins(ctx context.Context, w store.Workspace) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range w.AllowedOrigins {
		out[o] = true
	}
	if len(out) == 0 {
		return out, nil
	}
	shops, err := c.ws.Shops(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	for _, sh := range shops {
		out["https://"+sh.Domain] = true
		if sh.Platform == "custom" {
			out["http://"+sh.Domain] = true
		}
	}
	return out, nil
}

// allows reports whether a browser on origin may send for this site. A
// request without an Origin header did not come from a cross-origin page.
func (si siteInfo) allows(origin string) bool {
	return len(si.origins) == 0 || origin == "" || si.origins[strings.TrimRight(origin, "/")]
}
