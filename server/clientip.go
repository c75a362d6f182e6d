package server

import (
	"bytes"
	"net/netip"

	"github.com/gofiber/fiber/v2"
)

// clientIP is the address every rate limit and log uses for the client.
// It is the peer's address, unless the peer is one of the trusted proxies
// (CARTWHEEL_TRUSTED_PROXIES): then X-Forwarded-For is read from the right
// and the first address that is not itself a trusted proxy is the client.
// Addresses further left were written by whoever the client is and prove
// nothing; a peer outside the list cannot name a client at all.
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	var hops [][]byte
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, bytes.Split(h, []byte(","))...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(bytes.TrimSpace(hops[i]))
		if !ok {
			// Garbage in the chain: the last hop that could be read is
			// as far as it can be followed.
			break
		}
		client = a
		if !s.trusted(a) {
			break
		}
	}
	return client.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opt.Config.TrustedProxyNets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, with a port or
// IPv6 brackets as some proxies write it.
func parseHop(b []byte) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(string(b)); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(string(b)); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
