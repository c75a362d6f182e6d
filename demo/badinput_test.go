package demo

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseCart(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		"demo-p-001:2":                       "demo-p-001:2",
		"demo-p-001:2|demo-p-001:3":          "demo-p-001:5",
		"demo-p-001:500":                     "demo-p-001:99",
		"demo-p-001:60|demo-p-001:60":        "demo-p-001:99",
		"demo-p-001:0|demo-p-002:-4":         "",
		"demo-p-001:x|:3|demo-p-002|a:b:c":   "",
		`demo-p-001:1|"><script>:1|ü:1`:      "demo-p-001:1",
		"demo-p-001:99999999999999999999999": "",
	} {
		if got := encodeCart(parseCart(in)); got != want {
			t.Errorf("parseCart(%q) = %q, want %q", in, got, want)
		}
	}
	var many []string
	for i := range 80 {
		many = append(many, fmt.Sprintf("p%d:1", i))
	}
	if n := len(parseCart(strings.Join(many, "|"))); n != maxLines {
		t.Errorf("80 lines parsed to %d, want %d", n, maxLines)
	}
}

// TestTamperedCartCookie: whatever the cookie holds, pages render, and only
// real, buyable products at sane quantities reach the cart.
func TestTamperedCartCookie(t *testing.T) {
	shop := newTestShop(t)
	var soldOut string
	for _, p := range Catalog("", "", "", "", testNow) {
		if p.Stock == 0 {
			soldOut = p.ID
			break
		}
	}
	var sixty []string
	for i := 1; i <= 60; i++ {
		sixty = append(sixty, fmt.Sprintf("demo-p-%03d:1", i))
	}
	for name, value := range map[string]string{
		"garbage":       "%%%garbage%%%",
		"json":          `{"items":[{"id":"demo-p-001","qty":1}]}`,
		"quoted":        `"demo-p-001:1|nope:1"`,
		"unknown ids":   "demo-p-999:1|nope:2",
		"sold out":      soldOut + ":1",
		"negative":      "demo-p-001:-5",
		"huge quantity": "demo-p-001:100000",
		"sixty lines":   strings.Join(sixty, "|"),
		"long":          strings.Repeat("demo-p-001:1|", 300),
	} {
		t.Run(name, func(t *testing.T) {
			b := shop.shopper("")
			// Straight into the header: a cookie jar would tidy the value.
			get := func(path string) response {
				req, err := http.NewRequest(http.MethodGet, shop.url+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Cookie", cartCookie+"="+value)
				return b.do(req)
			}
			for _, path := range []string{"/demo/", "/demo/checkout", "/demo/p/" + Catalog("", "", "", "", testNow)[0].Handle} {
				if r := get(path); r.status >= 500 {
					t.Fatalf("%s: %d\n%.300s", path, r.status, r.body)
				}
			}
			cart := get("/demo/cart")
			wantStatus(t, "cart", cart, http.StatusOK)
			lines := strings.Count(cart.body, "data-cartwheel-remove-from-cart")
			switch name {
			case "huge quantity", "long":
				if lines != 1 || !strings.Contains(cart.body, `value="99"`) {
					t.Errorf("want one line of 99, got %d lines", lines)
				}
			case "sixty lines":
				// Sold-out products among the first fifty are dropped too.
				if lines < 45 || lines > maxLines {
					t.Errorf("%d lines, want at most %d", lines, maxLines)
				}
			case "quoted":
				// A cookie value may be quoted; the quotes are not part of it.
				if lines != 1 {
					t.Errorf("%d lines, want 1", lines)
				}
			case "json":
				// Not a valid cookie value at all: net/http ignores it, and
				// so, unable to see it, does the shop.
				if lines != 0 {
					t.Errorf("%d lines from a JSON cookie", lines)
				}
			default:
				if lines != 0 {
					t.Errorf("%d lines from a cookie with nothing valid in it", lines)
				}
				if sc := cart.header.Get("Set-Cookie"); !strings.HasPrefix(sc, cartCookie+"=;") || !strings.Contains(sc, "Max-Age=0") {
					t.Errorf("the cart page left the bad cookie in place: Set-Cookie %q", sc)
				}
			}
		})
	}
}

func TestBadInputGets4xx(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	b.add("demo-p-001", "1")

	post := func(path, body, contentType string) response {
		req, err := http.NewRequest(http.MethodPost, shop.url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		return b.do(req)
	}
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name   string
		r      func() response
		status int
	}{
		{"non-numeric quantity", func() response { return b.add("demo-p-001", "abc") }, http.StatusBadRequest},
		{"zero quantity on add", func() response { return b.add("demo-p-001", "0") }, http.StatusBadRequest},
		{"negative quantity", func() response { return b.add("demo-p-001", "-3") }, http.StatusBadRequest},
		{"overflowing quantity", func() response { return b.add("demo-p-001", "99999999999999999999") }, http.StatusBadRequest},
		{"float quantity", func() response { return b.add("demo-p-001", "1.5") }, http.StatusBadRequest},
		{"unknown product", func() response { return b.add("demo-p-999", "1") }, http.StatusNotFound},
		{"missing product", func() response { return b.post("/demo/cart/add", url.Values{"quantity": {"1"}}) }, http.StatusNotFound},
		{"hostile product id", func() response { return b.add(`"><script>alert(1)</script>`, "1") }, http.StatusNotFound},
		{"update without quantity", func() response {
			return b.post("/demo/cart/update", url.Values{"product_id": {"demo-p-001"}})
		}, http.StatusBadRequest},
		{"update unknown product", func() response {
			return b.post("/demo/cart/update", url.Values{"product_id": {"demo-p-999"}, "quantity": {"1"}})
		}, http.StatusNotFound},
		{"malformed form body", func() response { return post("/demo/cart/add", "product_id=%zz&quantity=1", form) }, http.StatusBadRequest},
		{"oversized form body", func() response {
			return post("/demo/cart/add", "product_id=demo-p-001&pad="+strings.Repeat("a", 2*maxFormBytes), form)
		}, http.StatusBadRequest},
		{"missing email", func() response { return b.post("/demo/checkout", url.Values{"name": {"Anna"}}) }, http.StatusBadRequest},
		{"email with a display name", func() response {
			return b.post("/demo/checkout", url.Values{"email": {"Anna <anna@example.com>"}})
		}, http.StatusBadRequest},
		{"overlong name", func() response {
			return b.post("/demo/checkout", url.Values{"email": {"anna@example.com"}, "name": {strings.Repeat("n", 101)}})
		}, http.StatusBadRequest},
		{"newsletter without email", func() response { return b.post("/demo/newsletter", url.Values{}) }, http.StatusBadRequest},
		{"newsletter bad email", func() response {
			return b.post("/demo/newsletter", url.Values{"email": {"@example.com"}})
		}, http.StatusBadRequest},
		{"wrong method", func() response { return b.get("/demo/checkout/place") }, http.StatusMethodNotAllowed},
		{"search page overflow", func() response { return b.get("/demo/search?q=a&page=99999999999999999999") }, http.StatusBadRequest},
		{"huge search", func() response { return b.get("/demo/search?q=" + strings.Repeat("%25_", 3000)) }, http.StatusOK},
	}
	for _, c := range cases {
		r := c.r()
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d\n%.300s", c.name, r.status, c.status, r.body)
			continue
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: content type %q, want the shop's HTML page", c.name, ct)
		}
		if strings.Contains(r.body, "<script>alert(1)") {
			t.Errorf("%s: input echoed unescaped", c.name)
		}
	}
	// None of that touched the cart.
	if got := b.cookie(cartCookie); got != "demo-p-001:1" {
		t.Errorf("cart after bad input is %q", got)
	}
}

