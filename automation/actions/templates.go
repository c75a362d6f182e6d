package actions

import (
	"sync"

	"github.com/cartwheelhq/cartwheel/messaging/email"
)

// maxCachedTemplates bounds the compiled-template cache. Templates come
// from flow versions, which are few; the bound only guards against a
// workspace that generates flows without end.
const maxCachedTemplates = 512

// templateCache keeps compiled email templates: parsing one costs more
// than rendering it, and every send of a flow step uses the same one.
// Compiled templates are safe for concurrent Render calls.
type templateCache struct {
	mu sync.Mutex
	m  map[email.Template]*email.Compiled
}

// get returns t compiled, parsing it on first use.
func (c *templateCache) get(t email.Template) (*email.Compiled, error) {
	c.mu.Lock()
	tpl, ok := c.m[t]
	c.mu.Unlock()
	if ok {
		return tpl, nil
	}
	tpl, err := email.Parse(t)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTemplates {
		c.m = map[email.Template]*email.Compiled{}
	}
	c.m[t] = tpl
	return tpl, nil
}
