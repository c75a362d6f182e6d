package tracker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// The /collect wire format. The tracker POSTs one JSON object per batch as
// text/plain (no CORS preflight); docs/tracker.md documents it for people.
// Keys are short because the tracker is size-bound and sends them often:
//
//	{
//	  "k": "site key",
//	  "v": "visitor id",          // cookie cw_vid
//	  "s": "session id",          // cookie cw_sid, optional
//	  "n": 1717171717171,         // browser clock at send time (ms), optional
//	  "c": {"tracking": true, "email": true, "push": false}, // consent as known, optional
//	  "e": [{
//	    "t": "add_to_cart",       // event type, or a custom event name
//	    "id": "3180392211…",      // random per event: de-duplication key
//	    "ts": 1717171717000,      // browser clock when it happened (ms)
//	    "u": "https://shop.example/p/1", // page URL, optional
//	    "pv": "1290033112…",      // page-view id, optional
//	    "p": {"product_id": "1", "quantity": 2} // properties, optional
//	  }]
//	}

// Event types the tracker sends. They are part of the public API (flow
// triggers, outbound webhooks, segment rules) and are defined once, in cdp,
// which every source of events shares.
const (
	EventPageView        = cdp.EventPageView
	EventProductView     = cdp.EventProductView
	EventAddToCart       = cdp.EventAddToCart
	EventRemoveFromCart  = cdp.EventRemoveFromCart
	EventSearch          = cdp.EventSearch
	EventCheckoutStarted = cdp.EventCheckoutStarted
	EventIdentify        = cdp.EventIdentify
	EventConsent         = cdp.EventConsent
	// EventCustom is the type of every event named by cartwheel.track()
	// with a name that is not one of the above; Event.Name holds the name.
	// Custom events never take a built-in type, so a browser cannot forge a
	// server-side event (order_placed, email_clicked…).
	EventCustom = "custom"
)

// Limits bounds what one batch may hold. The zero value is not usable: start
// from DefaultLimits.
type Limits struct {
	MaxBodyBytes  int           // the whole request body
	MaxEvents     int           // events per batch
	MaxPropsBytes int           // one event's "p", as sent
	MaxPropsDepth int           // nesting of objects and arrays in "p" (the object itself is 1)
	MaxPropsKeys  int           // keys and array items in "p", counted through the whole tree
	MaxString     int           // bytes of any string in "p", and of "u"
	MaxPast       time.Duration // oldest event time accepted
	MaxFuture     time.Duration // newest event time accepted, for clock drift
	MaxDwell      time.Duration // dwell_ms above this is clamped
}

// DefaultLimits are sized for the tracker (≤ 20 events a batch, small props)
// with room for REST and custom callers, and small enough that a hostile
// client costs little.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:  64 << 10,
		MaxEvents:     50,
		MaxPropsBytes: 8 << 10,
		MaxPropsDepth: 5,
		MaxPropsKeys:  128,
		MaxString:     2048,
		MaxPast:       7 * 24 * time.Hour,
		MaxFuture:     5 * time.Minute,
		MaxDwell:      24 * time.Hour,
	}
}

// Batch is a decoded, validated /collect body.
type Batch struct {
	SiteKey   string
	VisitorID string
	SessionID string // "" when not sent
	// ClientTime is the browser's clock when it sent the batch (zero when not
	// sent); Decode uses it to correct event times for a skewed clock.
	ClientTime time.Time
	Consent    Consent
	Events     []Event // the valid events only, in the order sent
}

// Consent is the consent state the tracker knew when sending. Tracking is
// true in every batch the tracker sends, since it sends nothing otherwise,
// whoever allowed it (the visitor, Shopify's Customer Privacy API, or a shop
// that does not ask first); Email and Push are the visitor's stated choices.
// Record consents from consent events, not from this. A nil field means
// "not stated"; values that are not booleans are ignored here (the consent
// event carrying them is rejected instead).
type Consent struct {
	Tracking *bool `json:"tracking,omitempty"`
	Email    *bool `json:"email,omitempty"`
	Push     *bool `json:"push,omitempty"`
}