func TestNewsletterThanksOnTheSamePage(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	p := Catalog("", "", "", "", testNow)[0]
	req, err := http.NewRequest(http.MethodPost, shop.url+"/demo/newsletter", strings.NewReader("email=anna%40example.com"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", shop.url+"/demo/p/"+p.Handle+"?ref=footer")
	r := b.do(req)
	wantStatus(t, "subscribe", r, http.StatusSeeOther)
	if r.location != "/demo/p/"+p.Handle+"?notice=subscribed&ref=footer" {
		t.Errorf("redirect to %q", r.location)
	}
	page := b.follow(r)
	wantStatus(t, "page after subscribing", page, http.StatusOK)
	if !strings.Contains(page.body, `role="status">Thanks for subscribing!`) {
		t.Error("no thank-you notice after subscribing")
	}

	// A foreign or missing referrer sends the shopper home, never away.
	for _, ref := range []string{"https://evil.example/demo/x", "", "/demo/checkout/recover?token=chk_x"} {
		req, _ := http.NewRequest(http.MethodPost, shop.url+"/demo/newsletter", strings.NewReader("email=anna%40example.com"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", ref)
		if r := b.do(req); r.location != "/demo/?notice=subscribed" && !strings.HasPrefix(r.location, "/demo/x?") {
			t.Errorf("referer %q: redirect to %q", ref, r.location)
		}
	}
	if r := b.get("/demo/?notice=<b>pwned</b>"); strings.Contains(r.body, "pwned") {
		t.Error("an arbitrary notice was shown")
	}
}
