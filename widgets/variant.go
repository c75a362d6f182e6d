package widgets

import (
	"hash/fnv"
	"net/url"
	"strings"
)

// bucket maps (visitor, widget, salt) to a stable number: the same visitor
// gets the same answer on every page and after a restart, with nothing
// stored.
func bucket(visitorID, widgetID, salt string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(widgetID))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(visitorID))
	// fnv's low bits mix poorly for near-identical inputs; fold the high
	// half in.
	v := h.Sum64()
	return v ^ v>>29
}

// AssignVariant picks the visitor's variant of a pop-up: sticky (a hash of
// visitor and widget), split by the variants' weights. It returns nil for
// a definition without variants.
func AssignVariant(d *Definition, widgetID, visitorID string) *Variant {
	total := 0
	for _, v := range d.Variants {
		total += v.Weight
	}
	if total <= 0 {
		if len(d.Variants) == 0 {
			return nil
		}
		return &d.Variants[0]
	}
	n := int(bucket(visitorID, widgetID, "variant") % uint64(total))
	for i := range d.Variants {
		if n < d.Variants[i].Weight {
			return &d.Variants[i]
		}
		n -= d.Variants[i].Weight
	}
	return &d.Variants[len(d.Variants)-1]
}

// Delay is the trigger's delay in seconds for this visitor: AfterSeconds,
// or a value in [AfterSeconds, AfterSecondsMax] chosen per visitor (stable
// across pages, so the pop-up does not seem to move).
func (t Trigger) Delay(widgetID, visitorID string) int {
	if t.AfterSecondsMax <= t.AfterSeconds {
		return t.AfterSeconds
	}
	span := uint64(t.AfterSecondsMax - t.AfterSeconds + 1)
	return t.AfterSeconds + int(bucket(visitorID, widgetID, "delay")%span)
}

// MatchURL reports whether a page URL matches a targeting pattern. "*"
// matches any run of characters (slashes too). A pattern with a scheme
// ("https://shop.example/sale/*") is matched against the whole URL without
// its query and fragment; any other pattern against the path only. An
// empty pattern matches every page.
func MatchURL(pattern, pageURL string) bool {
	if pattern == "" {
		return true
	}
	subject := pageURL
	if u, err := url.Parse(pageURL); err == nil {
		if strings.Contains(pattern, "://") {
			u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
			subject = u.String()
		} else {
			subject = u.EscapedPath()
			if subject == "" {
				subject = "/"
			}
		}
	}
	return glob(pattern, subject)
}

// glob matches s against p where '*' is any run: the classic two-pointer
// walk, linear in practice and never exponential.
func glob(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
