package server

import (
	"log/slog"
	"sync"
	"time"
)

// sheddingLogEvery bounds the log of 503 answers to one line per interval:
// under overload or a full disk they come by the tens of thousands a
// minute, and a line each would make the log the next thing to fill up.
const sheddingLogEvery = 10 * time.Second

// intervalLog writes one line per interval with how many times its event
// happened since the last line. It is safe for concurrent use.
type intervalLog struct {
	log   *slog.Logger
	msg   string
	every time.Duration

	mu     sync.Mutex
	count  int
	last   time.Time
	routes map[string]int
}

func newIntervalLog(log *slog.Logger, msg string, every time.Duration) *intervalLog {
	return &intervalLog{log: log, msg: msg, every: every, routes: map[string]int{}}
}

// note counts one occurrence on route and logs if the interval has passed.
func (l *intervalLog) note(route string, now time.Time) {
	l.mu.Lock()
	l.count++
	l.routes[route]++
	if now.Sub(l.last) < l.every {
		l.mu.Unlock()
		return
	}
	n, routes, since := l.count, l.routes, l.last
	l.count, l.routes, l.last = 0, map[string]int{}, now
	l.mu.Unlock()
	attrs := []any{"count", n}
	if !since.IsZero() {
		attrs = append(attrs, "over", now.Sub(since).Round(time.Millisecond))
	}
	for r, c := range routes {
		attrs = append(attrs, slog.Int("route "+r, c))
	}
	l.log.Warn(l.msg, attrs...)
}
