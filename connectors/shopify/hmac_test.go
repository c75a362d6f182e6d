package shopify

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

// Vector from docs/protocols.md §1.2 (computed with Python's hmac).
const (
	vecSecret = "hush"
	vecBody   = `{"id":788032119674292922}`
	vecHeader = "fhhqwxYconmiOqTJ0cD1XzOlT7ONdp6Ryc18pkvlq5Q="
)

func TestVerifyWebhook(t *testing.T) {
	body := []byte(vecBody)
	if got := SignWebhook(vecSecret, body); got != vecHeader {
		t.Fatalf("SignWebhook = %s, want %s", got, vecHeader)
	}
	cases := []struct {
		name   string
		secret string
		body   string
		header string
		want   bool
	}{
		{"vector", vecSecret, vecBody, vecHeader, true},
		{"surrounding space in header", vecSecret, vecBody, " " + vecHeader + "\n", true},
		{"tampered body", vecSecret, `{"id":788032119674292923}`, vecHeader, false},
		{"body with added space", vecSecret, vecBody + " ", vecHeader, false},
		{"wrong secret", "hush2", vecBody, vecHeader, false},
		{"empty secret", "", vecBody, SignWebhook("", body), false},
		{"empty header", vecSecret, vecBody, "", false},
		{"not base64", vecSecret, vecBody, "%%%", false},
		{"hex instead of base64", vecSecret, vecBody, "7e186ac3162872", false},
		{"truncated", vecSecret, vecBody, vecHeader[:20], false},
	}
	for _, c := range cases {
		if got := VerifyWebhook(c.secret, []byte(c.body), c.header); got != c.want {
			t.Errorf("%s: VerifyWebhook = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestVerifyQueryVectors(t *testing.T) {
	// docs/protocols.md §1.5, secret "hush"; timestamp 1337178173.
	now := time.Unix(1337178173, 0)
	cases := []struct {
		raw, hmac string
	}{
		{"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173",
			"4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"},
		{"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173",
			"700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"},
	}
	for _, c := range cases {
		q, err := url.ParseQuery(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := SignQuery(vecSecret, q); got != c.hmac {
			t.Errorf("SignQuery(%s) = %s, want %s", c.raw, got, c.hmac)
		}
		q.Set("hmac", c.hmac)
		if err := VerifyQuery(vecSecret, q, now); err != nil {
			t.Errorf("VerifyQuery(%s): %v", c.raw, err)
		}
		// The legacy signature parameter is not part of the message.
		q.Set("signature", "ignored")
		if err := VerifyQuery(vecSecret, q, now); err != nil {
			t.Errorf("VerifyQuery with signature: %v", err)
		}
	}
}

func TestVerifyQueryRejects(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	signed := func(mut func(url.Values)) url.Values {
		q := url.Values{"shop": {"cool.myshopify.com"}, "code": {"abc"}, "state": {"n1"},
			"timestamp": {"1772366400"}} // 2026-03-01T12:00:00Z
		if mut != nil {
			mut(q)
		}
		q.Set("hmac", SignQuery("s3cret", q))
		return q
	}
	if err := VerifyQuery("s3cret", signed(nil), now); err != nil {
		t.Fatalf("fresh query rejected: %v", err)
	}
	cases := []struct {
		name string
		q    url.Values
		want error
	}{
		{"tampered shop", func() url.Values { q := signed(nil); q.Set("shop", "evil.myshopify.com"); return q }(), ErrBadSignature},
		{"added parameter", func() url.Values { q := signed(nil); q.Set("host", "x"); return q }(), ErrBadSignature},
		{"no hmac", func() url.Values { q := signed(nil); q.Del("hmac"); return q }(), ErrBadSignature},
		{"two hmacs", func() url.Values { q := signed(nil); q.Add("hmac", q.Get("hmac")); return q }(), ErrBadSignature},
		{"hmac not hex", func() url.Values { q := signed(nil); q.Set("hmac", "zz"); return q }(), ErrBadSignature},
		{"older than a day", signed(func(q url.Values) { q.Set("timestamp", "1772276400") }), ErrStaleQuery},  // 25 h ago
		{"two minutes ahead", signed(func(q url.Values) { q.Set("timestamp", "1772366520") }), ErrStaleQuery}, // +120 s
		{"timestamp not a number", signed(func(q url.Values) { q.Set("timestamp", "soon") }), ErrStaleQuery},
	}
	for _, c := range cases {
		if err := VerifyQuery("s3cret", c.q, now); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if err := VerifyQuery("", signed(nil), now); !errors.Is(err, ErrBadSignature) {
		t.Errorf("empty secret: err = %v", err)
	}
	// Within the tolerances: 23 h old, 60 s ahead, and no timestamp at all.
	for _, ts := range []string{"1772283600", "1772366460", ""} {
		q := signed(func(q url.Values) {
			if ts == "" {
				q.Del("timestamp")
			} else {
				q.Set("timestamp", ts)
			}
		})
		if err := VerifyQuery("s3cret", q, now); err != nil {
			t.Errorf("timestamp %q rejected: %v", ts, err)
		}
	}
}

func TestQueryMessageEncoding(t *testing.T) {
	// URLSearchParams encoding: space as %20, '*' kept, '~' and ',' encoded,
	// repeated keys joined by ",", keys sorted, hmac/signature dropped.
	q := url.Values{"b": {"x y*~"}, "a": {"1", "2"}, "hmac": {"h"}, "signature": {"s"}, "ü": {"é"}}
	want := "a=1%2C2&b=x%20y*%7E&%C3%BC=%C3%A9"
	if got := queryMessage(q); got != want {
		t.Errorf("queryMessage = %s, want %s", got, want)
	}
}

func TestVerifyProxy(t *testing.T) {
	// The example of Shopify's App Proxy documentation (secret "hush"):
	// message "extra=1,2path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555".
	raw := "extra=1&extra=2&shop=shop-name.myshopify.com&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555" +
		"&signature=a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3"
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyProxy(vecSecret, q) {
		t.Fatal("documented App Proxy example does not verify")
	}
	if got := SignProxy(vecSecret, q); got != q.Get("signature") {
		t.Errorf("SignProxy = %s", got)
	}
	tamper := []func(url.Values){
		func(q url.Values) { q.Set("path_prefix", "/apps/other") },
		func(q url.Values) { q.Add("extra", "3") },
		func(q url.Values) { q.Add("shop", "evil.myshopify.com") },
		func(q url.Values) { q.Set("signature", "00") },
		func(q url.Values) { q.Del("signature") },
		func(q url.Values) { q.Set("logged_in_customer_id", "42") },
	}
	for i, f := range tamper {
		c, _ := url.ParseQuery(raw)
		f(c)
		if VerifyProxy(vecSecret, c) {
			t.Errorf("tampered query %d verifies: %v", i, c)
		}
	}
	if VerifyProxy("", q) {
		t.Error("empty secret verifies")
	}
	if VerifyProxy("other", q) {
		t.Error("wrong secret verifies")
	}
}

func TestValidShopDomain(t *testing.T) {
	cases := map[string]bool{
		"cool-shop.myshopify.com":         true,
		"Cool_Shop.MyShopify.com":         true,
		"a.myshopify.com":                 true,
		"9lives.myshopify.com":            true,
		"":                                false,
		"myshopify.com":                   false,
		".myshopify.com":                  false,
		"-shop.myshopify.com":             false,
		"https://cool.myshopify.com":      false,
		"cool.myshopify.com/admin":        false,
		"cool.myshopify.com:443":          false,
		"cool.myshopify.com.evil.com":     false,
		"evil.com/cool.myshopify.com":     false,
		"cool.shopify.com":                false,
		"sub.cool.myshopify.com":          false,
		"cool.myshopify.com\n":            false,
		"cool shop.myshopify.com":         false,
		"cool.myshopify.com?x=1":          false,
		"coolxmyshopifyxcom":              false,
		"cool.myshopify.com.":             false,
		"xn--caf-dma.myshopify.com":       true,
		"user@cool.myshopify.com":         false,
		"cool.myshopify.com#frag":         false,
		"cool%2Emyshopify.com":            false,
		"cool.myshopify.comevil.com":      false,
		"cool.myshopify.com/":             false,
		"\u0441ool.myshopify.com":         false, // Cyrillic с
		"cool..myshopify.com":             false,
		"cool.myshopify.co":               false,
		"cool.myshopify.com\x00.evil.com": false,
	}
	for in, want := range cases {
		if got := ValidShopDomain(in); got != want {
			t.Errorf("ValidShopDomain(%q) = %v, want %v", in, got, want)
		}
	}
}
