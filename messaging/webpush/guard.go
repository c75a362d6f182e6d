package webpush

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrForbiddenEndpoint marks an endpoint the EndpointPolicy refuses: not
// https, or a host that is or resolves to a loopback, private, link-local or
// otherwise non-public address. A browser's real push service is always a
// public https origin, so such an endpoint is an attempt to make the server
// post to its own network (SSRF) and can never be delivered to.
var ErrForbiddenEndpoint = errors.New("webpush: endpoint not allowed")

// EndpointPolicy decides which push endpoints may be stored and posted to.
// The zero value is the production policy: https only, public addresses
// only, checked when a subscription is stored and again, on the address
// actually connected to, when a message is sent (DNS can change between
// the two).
type EndpointPolicy struct {
	// AllowPrivate admits http endpoints and endpoints on loopback or
	// private addresses. It exists for tests against a local fake push
	// service (pushtest) and must stay off in production.
	AllowPrivate bool
	// Lookup resolves a host name; nil means the system resolver. Tests
	// set it to give a name an address of their choosing.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// nonPublic are the IPv4 and IPv6 ranges no push service lives on, beyond
// what netip.Addr's own predicates (loopback, private, link-local,
// multicast, unspecified) already cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// embedsIPv4 are IPv6 ranges that carry an IPv4 address in their last 32
// bits (NAT64) or bits 16..48 (6to4): the embedded address is what is
// reached, so it is the one checked.
var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	teredo  = netip.MustParsePrefix("2001::/32")
	nat64lc = netip.MustParsePrefix("64:ff9b:1::/48")
)

// PublicAddr reports whether a is a globally reachable unicast address: not
// loopback, private (RFC 1918, unique-local fc00::/7), link-local, CGNAT,
// multicast, unspecified, reserved or documentation, including the
// IPv4-mapped and NAT64/6to4 forms of those.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return PublicAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo4.Contains(a):
			return PublicAddr(netip.AddrFrom4([4]byte(b[2:6])))
		case teredo.Contains(a), nat64lc.Contains(a):
			// Tunnels whose far end cannot be judged from here.
			return false
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// internalName reports host names that only mean something inside a
// network: a push service is always a public, dotted DNS name.
func internalName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if !strings.Contains(host, ".") {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// checkURL applies the checks that need no DNS: the scheme, literal
// addresses and internal names.
func (p EndpointPolicy) checkURL(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrForbiddenEndpoint, err)
	}
	if p.AllowPrivate {
		return u, nil
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q, want https", ErrForbiddenEndpoint, u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	if a, err := netip.ParseAddr(host); err == nil {
		if !PublicAddr(a) {
			return nil, fmt.Errorf("%w: address %s is not public", ErrForbiddenEndpoint, a)
		}
		return u, nil
	}
	if internalName(host) {
		return nil, fmt.Errorf("%w: host %q is not a public DNS name", ErrForbiddenEndpoint, host)
	}
	return u, nil
}

// Check refuses an endpoint the policy does not allow: a scheme other
// than https, or a host any of whose addresses is not public. It resolves
// the host, so it is what a subscription is checked with before it is
// stored; the Sender checks again at connection time.
func (p EndpointPolicy) Check(ctx context.Context, endpoint string) error {
	u, err := p.checkURL(endpoint)
	if err != nil || p.AllowPrivate {
		return err
	}
	host := strings.ToLower(u.Hostname())
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // literal, already checked
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return fmt.Errorf("%w: host %q does not resolve: %w", ErrForbiddenEndpoint, host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%w: host %q has no address", ErrForbiddenEndpoint, host)
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return fmt.Errorf("%w: host %q resolves to %s, which is not public", ErrForbiddenEndpoint, host, a.Unmap())
		}
	}
	return nil
}

func (p EndpointPolicy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if p.Lookup != nil {
		return p.Lookup(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// control runs on every socket the Sender opens, after resolution and
// before connecting: the address here is the one really dialled, so a name
// whose DNS answer changed since the subscription was stored is still
// refused.
func (p EndpointPolicy) control(_, address string, _ syscall.RawConn) error {
	if p.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: dial %q: %w", ErrForbiddenEndpoint, address, err)
	}
	if !PublicAddr(ap.Addr()) {
		return fmt.Errorf("%w: refusing to connect to %s, which is not public", ErrForbiddenEndpoint, ap.Addr().Unmap())
	}
	return nil
}

// dialContext is the Sender's transport dialer: it resolves with the
// policy's Lookup (when set) and connects through a net.Dialer whose
// Control refuses non-public addresses.
func (p EndpointPolicy) dialContext(base *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := *base
	d.Control = p.control
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if p.Lookup == nil {
			return d.DialContext(ctx, network, addr)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return d.DialContext(ctx, network, addr)
		}
		addrs, err := p.Lookup(ctx, host)
		if err != nil {
			return nil, &net.DNSError{Err: err.Error(), Name: host}
		}
		var first error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
		}
		if first == nil {
			first = &net.DNSError{Err: "no address", Name: host}
		}
		return nil, first
	}
}
