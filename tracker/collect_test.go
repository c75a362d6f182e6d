package tracker

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// batchJSON wraps events in a valid batch.
func batchJSON(events ...string) []byte {
	return []byte(`{"k":"site_1","v":"v123456789","s":"s1","e":[` + strings.Join(events, ",") + `]}`)
}

// ev builds one event sent now with props p.
func ev(t, p string) string {
	return fmt.Sprintf(`{"t":%q,"id":"e%d","ts":%d,"u":"https://shop.example/x","pv":"pv1","p":%s}`, t, len(t)+len(p), testNow.UnixMilli(), p)
}

func decodeOne(t *testing.T, event string) (Event, []ItemError) {
	t.Helper()
	b, errs, err := Decode(batchJSON(event), DefaultLimits(), testNow)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(b.Events)+len(errs) != 1 {
		t.Fatalf("%d events and %d errors for one event", len(b.Events), len(errs))
	}
	if len(b.Events) == 1 {
		return b.Events[0], nil
	}
	return Event{}, errs
}

func TestDecodeBatch(t *testing.T) {
	body := []byte(`{"k":"site_1","v":"v123456789","s":"s_42","n":` + fmt.Sprint(testNow.UnixMilli()) + `,
		"c":{"tracking":true,"email":"yes","push":false},
		"e":[` + ev("page_view", `{"referrer":"https://google.com/","title":"Home","utm_source":"news"}`) + `,` +
		ev("nonsense type", `{}`) + `,` +
		ev("add_to_cart", `{"product_id":42,"quantity":"2"}`) + `]}`)
	b, errs, err := Decode(body, DefaultLimits(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if b.SiteKey != "site_1" || b.VisitorID != "v123456789" || b.SessionID != "s_42" || !b.ClientTime.Equal(testNow) {
		t.Errorf("batch header %+v", b)
	}
	if b.Consent.Tracking == nil || !*b.Consent.Tracking || b.Consent.Email != nil || b.Consent.Push == nil || *b.Consent.Push {
		t.Errorf("consent %+v: want tracking true, email ignored (not a boolean), push false", b.Consent)
	}
	if len(errs) != 1 || errs[0].Index != 1 || !strings.Contains(errs[0].Message, "unknown event type") {
		t.Errorf("item errors %v, want one for index 1", errs)
	}
	if len(b.Events) != 2 || b.Events[0].Index != 0 || b.Events[1].Index != 2 {
		t.Fatalf("events %+v: the good ones around a bad one must be kept, with their indexes", b.Events)
	}
	if got := string(b.Events[1].Props); got != `{"product_id":"42","quantity":2}` {
		t.Errorf("add_to_cart props %s: ids are normalised to strings, quantity to a number", got)
	}
	pv := b.Events[0]
	if pv.Type != EventPageView || pv.URL != "https://shop.example/x" || pv.PageViewID != "pv1" || !pv.Time.Equal(testNow) || pv.TimeAdjusted {
		t.Errorf("page_view %+v", pv)
	}
}

func TestDecodeRefusesBody(t *testing.T) {
	lim := DefaultLimits()
	many := make([]string, lim.MaxEvents+1)
	for i := range many {
		many[i] = ev("page_view", "{}")
	}
	for name, tc := range map[string]struct {
		body string
		want string
	}{
		"empty":           {"", "JSON object"},
		"array":           {`[{"k":"a"}]`, "JSON object"},
		"not json":        {`{"k":`, "not valid JSON"},
		"trailing":        {`{"k":"a","v":"b1234567"} x`, "not valid JSON"},
		"no site key":     {`{"v":"v1","e":[]}`, `"k"`},
		"site key type":   {`{"k":7,"v":"v1"}`, `"k"`},
		"bad visitor":     {`{"k":"a","v":"has space"}`, `"v"`},
		"long visitor":    {`{"k":"a","v":"` + strings.Repeat("v", 65) + `"}`, `"v"`},
		"bad session":     {`{"k":"a","v":"v1","s":"<x>"}`, `"s"`},
		"events not list": {`{"k":"a","v":"v1","e":{"t":"page_view"}}`, `"e" must be an array`},
		"too many events": {string(batchJSON(many...)), "limit is 50"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Decode([]byte(tc.body), lim, testNow)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	_, _, err := Decode(make([]byte, lim.MaxBodyBytes+1), lim, testNow)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("oversized body: %v, want ErrBodyTooLarge", err)
	}
	if b, errs, err := Decode([]byte(`{"k":"a","v":"v1"}`), lim, testNow); err != nil || len(b.Events) != 0 || len(errs) != 0 {
		t.Errorf("a batch without events: %v %v %v", b, errs, err)
	}
}

func TestDecodeEventSchemas(t *testing.T) {
	long := strings.Repeat("x", DefaultLimits().MaxString+1)
	deep := `{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}`
	manyKeys := `{` + strings.TrimSuffix(strings.Repeat(`"k":1,`, 1), ",")
	for i := range 130 {
		manyKeys += fmt.Sprintf(`,"k%d":1`, i)
	}
	manyKeys += `}`
	for _, tc := range []struct {
		event, wantErr, wantProps string
	}{
		{ev("page_view", `{}`), "", `{}`},
		{`{"t":"page_view","id":"x1"}`, "", `{}`}, // no p, no ts, no u: all optional
		{ev("page_view", `{"title":5}`), "title must be a string", ""},
		{ev("product_view", `{"product":{"id":7,"title":"Mug"},"dwell_ms":1500}`), "", `{"dwell_ms":1500,"product":{"id":"7","title":"Mug"}}`},
		{ev("product_view", `{"product":{"id":"p1"},"dwell_ms":999999999999}`), "", `{"dwell_ms":86400000,"product":{"id":"p1"}}`},
		{ev("product_view", `{"dwell_ms":5}`), "needs a product object", ""},
		{ev("product_view", `{"product":{"title":"no id"}}`), "product.id is required", ""},
		{ev("product_view", `{"product":{"id":"p"},"dwell_ms":-1}`), "dwell_ms", ""},
		{ev("add_to_cart", `{"variant_id":"4001","quantity":1}`), "", `{"quantity":1,"variant_id":"4001"}`},
		{ev("add_to_cart", `{"product_id":"p1"}`), "quantity", ""},
		{ev("add_to_cart", `{"product_id":"p1","quantity":0}`), "quantity", ""},
		{ev("add_to_cart", `{"product_id":"p1","quantity":1.5}`), "quantity", ""},
		{ev("add_to_cart", `{"product_id":1.5,"quantity":1}`), "product_id must be a string or an integer", ""},
		{ev("add_to_cart", `{"quantity":1}`), "needs product_id or variant_id", ""},
		{ev("add_to_cart", `{"product_id":"<script>","quantity":1}`), "product_id must be 1-128 letters", ""},
		{ev("add_to_cart", `{"product_id":null,"variant_id":null,"quantity":1}`), "needs product_id or variant_id", ""},
		{ev("add_to_cart", `{"product_id":"p1","quantity":2,"product":"x"}`), "product must be an object", ""},
		{ev("remove_from_cart", `{"variant_id":4001}`), "", `{"variant_id":"4001"}`},
		{ev("search", `{"query":"  mugs "}`), "", `{"query":"mugs"}`},
		{ev("search", `{"query":" "}`), "non-empty query", ""},
		{ev("checkout_started", `{"checkout_token":"tok_1"}`), "", `{"checkout_token":"tok_1"}`},
		{ev("checkout_started", `{}`), "checkout_token", ""},
		{ev("identify", `{"email":" Ada@Example.COM ","first_name":"Ada"}`), "", `{"email":"ada@example.com","first_name":"Ada"}`},
		{ev("identify", `{"customer_id":991}`), "", `{"customer_id":"991"}`},
		{ev("identify", `{"phone":"+44 20 7946 0000"}`), "", `{"phone":"+44 20 7946 0000"}`},
		{ev("identify", `{"email":"not-an-email"}`), "email", ""},
		{ev("identify", `{"phone":"call me"}`), "phone", ""},
		{ev("identify", `{"first_name":"Ada"}`), "needs email, phone or customer_id", ""},
		{ev("consent", `{"tracking":true}`), "", `{"tracking":true}`},
		{ev("consent", `{"email":"yes"}`), "email must be true or false", ""},
		{ev("consent", `{}`), "consent needs", ""},
		{ev("custom_thing", `{"a":1,"nested":{"b":[1,2]}}`), "", `{"a":1,"nested":{"b":[1,2]}}`},
		{ev("Custom-Thing", `{}`), "unknown event type", ""},
		{ev("custom_thing", `{"n":1e400}`), "out of range", ""},
		{ev("page_view", `[]`), "p must be an object", ""},
		{ev("page_view", `"x"`), "p must be an object", ""},
		{ev("page_view", `{"s":"`+long+`"}`), "longer than", ""},
		{ev("page_view", deep), "nested deeper", ""},
		{ev("page_view", manyKeys), "more than 128 keys", ""},
		{ev("page_view", `{"`+strings.Repeat("k", 65)+`":1}`), "keys must be 1-64 bytes", ""},
		{ev("page_view", `{"big":"`+strings.Repeat("y", 9000)+`"}`), "the limit is 8192", ""},
		{`{"t":"page_view","id":"x1","u":"javascript:alert(1)"}`, `"u" must be an http(s) URL`, ""},
		{`{"t":"page_view","id":"x1","u":7}`, `"u" (URL) must be a string`, ""},
		{`{"t":"page_view","id":"x1","pv":"a b"}`, `"pv"`, ""},
		{`{"t":"page_view"}`, `"id"`, ""},
		{`{"id":"x1"}`, `"t"`, ""},
		{`"page_view"`, "must be a JSON object", ""},
	} {
		t.Run(tc.event[:min(len(tc.event), 60)], func(t *testing.T) {
			e, errs := decodeOne(t, tc.event)
			if tc.wantErr != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Message, tc.wantErr) {
					t.Errorf("errors %v, want one mentioning %q", errs, tc.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors %v", errs)
			}
			// Props are compared as JSON values: unchanged props keep the
			// key order they were sent in, normalised ones are re-encoded.
			var got, want any
			if json.Unmarshal(e.Props, &got) != nil || json.Unmarshal([]byte(tc.wantProps), &want) != nil ||
				!reflect.DeepEqual(got, want) {
				t.Errorf("props %s, want %s", e.Props, tc.wantProps)
			}
		})
	}
}

func TestDecodeCustomEvents(t *testing.T) {
	e, _ := decodeOne(t, ev("wishlist_add", `{}`))
	if e.Type != EventCustom || e.Name != "wishlist_add" {
		t.Errorf("custom event decoded as %q/%q", e.Type, e.Name)
	}
	// A browser cannot forge a server-side type: the event is refused,
	// naming why (issue 12; it used to be kept as a custom event).
	for _, name := range []string{"order_placed", "checkout_updated", "email_sent", "push_clicked", "flow_entered"} {
		if _, errs := decodeOne(t, ev(name, `{"total":1}`)); len(errs) != 1 || !strings.Contains(errs[0].Message, "server only") {
			t.Errorf("%s from a browser: errors %v, want one refusing it", name, errs)
		}
	}
	// track() with a standard name is that standard event, schema and all.
	if _, errs := decodeOne(t, ev("add_to_cart", `{}`)); len(errs) != 1 {
		t.Errorf("track('add_to_cart', {}) must meet the add_to_cart schema")
	}
}

func TestDecodeTimes(t *testing.T) {
	lim := DefaultLimits()
	at := func(ts any, n any) Event {
		t.Helper()
		body := fmt.Sprintf(`{"k":"a","v":"v1","n":%s,"e":[{"t":"page_view","id":"x","ts":%s}]}`, jsonOf(n), jsonOf(ts))
		b, errs, err := Decode([]byte(body), lim, testNow)
		if err != nil || len(errs) > 0 || len(b.Events) != 1 {
			t.Fatalf("%s: %v %v", body, err, errs)
		}
		return b.Events[0]
	}
	ms := func(d time.Duration) int64 { return testNow.Add(d).UnixMilli() }

	if e := at(ms(-time.Hour), nil); !e.Time.Equal(testNow.Add(-time.Hour)) || e.TimeAdjusted {
		t.Errorf("an hour ago: %v adjusted=%v", e.Time, e.TimeAdjusted)
	}
	for name, ts := range map[string]any{
		"missing": nil, "a string": "yesterday", "8 days ago": ms(-8 * 24 * time.Hour),
		"in an hour": ms(time.Hour), "huge": 1e300, "negative": -5,
	} {
		if e := at(ts, nil); !e.Time.Equal(testNow) || !e.TimeAdjusted {
			t.Errorf("%s: time %v adjusted=%v, want the server's time, adjusted", name, e.Time, e.TimeAdjusted)
		}
	}
	// A browser clock two hours slow: its event of "10 minutes ago" by its
	// own clock happened 10 minutes ago by ours.
	slow := -2 * time.Hour
	if e := at(ms(slow-10*time.Minute), ms(slow)); !e.Time.Equal(testNow.Add(-10*time.Minute)) || e.TimeAdjusted {
		t.Errorf("skewed clock: %v adjusted=%v, want 10 minutes ago", e.Time, e.TimeAdjusted)
	}
	// A clock a year fast would put everything in the future: corrected.
	fast := 365 * 24 * time.Hour
	if e := at(ms(fast-time.Minute), ms(fast)); !e.Time.Equal(testNow.Add(-time.Minute)) || e.TimeAdjusted {
		t.Errorf("fast clock: %v adjusted=%v", e.Time, e.TimeAdjusted)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func FuzzIsToken(f *testing.F) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, s := range []string{"", "a", "abc-DEF_123", "a b", "é", strings.Repeat("x", 64), strings.Repeat("x", 65), "a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isToken(s) != re.MatchString(s) {
			t.Fatalf("isToken(%q) = %v, the pattern says %v", s, isToken(s), re.MatchString(s))
		}
	})
}
