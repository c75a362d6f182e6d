// Package safeurl decides which URLs Cartwheel may put behind a link on a
// shop's page or in a message: http and https URLs, and paths the shop's
// URL resolves. Anything else (javascript:, data:, vbscript:, a scheme
// hidden behind control characters) would run or load in the shop's
// origin when a visitor clicks it.
package safeurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrUnsafe is a URL that is neither http(s) nor a path.
var ErrUnsafe = errors.New("not an http(s) URL or a path")

// Check accepts an absolute http(s) URL with a host, or a relative
// reference ("/cart", "products/x", "?q=1", "#top"). Surrounding spaces
// are ignored, as browsers ignore them; control characters anywhere are
// refused, since browsers drop tabs and newlines inside a scheme
// ("java\tscript:").
func Check(raw string) error {
	_, err := parse(raw)
	return err
}

// Resolve returns raw as an absolute http(s) URL, a relative reference
// resolved against base (the shop's URL). With no base, a relative
// reference is returned as it is: the page it is shown on resolves it.
// An empty raw is returned empty.
func Resolve(raw, base string) (string, error) {
	u, err := parse(raw)
	if err != nil || u == nil {
		return "", err
	}
	if u.IsAbs() || base == "" {
		return u.String(), nil
	}
	b, err := parse(base)
	if err != nil || b == nil || !b.IsAbs() {
		return "", fmt.Errorf("base %q: %w", base, ErrUnsafe)
	}
	r := b.ResolveReference(u)
	if r.Scheme != "http" && r.Scheme != "https" {
		return "", fmt.Errorf("%q: %w", raw, ErrUnsafe)
	}
	return r.String(), nil
}

// SchemeAllowed reports whether a scheme (without the colon) may be linked
// to: http or https in any case.
func SchemeAllowed(scheme string) bool {
	s := strings.ToLower(scheme)
	return s == "http" || s == "https"
}

func parse(raw string) (*url.URL, error) {
	s := strings.Trim(raw, " ")
	if s == "" {
		return nil, nil
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c == 0x7f {
			return nil, fmt.Errorf("%q: control character: %w", raw, ErrUnsafe)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, ErrUnsafe)
	}
	switch {
	case u.Scheme == "":
		if u.Opaque != "" {
			return nil, fmt.Errorf("%q: %w", raw, ErrUnsafe)
		}
		return u, nil
	case !SchemeAllowed(u.Scheme):
		return nil, fmt.Errorf("%q: scheme %q: %w", raw, u.Scheme, ErrUnsafe)
	case u.Host == "":
		return nil, fmt.Errorf("%q: no host: %w", raw, ErrUnsafe)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}
