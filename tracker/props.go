package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Schemas of the standard events' properties. Each check validates the
// fields its type relies on and normalises them in place; other fields pass
// through within the generic limits (decodeProps), so integrators can add
// their own.

var (
	// idRe: product, variant and customer ids. Platform ids are numbers or
	// short handles; this is the pattern cdp applies to customer ids.
	idRe    = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`)
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRe = regexp.MustCompile(`^\+?[0-9 ().-]{4,32}$`)
)

// isStandard reports whether t is a type the tracker itself sends, checked
// by its schema rather than taken as a custom event name.
func isStandard(t string) bool {
	switch t {
	case EventPageView, EventProductView, EventAddToCart, EventRemoveFromCart,
		EventSearch, EventCheckoutStarted, EventIdentify, EventConsent:
		return true
	}
	return false
}

// normalised records whether a schema check rewrote any value of the
// props: when none was, the bytes as sent are stored as they are, which
// spares re-encoding every event.
type normalised struct{ changed bool }

// checkProps applies the schema of type t to p; "" means valid.
func checkProps(t string, p map[string]any, lim Limits, n *normalised) string {
	switch t {
	case EventPageView:
		for k := range p {
			if k == "referrer" || k == "title" || strings.HasPrefix(k, "utm_") {
				if _, ok := p[k].(string); !ok {
					return k + " must be a string"
				}
			}
		}
	case EventProductView:
		prod, ok := p["product"].(map[string]any)
		if !ok {
			return "product_view needs a product object"
		}
		if msg := normID(prod, "id", true, n); msg != "" {
			return "product." + msg
		}
		if v, ok := p["dwell_ms"]; ok {
			d, ok := intField(v)
			if !ok || d < 0 {
				return "dwell_ms must be a non-negative integer"
			}
			setInt(p, "dwell_ms", v, min(d, lim.MaxDwell.Milliseconds()), n)
		}
	case EventAddToCart, EventRemoveFromCart:
		if msg := normID(p, "product_id", false, n); msg != "" {
			return msg
		}
		if msg := normID(p, "variant_id", false, n); msg != "" {
			return msg
		}
		if p["product_id"] == nil && p["variant_id"] == nil {
			return t + " needs product_id or variant_id"
		}
		if v, ok := p["quantity"]; ok || t == EventAddToCart {
			q, ok := intField(v)
			if !ok || q < 1 || q > 1e6 {
				return "quantity must be an integer from 1 to 1000000"
			}
			setInt(p, "quantity", v, q, n)
		}
		if prod, ok := p["product"]; ok {
			if _, ok := prod.(map[string]any); !ok {
				return "product must be an object"
			}
		}
	case EventSearch:
		q, ok := p["query"].(string)
		if q = strings.TrimSpace(q); !ok || q == "" {
			return "search needs a non-empty query"
		}
		setString(p, "query", q, n)
	case EventCheckoutStarted:
		if s, ok := p["checkout_token"].(string); !ok || s == "" {
			return "checkout_started needs a checkout_token string"
		}
	case EventIdentify:
		return checkIdentify(p, n)
	case EventConsent:
		known := 0
		for _, k := range []string{"tracking", "email", "push"} {
			if v, ok := p[k]; ok && v != nil {
				if _, ok := v.(bool); !ok {
					return k + " must be true or false"
				}
				known++
			}
		}
		if known == 0 {
			return "consent needs tracking, email or push"
		}
	}
	return ""
}

// checkIdentify: at least one identifier, each well formed. Email is
// trimmed and lower-cased so that one person has one identity.
func checkIdentify(p map[string]any, n *normalised) string {
	if v, ok := p["email"]; ok && v != nil {
		s, ok := v.(string)
		s = strings.ToLower(strings.TrimSpace(s))
		if !ok || len(s) > 254 || !emailRe.MatchString(s) {
			return "email is not an email address"
		}
		setString(p, "email", s, n)
	}
	if v, ok := p["phone"]; ok && v != nil {
		s, ok := v.(string)
		s = strings.TrimSpace(s)
		if !ok || !phoneRe.MatchString(s) {
			return "phone is not a phone number"
		}
		setString(p, "phone", s, n)
	}
	if msg := normID(p, "customer_id", false, n); msg != "" {
		return msg
	}
	if p["email"] == nil && p["phone"] == nil && p["customer_id"] == nil {
		return "identify needs email, phone or customer_id"
	}
	return ""
}

// normID makes p[k] a string id: a string, or an integer (Shopify and
// WooCommerce ids are numbers). A null or absent one is removed unless
// required.
func normID(p map[string]any, k string, required bool, n *normalised) string {
	v, ok := p[k]
	if !ok || v == nil {
		if ok {
			delete(p, k)
			n.changed = true
		}
		if required {
			return k + " is required"
		}
		return ""
	}
	var s string
	switch v := v.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
			return k + " must be a string or an integer"
		}
		s = string(v)
	default:
		return k + " must be a string or an integer"
	}
	if !idRe.MatchString(s) {
		return k + " must be 1-128 letters, digits or _.:-"
	}
	setString(p, k, s, n)
	return ""
}

// setString stores a normalised string, noting whether it differs from
// what was sent.
func setString(p map[string]any, k, s string, n *normalised) {
	if old, ok := p[k].(string); !ok || old != s {
		n.changed = true
	}
	p[k] = s
}

// setInt stores a normalised integer; it is a change unless the value was
// sent as exactly that JSON number.
func setInt(p map[string]any, k string, sent any, v int64, n *normalised) {
	if num, ok := sent.(json.Number); !ok || string(num) != strconv.FormatInt(v, 10) {
		n.changed = true
	}
	p[k] = v
}

// intField reads an integer sent as a JSON number or a numeric string.
func intField(v any) (int64, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// 2.0 is an integer too.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// decodeProps reads "p" (absent or null is an empty object) within the
// generic limits.
func decodeProps(raw json.RawMessage, lim Limits) (map[string]any, string) {
	p := map[string]any{}
	if isNull(raw) {
		return p, ""
	}
	if len(raw) > lim.MaxPropsBytes {
		return nil, fmt.Sprintf("p has %d bytes, the limit is %d", len(raw), lim.MaxPropsBytes)
	}
	if t := bytes.TrimSpace(raw); t[0] != '{' {
		return nil, "p must be an object"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, "p is not valid: " + err.Error()
	}
	keys := 0
	if msg := walkProps(p, 1, &keys, lim); msg != "" {
		return nil, msg
	}
	return p, ""
}

// walkProps enforces depth, key count and string length over the tree.
func walkProps(v any, depth int, keys *int, lim Limits) string {
	if depth > lim.MaxPropsDepth {
		return fmt.Sprintf("p is nested deeper than %d levels", lim.MaxPropsDepth)
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if *keys++; *keys > lim.MaxPropsKeys {
				return fmt.Sprintf("p has more than %d keys and items", lim.MaxPropsKeys)
			}
			if k == "" || len(k) > 64 {
				return "p keys must be 1-64 bytes"
			}
			if msg := walkProps(x, depth+1, keys, lim); msg != "" {
				return msg
			}
		}
	case []any:
		for _, x := range v {
			if *keys++; *keys > lim.MaxPropsKeys {
				return fmt.Sprintf("p has more than %d keys and items", lim.MaxPropsKeys)
			}
			if msg := walkProps(x, depth+1, keys, lim); msg != "" {
				return msg
			}
		}
	case string:
		if len(v) > lim.MaxString {
			return fmt.Sprintf("a string in p is longer than %d bytes", lim.MaxString)
		}
	case json.Number:
		// JSON allows 1e400; a float64 does not, and every consumer of the
		// stored props (Go, JavaScript, SQLite's JSON functions) would choke.
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return "a number in p is out of range"
		}
	}
	return ""
}

// checkURL accepts an absolute http(s) URL of bounded length.
func checkURL(u string, max int) string {
	switch {
	case len(u) > max:
		return fmt.Sprintf("is longer than %d bytes", max)
	case !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://"):
		return "must be an http(s) URL"
	}
	return ""
}
