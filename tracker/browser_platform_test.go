package tracker

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// Shopify themes add to the cart with fetch or XMLHttpRequest (JSON or form
// bodies) or with a plain form post; WooCommerce fires jQuery events and, with
// Blocks, DOM events. These pages do exactly that against the test server.

// Storefront markers: what Shopify and WooCommerce pages define, and what
// makes t.js load its cart adapter (tc.js).
const (
	shopifyMarker = `<script>window.Shopify = { shop: "test.myshopify.com" };</script>`
	wooMarker     = `<script>window.wc_add_to_cart_params = { ajax_url: "/wp-admin/admin-ajax.php" };</script>`
)

// fakeJQuery is the smallest jQuery the tracker's cart adapter uses: $(el).on(names, fn),
// and a trigger that calls handlers as jQuery does, (event, fragments,
// hash, $button), optionally followed, within the same task, by the DOM
// event that WooCommerce Blocks translates it to.
const fakeJQuery = `<script>
window.jQuery = function (el) { return { on: function (names, fn) {
  names.split(" ").forEach(function (n) { el.addEventListener("jq:" + n, function (e) { fn({type: n}, {}, "", e.detail) }) })
} } };
window.wooTrigger = function (name, pid, qty, translate) {
  var button = { data: function (k) { return k == "product_id" ? pid : qty } };
  document.body.dispatchEvent(new CustomEvent("jq:" + name, { detail: button }));
  if (translate) document.body.dispatchEvent(new Event("wc-blocks_" + name));
};
</script>`

func TestBrowserShopifyCart(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/shopify", Tag(site.URL, "site_test"), shopifyMarker,
		// A classic form post, and a theme form that adds through fetch.
		`<form id="plain" action="/cart/add" method="post" target="sink"><input name="id" value="4004"><input name="quantity" value="3"><button>Add</button></form>`+
			`<form id="ajax" action="/cart/add" method="post"><input name="id" value="4005"><input name="quantity" value="1"><button>Add</button></form>`+
			`<script>document.getElementById("ajax").addEventListener("submit", function (e) {
			  e.preventDefault();
			  fetch("/cart/add.js", { method: "POST", body: new FormData(e.target) }).then(function () { window.ajaxDone = true });
			});</script>`)

	run(t, ctx, "load", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	pollTrue(t, ctx, "the cart adapter", `window.cartwheel._tc === 1`)
	eval[any](t, ctx, `Promise.all([
	  fetch("/cart/add.js", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ items: [{ id: 4001, quantity: 2 }, { id: 4002 }] }) }),
	  fetch("/failing/cart/add.js", { method: "POST", body: JSON.stringify({ id: 4999, quantity: 1 }) }),
	  fetch(new Request("/cart/add.js", { method: "POST" })),
	  new Promise(function (done) {
	    var x = new XMLHttpRequest();
	    x.open("POST", "/cart/change.js");
	    x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
	    x.onloadend = done;
	    x.send("id=4001:9f86d081884c&quantity=0");
	  }),
	  new Promise(function (done) {
	    var x = new XMLHttpRequest();
	    x.open("POST", "/cart/update.js");
	    x.onloadend = done;
	    x.send(JSON.stringify({ updates: { "4002": 0, "4003": 5 } }));
	  }),
	]).then(function () { return 1 })`)
	run(t, ctx, "post the plain form", chromedp.Click(chromedp.CSS("#plain button")))
	run(t, ctx, "submit the AJAX form", chromedp.Click(chromedp.CSS("#ajax button")))
	pollTrue(t, ctx, "the theme's fetch", `window.ajaxDone === true`)
	eval[any](t, ctx, `cartwheel.track("done")`)
	if errs := eval[[]string](t, ctx, `errs`); len(errs) > 0 {
		t.Errorf("uncaught errors: %q", errs)
	}
	run(t, ctx, "leave", chromedp.Navigate(site.URL+"/t.js"))

	evs := waitFor(t, site.rec, "the cart events", func(evs []recorded) bool {
		_, ok := find(evs, "done", nil)
		return ok && countType(evs, EventAddToCart) >= 4 && countType(evs, EventRemoveFromCart) >= 2
	})
	if p := site.rec.problems(); p != "" {
		t.Errorf("the decoder refused what the tracker sent: %s", p)
	}
	got := map[string]int64{}
	for _, e := range evs {
		if e.Type == EventAddToCart || e.Type == EventRemoveFromCart {
			p := e.prop(t)
			q, _ := p["quantity"].(float64)
			got[e.Type+" "+p["variant_id"].(string)] += int64(q)
		}
	}
	want := map[string]int64{
		"add_to_cart 4001": 2, "add_to_cart 4002": 1, "add_to_cart 4004": 3, "add_to_cart 4005": 1,
		"remove_from_cart 4001": 0, "remove_from_cart 4002": 0,
	}
	if len(got) != len(want) {
		t.Errorf("cart events %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: quantity %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if n := countType(evs, EventAddToCart); n != 4 {
		t.Errorf("%d add_to_cart events, want 4 (a failed add and a body-less Request are not adds): %s", n, describe(evs))
	}
}

func TestBrowserWooCommerceCart(t *testing.T) {
	ctx := newBrowser(t)
	site := newTestSite(t)
	url := site.page("/woo", Tag(site.URL, "site_test"),
		wooMarker+fakeJQuery+string(ContextBlock(PageContext{Page: "product", Product: &testProduct})), "")
	run(t, ctx, "load", chromedp.Navigate(url))
	waitLoaded(t, ctx)
	pollTrue(t, ctx, "the cart adapter", `window.cartwheel._tc === 1`)
	// A Blocks button on the product page (DOM event only), then classic
	// AJAX adds and removes, one translated into a Blocks DOM event too.
	eval[any](t, ctx, `document.body.dispatchEvent(new Event("wc-blocks_added_to_cart"))`)
	eval[any](t, ctx, `new Promise(function (ok) { setTimeout(ok, 1100) })`) // outside the translation window
	eval[any](t, ctx, `wooTrigger("added_to_cart", 77, 2, true)`)
	eval[any](t, ctx, `wooTrigger("removed_from_cart", 78, undefined, false)`)
	eval[any](t, ctx, `new Promise(function (ok) { setTimeout(function () { cartwheel.track("done"); ok() }, 10) })`)
	eval[any](t, ctx, `dispatchEvent(new PageTransitionEvent("pagehide"))`)

	evs := waitFor(t, site.rec, "the cart events", func(evs []recorded) bool {
		_, ok := find(evs, "done", nil)
		return ok
	})
	if p := site.rec.problems(); p != "" {
		t.Errorf("the decoder refused what the tracker sent: %s", p)
	}
	var got []string
	for _, e := range evs {
		if e.Type == EventAddToCart || e.Type == EventRemoveFromCart {
			p := e.prop(t)
			got = append(got, e.Type+" "+p["product_id"].(string)+" x"+jsonString(p["quantity"]))
		}
	}
	want := []string{"add_to_cart p-42 x1", "add_to_cart 77 x2", "remove_from_cart 78 x1"}
	if len(got) != len(want) {
		t.Fatalf("cart events %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cart events %q, want %q", got, want)
			break
		}
	}
}

func jsonString(v any) string { return fmt.Sprint(v) }
