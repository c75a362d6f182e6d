// Cartwheel's cart adapter for Shopify and WooCommerce storefronts (tc.js).
// t.js loads it only on those storefronts, so that every other page keeps
// the tracker within its 2 KiB: it sees the cart changes a theme makes its
// own way and records them through the tracker (cartwheel._c, which adds
// the page's product when the ids match). Same rules as t.js: it never
// throws into the page, defines nothing global, plain ES2017.
((w, d) => {
  try {
    let c = w.cartwheel;
    if (!c || !c._c || c._tc) return;
    c._tc = 1;
    let safe = (f) => (...a) => {
      try {
        return f(...a);
      } catch (x) {}
    };
    let on = (t, n, f, o) => t.addEventListener(n, safe(f), o);
    let later = (f, ms) => setTimeout(safe(f), ms);
    let cart = c._c;

    // shopify records a successful request to Shopify's cart endpoints, from
    // its JSON or form body (string, FormData or URLSearchParams): add.js
    // ({id, quantity} or {items: [...]}), or quantity 0 in change.js ({id,
    // quantity}) or update.js ({updates: {id: qty}}), which removes a line (a
    // line key is "variant:hash"). Only POSTs reach these endpoints, so the
    // method is not checked.
    let shopify = (u, b) => {
      let m = /\/cart\/(add|change|update)/.exec(u);
      let o = {};
      if (m) {
        try {
          o = JSON.parse(b);
        } catch (x) {
          new URLSearchParams(b).forEach((v, k) => (o[k] = v));
        }
        let up = Object.assign({ [o.id]: o.quantity }, o.updates);
        if (m[1] == 'add') (o.items || [o]).forEach((i) => i.id && cart('add_to_cart', { variant_id: parseInt(i.id), quantity: +i.quantity || 1 }));
        else for (let k in up) up[k] == 0 && cart('remove_from_cart', { variant_id: parseInt(k) });
      }
    };

    // Shopify's product form, unless the theme cancels the submit to add
    // through fetch (seen below). Our own demo markup is t.js's.
    on(w, 'submit', (e) => {
      let f = e.target;
      let a = f.dataset;
      'cartwheelAddToCart' in a || 'cartwheelRemoveFromCart' in a || later(() => e.defaultPrevented || shopify(f.action, new FormData(f)));
    }, true);

    // Shopify AJAX carts: look at each fetch and XMLHttpRequest once it
    // succeeded. The wrapped calls return what they returned before; the
    // tracker's own sends use the fetch it kept when it loaded.
    let F = w.fetch;
    w.fetch = (i, o) => {
      let r = F(i, o);
      r.then(safe((s) => s.ok && shopify(i.url || i, o && o.body)), Boolean);
      return r;
    };
    let XP = XMLHttpRequest.prototype;
    let xsend = XP.send;
    XP.send = function (b) {
      safe(on)(this, 'load', () => this.status < 300 && shopify(this.responseURL, b));
      return xsend.apply(this, arguments);
    };

    // WooCommerce: classic jQuery events carry the product on the button.
    // Blocks fire DOM events without it (the page's product stands in),
    // and also fire them as translations of the jQuery ones, in the same
    // task: the DOM handler waits for the end of that task and skips an
    // event that closely follows a jQuery one.
    let seen = 0;
    ['added_to_cart', 'removed_from_cart'].forEach((n, j) => {
      let t = j ? 'remove_from_cart' : 'add_to_cart';
      w.jQuery &&
        w.jQuery(d.body).on(n, safe((e, f, h, b) => {
          seen = Date.now();
          b.data('product_id') && cart(t, { product_id: b.data('product_id'), quantity: +b.data('quantity') || 1 });
        }));
      on(d.body, 'wc-blocks_' + n, () => later(() => Date.now() - seen > 1e3 && c._p() && cart(t, { product_id: c._p(), quantity: 1 })));
    });
  } catch (x) {}
})(window, document);
