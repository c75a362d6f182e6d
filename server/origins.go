package server

import (
	"log/slog"
	"strings"
	"sync"
)

// refusedOrigins remembers which (workspace, origin) pairs were refused so
// that each is logged once: a shop whose tracker runs on an origin the
// workspace does not list (www. missing, 127.0.0.1 instead of localhost)
// otherwise loses every event with nothing in the log to say why.
type refusedOrigins struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// maxRefusedOrigins bounds the memory a scanner sending random origins can
// take; past it the set starts again, so a pair may be logged twice.
const maxRefusedOrigins = 10_000

// note logs origin's refusal for workspace the first time it happens.
func (r *refusedOrigins) note(log *slog.Logger, workspaceID, origin string) {
	if log == nil {
		return
	}
	key := workspaceID + " " + origin
	r.mu.Lock()
	if r.seen == nil || len(r.seen) >= maxRefusedOrigins {
		r.seen = map[string]struct{}{}
	}
	_, dup := r.seen[key]
	if !dup {
		// The origin comes from a request header: copied, since Fiber's
		// strings point into a buffer the next request reuses.
		r.seen[strings.Clone(key)] = struct{}{}
	}
	r.mu.Unlock()
	if !dup {
		log.Warn("tracker origin refused: add it to the workspace's allowed origins if it is the shop's",
			"workspace", workspaceID, "origin", truncateForLog(origin))
	}
}

// truncateForLog keeps a value from the request short enough for a log line.
func truncateForLog(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
