package tracker

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzDecode: whatever the body, Decode does not panic, and what it accepts
// holds together (valid JSON props, known types, indexes in range, no event
// both accepted and rejected).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(batchJSON(ev("page_view", `{"referrer":"","title":"T","utm_source":"x"}`))))
	f.Add([]byte(batchJSON(
		ev("product_view", `{"product":{"id":"p-1","title":"Mug","price_minor":1200},"dwell_ms":3000}`),
		ev("add_to_cart", `{"product_id":42,"variant_id":"4001","quantity":"2","product":{"id":"42"}}`),
		ev("remove_from_cart", `{"variant_id":4001}`),
		ev("search", `{"query":"mug"}`),
		ev("checkout_started", `{"checkout_token":"c1"}`),
		ev("identify", `{"email":"A@B.co","phone":"+1 555 0100","customer_id":7}`),
		ev("consent", `{"tracking":true,"email":false}`),
		ev("custom_thing", `{"a":[1,{"b":null}],"c":1e300}`),
	)))
	f.Add([]byte(`{"k":"a","v":"v1","n":1e20,"c":[],"e":[{"t":"page_view","id":"1","ts":-1e309,"p":null}]}`))
	f.Add([]byte(`{"k":"a","v":"v1","e":[{"t":"","id":""},[],null,"x",{"t":"add_to_cart","id":"z","p":{"quantity":1e18}}]}`))
	f.Add([]byte(`{"k":"a","v":"v1","e":[{"t":"page_view","id":"1","p":{"a":{"b":{"c":{"d":{"e":{}}}}}}}]}`))
	f.Add([]byte(`{"K":"a","V":"v1","E":[{"T":"page_view","ID":"1","U":"http://x"}]}`))
	f.Add([]byte("{\"k\":\"a\",\"v\":\"v1\",\"e\":[{\"t\":\"identify\",\"id\":\"1\",\"p\":{\"email\":\"\xff@x.y\"}}]}"))
	f.Add([]byte(`{"k":"a","v":"v1"}{}`))
	f.Add([]byte(batchJSON(ev("custom_thing", `{"c":1e400}`))))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	lim := DefaultLimits()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, errs, err := Decode(body, lim, now)
		if err != nil {
			if len(b.Events) > 0 || len(errs) > 0 {
				t.Fatalf("a refused body returned events or item errors")
			}
			return
		}
		seen := map[int]bool{}
		for _, ie := range errs {
			if ie.Message == "" || seen[ie.Index] {
				t.Fatalf("item error %+v: empty or duplicate", ie)
			}
			seen[ie.Index] = true
		}
		for _, e := range b.Events {
			if seen[e.Index] {
				t.Fatalf("event %d both accepted and rejected", e.Index)
			}
			seen[e.Index] = true
			if !isStandard(e.Type) && !(e.Type == EventCustom && customNameRe.MatchString(e.Name)) {
				t.Fatalf("accepted event of type %q name %q", e.Type, e.Name)
			}
			var p map[string]any
			if json.Unmarshal(e.Props, &p) != nil || p == nil {
				t.Fatalf("props %q are not a JSON object", e.Props)
			}
			if e.Time.Before(now.Add(-lim.MaxPast)) || e.Time.After(now.Add(lim.MaxFuture)) {
				t.Fatalf("event time %v out of the window", e.Time)
			}
			if e.URL != "" && !strings.HasPrefix(e.URL, "http") {
				t.Fatalf("url %q", e.URL)
			}
		}
		if len(seen) > lim.MaxEvents {
			t.Fatalf("%d events accepted or rejected, more than the limit", len(seen))
		}
	})
}