// Event is one valid event of a batch, normalised.
type Event struct {
	Index      int    // position in the batch as sent, as in ItemError
	ID         string // the client's event id: de-duplicate on (visitor, ID)
	Type       string // one of the Event* constants
	Name       string // the custom event name when Type is EventCustom
	PageViewID string // "" when not sent
	URL        string // "" when not sent
	// Time is when the event happened, on the server's clock: the client
	// time corrected by the batch's clock skew, or the server's time when
	// TimeAdjusted.
	Time time.Time
	// TimeAdjusted is true when the client time was missing or outside
	// [now-MaxPast, now+MaxFuture] and Time is the server's time instead.
	TimeAdjusted bool
	// Props is a JSON object: what was sent, with known fields normalised
	// (ids as strings, email trimmed and lower-cased, dwell clamped).
	Props json.RawMessage
}

// ItemError says why the event at Index was rejected. The other events of
// the batch are unaffected.
type ItemError struct {
	Index   int    `json:"index"`
	Message string `json:"message"`
}

func (e ItemError) Error() string { return fmt.Sprintf("event %d: %s", e.Index, e.Message) }

// ErrBodyTooLarge is wrapped by Decode's error for a body over MaxBodyBytes;
// an HTTP handler answers 413 for it.
var ErrBodyTooLarge = errors.New("body too large")

var (
	// customNameRe: what cartwheel.track() accepts as a custom event name.
	customNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// wireBatch and wireEvent keep fields raw so each can be checked with its
// own clear message.
type wireBatch struct {
	K json.RawMessage `json:"k"`
	V json.RawMessage `json:"v"`
	S json.RawMessage `json:"s"`
	N json.RawMessage `json:"n"`
	C json.RawMessage `json:"c"`
	E json.RawMessage `json:"e"`
}

// wireBatchEvents is wireBatch with the events decoded in the same pass:
// the common case, where every event is an object, then costs one scan of
// the body instead of one per nesting level.
type wireBatchEvents struct {
	K json.RawMessage `json:"k"`
	V json.RawMessage `json:"v"`
	S json.RawMessage `json:"s"`
	N json.RawMessage `json:"n"`
	C json.RawMessage `json:"c"`
	E []wireEvent     `json:"e"`
}

type wireEvent struct {
	T  json.RawMessage `json:"t"`
	ID json.RawMessage `json:"id"`
	TS json.RawMessage `json:"ts"`
	U  json.RawMessage `json:"u"`
	PV json.RawMessage `json:"pv"`
	P  json.RawMessage `json:"p"`
}

// Decode parses and validates a /collect body received at now. The error is
// for a body that cannot be used at all (not a JSON object, too large, no
// valid site key or visitor id, too many events); otherwise the valid events
// are returned in the Batch and each invalid one has an ItemError. Decode
// never panics, whatever the input (see FuzzDecode).
func Decode(body []byte, lim Limits, now time.Time) (Batch, []ItemError, error) {
	var b Batch
	if len(body) > lim.MaxBodyBytes {
		return b, nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrBodyTooLarge, len(body), lim.MaxBodyBytes)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return b, nil, errors.New("body must be a JSON object")
	}
	// One pass when every event is an object; otherwise (an event that is
	// a string, a number, null…) the slow path reports each by index.
	var fast wireBatchEvents
	var w wireBatch
	var events []wireEvent
	var rawEvents []json.RawMessage
	if err := json.Unmarshal(body, &fast); err == nil && !hasNullEvent(fast.E) {
		w = wireBatch{K: fast.K, V: fast.V, S: fast.S, N: fast.N, C: fast.C}
		events = fast.E
	} else if err := json.Unmarshal(body, &w); err != nil {
		return b, nil, fmt.Errorf("body is not valid JSON: %v", err)
	}
	var ok bool
	if b.SiteKey, ok = token(w.K); !ok {
		return b, nil, errors.New(`"k" (site key) must be a string of 1-64 letters, digits, "_" or "-"`)
	}
	if b.VisitorID, ok = token(w.V); !ok {
		return b, nil, errors.New(`"v" (visitor id) must be a string of 1-64 letters, digits, "_" or "-"`)
	}
	if !isNull(w.S) {
		if b.SessionID, ok = token(w.S); !ok {
			return b, nil, errors.New(`"s" (session id) must be a string of 1-64 letters, digits, "_" or "-"`)
		}
	}
	if events == nil && !isNull(w.E) && json.Unmarshal(w.E, &rawEvents) != nil {
		return b, nil, errors.New(`"e" must be an array of events`)
	}
	n := len(events) + len(rawEvents)
	if n > lim.MaxEvents {
		return b, nil, fmt.Errorf(`"e" has %d events, the limit is %d`, n, lim.MaxEvents)
	}
	b.Consent = decodeConsent(w.C)

	// The browser's clock may be off: shift event times by the difference
	// between its clock and ours at send time, when it told us its time.
	var skew time.Duration
	if ms, ok := millis(w.N); ok {
		b.ClientTime = time.UnixMilli(ms)
		skew = now.Sub(b.ClientTime)
	}

	b.Events = make([]Event, 0, n)
	var errs []ItemError
	for i := range n {
		var ev Event
		var msg string
		if events != nil {
			ev, msg = checkEvent(&events[i], lim, now, skew)
		} else {
			ev, msg = decodeEvent(rawEvents[i], lim, now, skew)
		}
		if msg != "" {
			errs = append(errs, ItemError{Index: i, Message: msg})
			continue
		}
		ev.Index = i
		b.Events = append(b.Events, ev)
	}
	return b, errs, nil
}

