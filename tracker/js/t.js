// Cartwheel browser tracker. docs/tracker.md says what it records and
// defines the /collect wire format; tracker/collect.go decodes it.
//
// Rules this file keeps, because it runs inside other people's shops:
//   - it never throws into the host page: the whole file runs in one try, and
//     every later entry point (API methods, listeners, timers, the wrapped
//     fetch and XMLHttpRequest) goes through safe();
//   - it defines nothing global but window.cartwheel;
//   - it writes no cookie and no storage before tracking is allowed (but the
//     visitor's own consent choice): store() checks ok() itself, and ids()
//     is only reached after ok();
//   - it stays within 2 KiB gzipped once minified (script_test.go). Hence the
//     terse style: arrow functions, one-letter-ish helpers, no duplicated
//     strings. Property names cannot be minified, so only the wire has them;
//   - plain ES2017: no optional chaining, no `catch {}` without a binding.
((w, d) => {
  try {
    let stub = w.cartwheel;
    if (stub && stub.visitorId) return; // loaded twice: the first copy wins

    let F = w.fetch;

    // safe wraps an entry point so that an error here never reaches the page.
    let safe = (f) => (...a) => {
      try {
        return f(...a);
      } catch (x) {}
    };
    let on = (t, n, f, c) => t.addEventListener(n, safe(f), c);
    let later = (f, ms) => setTimeout(safe(f), ms);

    let cfg = (d.currentScript || d.querySelector('[data-site-key]')).dataset;
    let url = cfg.endpoint + '/collect';

    // store reads a JSON value from localStorage, or writes one when tracking
    // is allowed; the visitor's consent choice itself (cw_c) is always kept,
    // so that a refusal holds on the next pages. Storage may be disabled,
    // full or throwing (Safari private mode), and a value corrupt: safe()
    // turns all that into undefined.
    let store = safe((k, v) => (v == null ? JSON.parse(localStorage[k]) : (ok() || k == 'cw_c') && (localStorage[k] = JSON.stringify(v))));
    let cookie = (k, v, age) =>
      v == null ? (d.cookie.match('\\b' + k + '=(\\w+)') || [])[1] : (d.cookie = k + '=' + v + ';path=/;samesite=lax;max-age=' + age);
    // 96 random bits as up to 30 digits: the shortest code for a good id.
    let rid = () => crypto.getRandomValues(new Uint32Array(3)).join('');

    let consent = store('cw_c') || {};
    // ok reports whether tracking is allowed now: an explicit consent() wins,
    // then Shopify's Customer Privacy API, then data-require-consent.
    let ok = () => {
      let cp = (w.Shopify || {}).customerPrivacy;
      return consent.tracking != null ? consent.tracking : cp ? cp.analyticsProcessingAllowed() : cfg.requireConsent != 1;
    };
    // ids returns [visitor, session], creating or renewing them. The session
    // cookie lives 30 minutes and every flush renews it: 30 minutes without
    // activity start a new session.
    let ids = () => {
      let v = cookie('cw_vid') || store('cw_vid') || rid();
      let s = cookie('cw_sid') || rid();
      cookie('cw_vid', v, 31536e3);
      cookie('cw_sid', s, 1800);
      store('cw_vid', v);
      return [v, s];
    };

    let X = {}; // the page context block
    let pv = rid(); // page-view id, on every event of this page view
    let queue = [];
    let timer = 0;

    let fail = (e) => store('cw_rq', e.concat(store('cw_rq') || []).slice(0, 100));
    let flush = safe((beacon) => {
      clearTimeout(timer);
      timer = 0;
      if (ok()) {
        // [].concat: a tampered, non-array value cannot break every flush.
        queue = [].concat(store('cw_rq') || [], queue);
        store('cw_rq', []);
        let [v, s] = ids();
        while (queue[0]) {
          let e = queue.splice(0, 20);
          // A string body goes as text/plain;charset=UTF-8, a CORS-safelisted
          // type: no preflight for either call.
          // c.tracking is true: nothing is sent otherwise, whether the
          // visitor said so or Shopify's Customer Privacy API did.
          let body = JSON.stringify({ k: cfg.siteKey, v, s, n: Date.now(), c: Object.assign({ tracking: true }, consent), e });
          // sendBeacon returns false when it cannot queue the body; fetch's
          // promise is always truthy.
          (beacon ? navigator.sendBeacon(url, body) : F(url, { method: 'POST', keepalive: 1, body }).then((r) => r.status < 500 || fail(e), () => fail(e))) ||
            fail(e);
        }
      }
    });
    // rec queues one event. Without consent it stays in memory (bounded).
    let rec = (t, p) => {
      queue.push({ t, id: rid(), ts: Date.now(), u: location.href, pv, p }) > 100 && queue.shift();
      timer = timer || later(flush, 3e3);
    };

    // Product dwell: only time while the page is visible counts. A report
    // goes at load, every 30 s while visible, and when the page is hidden or
    // left, if the figure moved; the server keeps the largest per page view.
    let dwell = 0;
    let since = 0;
    let reported;
    let measure = () => {
      let t = Date.now();
      if (since) dwell += t - since;
      since = !d.hidden && t;
      X.product && reported !== dwell && rec('product_view', { product: X.product, dwell_ms: (reported = dwell) });
    };

    // cart records a cart change, with the page's product when ids match.
    let pid = () => (X.product || {}).id;
    let cart = (t, p) => {
      // Without a page product both sides are undefined: harmless.
      if (pid() == p.product_id) p.product = X.product;
      rec(t, p);
    };
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

    let api = {
      track: safe(rec),
      identify: safe((traits) => rec('identify', traits)),
      consent: safe((o) => {
        if (o.tracking === false) {
          // Refused or withdrawn: drop what is held, delete the cookies and
          // blank what is stored (the retry queue may hold an email) while
          // store() still may write.
          queue = [];
          ['cw_vid', 'cw_sid', 'cw_rq', 'cw_co'].forEach((k) => {
            cookie(k, '', 0);
            store(k, 0);
          });
        } else rec('consent', o);
        store('cw_c', Object.assign(consent, o));
        flush();
      }),
      visitorId: safe(() => (ok() ? ids()[0] : null)),
    };

    let start = () => {
      X = safe(() => JSON.parse(d.querySelector('[data-cartwheel-context]').textContent))() || {};
      let q = new URLSearchParams(location.search);
      let page = { referrer: d.referrer, title: d.title };
      q.forEach((v, k) => /^utm_/.test(k) && (page[k] = v));
      rec('page_view', page);
      measure();
      setInterval(safe(measure), 3e4);
      let s = X.page == 'search' && (X.query || q.get('q') || q.get('s'));
      s && rec('search', { query: s });
      let tk = X.checkout_token;
      tk && store('cw_co') != tk && rec('checkout_started', { checkout_token: tk }, store('cw_co', tk));
      let cu = X.customer;
      cu && api.identify({ email: cu.email, customer_id: cu.id });

      // Hidden (tab or app switch) or left: report dwell, send by beacon.
      // pagehide comes before the visibility changes, so it stops the clock.
      ['visibilitychange', 'pagehide'].forEach((n) =>
        on(w, n, (e) => {
          measure();
          (e.type[0] == 'p' || d.hidden) && flush(1, (since = 0));
        }),
      );
      on(d, 'visitorConsentCollected', (e) => api.consent({ tracking: e.detail.analyticsAllowed }));
      // Submits: our demo markup, Shopify's product form (unless the theme
      // cancels it to add through fetch, seen below), and any form with an
      // email address, which identifies the visitor.
      on(w, 'submit', (e) => {
        let f = e.target;
        let a = f.dataset;
        let t = 'cartwheelAddToCart' in a ? 'add_to_cart' : 'cartwheelRemoveFromCart' in a ? 'remove_from_cart' : 0;
        let fd = new FormData(f);
        let m = (f.querySelector('[type=email]') || {}).value;
        t ? cart(t, { product_id: a.productId, quantity: +fd.get('quantity') || 1 }) : later(() => e.defaultPrevented || shopify(f.action, fd));
        /.@.+\../.test(m) && api.identify({ email: m });
      }, true);
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
        on(d.body, 'wc-blocks_' + n, () => later(() => Date.now() - seen > 1e3 && pid() && cart(t, { product_id: pid(), quantity: 1 })));
      });

      // The real API replaces the stub, then replays what was queued on it
      // (after the first flush, which sends the page view at once).
      w.cartwheel = api;
      flush();
      (stub && stub.q || []).forEach((c) => api[c[0]](...c[1]));
    };

    // Shopify AJAX carts: look at each fetch and XMLHttpRequest once it
    // succeeded. The wrapped calls return what they returned before; our own
    // sends use the original fetch.
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
    d.readyState == 'loading' ? on(d, 'DOMContentLoaded', start) : safe(start)();
  } catch (x) {}
})(window, document);
