package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// NumericID returns the numeric part of a GraphQL global id
// ("gid://shopify/Product/788032119674292922" → "788032119674292922"),
// which is the id REST webhooks use. Query strings such as
// "?inventory_item_id=…" are dropped. A value that is not a gid is returned
// unchanged, so the function is safe on ids that are already numeric.
func NumericID(gid string) string {
	if !strings.HasPrefix(gid, "gid://") {
		return gid
	}
	s, _, _ := strings.Cut(gid, "?")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// globalID builds a GraphQL global id from a numeric one; an id that is
// already a gid is kept.
func globalID(kind, id string) string {
	if strings.HasPrefix(id, "gid://") {
		return id
	}
	return "gid://shopify/" + kind + "/" + id
}

// splitTags turns Shopify's comma-separated tag string into a list, trimmed,
// without empty entries. It never returns nil, so the JSON form is [].
func splitTags(s string) []string {
	out := []string{}
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// plainText reduces product HTML to readable text for recommendation cards
// and message templates: tags removed (block tags become spaces), script
// and style content dropped, entities decoded, whitespace collapsed. It is
// not a sanitiser: its output is text and must still be escaped where it is
// rendered.
func plainText(h string) string {
	var b strings.Builder
	skip := "" // inside <script> or <style>: the closing tag to wait for
	for i := 0; i < len(h); {
		if h[i] != '<' {
			j := strings.IndexByte(h[i:], '<')
			if j < 0 {
				j = len(h) - i
			}
			if skip == "" {
				b.WriteString(h[i : i+j])
			}
			i += j
			continue
		}
		end := strings.IndexByte(h[i:], '>')
		if end < 0 {
			break // an unterminated tag: drop the rest
		}
		tag := strings.ToLower(h[i+1 : i+end])
		i += end + 1
		name := strings.TrimPrefix(tag, "/")
		if k := strings.IndexAny(name, " \t\n\r/"); k >= 0 {
			name = name[:k]
		}
		switch {
		case skip != "":
			if tag == "/"+skip || strings.HasPrefix(tag, "/"+skip+" ") {
				skip = ""
			}
		case !strings.HasPrefix(tag, "/") && (name == "script" || name == "style"):
			skip = name
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// extID is a Shopify id as it appears in a REST payload: a JSON number
// (often above 2^53), sometimes a string (cart ids), or null. It is kept as
// the literal's text and never converted to a number.
type extID string

// UnmarshalJSON keeps an integer literal's text, or a string, as the id.
func (id *extID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = extID(s)
		return nil
	}
	for i, c := range b {
		if (c < '0' || c > '9') && !(i == 0 && c == '-' && len(b) > 1) {
			return fmt.Errorf("id %.40s is not an integer", b)
		}
	}
	if len(b) == 0 {
		return fmt.Errorf("empty id")
	}
	*id = extID(b)
	return nil
}

// decimal is a money amount as Shopify sends it: a decimal string, or in
// some older payloads a bare JSON number; null is "". The text is kept and
// parsed by commerce.ParseMinor, never by a float.
type decimal string

// UnmarshalJSON keeps the amount's text, from a string or a number.
func (d *decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*d = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = decimal(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("amount %.40s is not a number", b)
		}
		*d = decimal(n)
	}
	return nil
}

// text is a string field that some payloads send as a number or boolean
// (note attribute values, for one); null is "".
type text string

// UnmarshalJSON accepts a string or a scalar literal, and refuses objects.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return fmt.Errorf("expected a string, got %.40s", b)
	default:
		*t = text(b)
	}
	return nil
}

// timestamp is an ISO-8601 time; null and "" are the zero time.
type timestamp time.Time

// UnmarshalJSON parses an RFC 3339 time; null and "" are the zero time.
func (ts *timestamp) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time %.40s is not a string", b)
	}
	if s == nil || *s == "" {
		*ts = timestamp{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return fmt.Errorf("time %q is not ISO 8601: %w", *s, err)
	}
	*ts = timestamp(t)
	return nil
}

// Time returns the value as a time.Time.
func (ts timestamp) Time() time.Time { return time.Time(ts) }