// decodeEvent validates one event; a non-empty message rejects it.
func decodeEvent(raw json.RawMessage, lim Limits, now time.Time, skew time.Duration) (Event, string) {
	var ev Event
	var w wireEvent
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return ev, "event must be a JSON object"
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return ev, "event is not valid: " + err.Error()
	}
	return checkEvent(&w, lim, now, skew)
}

// hasNullEvent reports whether a decoded event list holds a null, which
// decodes to an empty event but must be reported as not being an object.
func hasNullEvent(evs []wireEvent) bool {
	for i := range evs {
		w := &evs[i]
		if w.T == nil && w.ID == nil && w.TS == nil && w.U == nil && w.PV == nil && w.P == nil {
			return true
		}
	}
	return false
}

// checkEvent validates one decoded event; a non-empty message rejects it.
func checkEvent(w *wireEvent, lim Limits, now time.Time, skew time.Duration) (Event, string) {
	var ev Event
	name, ok := rawString(w.T)
	if !ok || name == "" {
		return ev, `"t" (type) must be a non-empty string`
	}
	ev.Type = name
	if !isStandard(name) {
		if !customNameRe.MatchString(name) {
			return ev, fmt.Sprintf("unknown event type %.70q: a custom event name must match %s", name, customNameRe)
		}
		if cdp.ServerOnlyType(name) {
			// A page must not be able to forge a sale or a send.
			return ev, fmt.Sprintf("event type %q is logged by the server only: a browser cannot send it", name)
		}
		ev.Type, ev.Name = EventCustom, name
	}
	if ev.ID, ok = token(w.ID); !ok {
		return ev, `"id" must be a string of 1-64 letters, digits, "_" or "-"`
	}
	if !isNull(w.PV) {
		if ev.PageViewID, ok = token(w.PV); !ok {
			return ev, `"pv" (page-view id) must be a string of 1-64 letters, digits, "_" or "-"`
		}
	}
	if !isNull(w.U) {
		if ev.URL, ok = rawString(w.U); !ok {
			return ev, `"u" (URL) must be a string`
		}
		if msg := checkURL(ev.URL, lim.MaxString); msg != "" {
			return ev, `"u" ` + msg
		}
	}
	ev.Time, ev.TimeAdjusted = eventTime(w.TS, lim, now, skew)

	props, msg := decodeProps(w.P, lim)
	if msg != "" {
		return ev, msg
	}
	var n normalised
	if msg := checkProps(ev.Type, props, lim, &n); msg != "" {
		return ev, msg
	}
	if !n.changed {
		// Valid JSON, within the limits, every field already in its normal
		// form: keep the bytes as sent.
		if isNull(w.P) {
			ev.Props = json.RawMessage("{}")
		} else {
			ev.Props = bytes.TrimSpace(w.P)
		}
		return ev, ""
	}
	out, err := json.Marshal(props)
	if err != nil {
		// Cannot happen for values that came out of the decoder; reject the
		// event rather than store something half-made.
		return ev, "props cannot be encoded: " + err.Error()
	}
	ev.Props = out
	return ev, ""
}

