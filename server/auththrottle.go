package server

import (
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Failed credential checks (a wrong API token, admin token or session)
// are throttled per client address and per token prefix, so guessing is
// slow from one address and slow against one key from many. Only failures
// spend the budget: a client presenting a valid token never runs it down.
// While a budget is spent, every attempt it covers is answered 429
// without being checked — answering a right guess differently would let
// the guessing go on at full speed.
const (
	// authFailBurst failures pass at once from one address, then one
	// every authFailEvery.
	authFailBurst = 20
	authFailEvery = 3 * time.Second
	// prefixFailBurst failures against one token prefix, then one every
	// prefixFailEvery.
	prefixFailBurst = 10
	prefixFailEvery = 6 * time.Second
	// tokenPrefixLen covers an issued key's visible prefix ("cw_key_" and
	// five random characters).
	tokenPrefixLen = 12
)

type authThrottle struct {
	byIP, byPrefix *limiter
}

func newAuthThrottle() *authThrottle {
	return &authThrottle{
		byIP:     newLimiter(1/authFailEvery.Seconds(), authFailBurst),
		byPrefix: newLimiter(1/prefixFailEvery.Seconds(), prefixFailBurst),
	}
}

func tokenPrefix(token string) string {
	if len(token) > tokenPrefixLen {
		return token[:tokenPrefixLen]
	}
	return token
}

// authCheck answers 429 when the client's address or the token's prefix has
// failed too often.
func (s *Server) authCheck(c *fiber.Ctx, token string) error {
	now := time.Now()
	d := s.authLimit.byIP.wait(s.clientIP(c), now)
	if token != "" {
		d = max(d, s.authLimit.byPrefix.wait(tokenPrefix(token), now))
	}
	if d <= 0 {
		return nil
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(d.Seconds()))))
	return &apiError{fiber.StatusTooManyRequests, "rate_limited", "too many failed sign-in attempts; retry later", nil}
}

// authFailed spends a failure from the client's budget and, for a token,
// its prefix's.
func (s *Server) authFailed(c *fiber.Ctx, token string) {
	now := time.Now()
	s.authLimit.byIP.allow(s.clientIP(c), now)
	if token != "" {
		s.authLimit.byPrefix.allow(tokenPrefix(token), now)
	}
}
