package tracker

import (
	"strings"
	"sync"
)

// uaCache remembers ClassifyUA's answers. Real traffic repeats a few hundred
// User-Agent strings, and parsing one costs more than the rest of a /collect
// request; the cache is emptied when full rather than evicting, which is
// cheap and keeps memory bounded.
type uaCache struct {
	mu   sync.Mutex
	opts UAOptions
	m    map[string]Client
}

const uaCacheSize = 4096

func (c *uaCache) classify(ua string, opts UAOptions) Client {
	c.mu.Lock()
	if c.m == nil || c.opts != opts {
		c.m, c.opts = make(map[string]Client, 64), opts
	}
	cl, ok := c.m[ua]
	c.mu.Unlock()
	if ok {
		return cl
	}
	cl = ClassifyUA(ua, opts)
	c.mu.Lock()
	if len(c.m) >= uaCacheSize {
		clear(c.m)
	}
	// The key outlives the request; a server may hand over a User-Agent
	// that is a view into a buffer it reuses.
	c.m[strings.Clone(ua)] = cl
	c.mu.Unlock()
	return cl
}
