package accounts

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins per key (an email, a client address) in a
// window and locks the key out once it reaches the limit, so that
// passwords cannot be guessed at network speed. It is per process: with
// several replicas each one throttles on its own, which still bounds a
// guesser to a few attempts a minute per replica.
type throttle struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	keys   map[string]*attempts
}

type attempts struct {
	first  time.Time
	fails  int
	locked time.Time // until when; zero: not locked
}

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, keys: map[string]*attempts{}}
}

// lockedUntil returns when key's lock-out ends; zero when it may try.
func (t *throttle) lockedUntil(key string, now time.Time) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.keys[key]
	if a == nil || now.After(a.locked) {
		return time.Time{}
	}
	return a.locked
}

// fail records a failed attempt and returns the lock-out end if this one
// reached the limit.
func (t *throttle) fail(key string, now time.Time) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) > 100_000 {
		// Random emails from a scanner must not grow this without bound;
		// entries past their window are dropped.
		for k, a := range t.keys {
			if now.Sub(a.first) > t.window && now.After(a.locked) {
				delete(t.keys, k)
			}
		}
	}
	a := t.keys[key]
	if a == nil || now.Sub(a.first) > t.window {
		a = &attempts{first: now}
		t.keys[key] = a
	}
	a.fails++
	if a.fails >= t.limit {
		a.locked = now.Add(t.window)
		a.fails, a.first = 0, now
	}
	return a.locked
}

// succeed forgets key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}