// eventTime turns "ts" into server time, replacing it with now when it is
// missing or implausible.
func eventTime(raw json.RawMessage, lim Limits, now time.Time, skew time.Duration) (time.Time, bool) {
	ms, ok := millis(raw)
	if !ok {
		return now, true
	}
	t := time.UnixMilli(ms).Add(skew)
	if t.Before(now.Add(-lim.MaxPast)) || t.After(now.Add(lim.MaxFuture)) {
		return now, true
	}
	return t, false
}

// millis reads a JSON number of Unix milliseconds within ±(2^53) — what a
// browser's Date.now() can hold. Anything else is "not given".
func millis(raw json.RawMessage) (int64, bool) {
	if isNull(raw) {
		return 0, false
	}
	if n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64); err == nil {
		if n > 1<<53 || n < -(1<<53) {
			return 0, false
		}
		return n, true
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// token reads a JSON string that must be 1-64 of [A-Za-z0-9_-]: ids and
// keys the tracker makes (digits) or a server may make (UUIDs, base64url).
func token(raw json.RawMessage) (string, bool) {
	s, ok := rawString(raw)
	if !ok || !isToken(s) {
		return "", false
	}
	return s, true
}

// rawString decodes a JSON string. Most strings here have no escapes, and
// for those it is a slice instead of a trip through reflection: this runs
// several times for every event.
func rawString(raw json.RawMessage) (string, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return "", false
	}
	if inner := t[1 : len(t)-1]; bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && plain(inner) {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(t, &s); err != nil {
		return "", false
	}
	return s, true
}

// plain reports whether b is valid UTF-8 without control characters, so
// that it decodes to itself.
func plain(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 {
			return c >= 0x80 && utf8.Valid(b)
		}
	}
	return true
}

// ValidID reports whether s has the form of the tracker's visitor, session
// and event ids: ^[A-Za-z0-9_-]{1,64}$. Other endpoints the browser calls
// with the visitor id (push subscriptions) check it with this.
func ValidID(s string) bool { return isToken(s) }

// isToken checks ^[A-Za-z0-9_-]{1,64}$ without the regexp engine: it runs
// for every id of every event, on the hottest path.
func isToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// decodeConsent keeps the boolean fields of "c" and ignores the rest: a
// malformed consent state must not cost the whole batch.
func decodeConsent(raw json.RawMessage) Consent {
	var m map[string]json.RawMessage
	var c Consent
	if json.Unmarshal(raw, &m) != nil {
		return c
	}
	c.Tracking, c.Email, c.Push = boolField(m["tracking"]), boolField(m["email"]), boolField(m["push"])
	return c
}

func boolField(raw json.RawMessage) *bool {
	var b bool
	if isNull(raw) || json.Unmarshal(raw, &b) != nil {
		return nil
	}
	return &b
}
