// Cartwheel browser tracker. docs/tracker.md says what it records and
// defines the /collect wire format; tracker/collect.go decodes it.
//
// Rules this file keeps, because it runs inside other people's shops:
//   - it never throws into the host page: the whole file runs in one try, and
//     every later entry point (API methods, listeners, timers) goes
//     through safe();
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
    let E = cfg.endpoint;
    let url = E + '/collect';
    let load = (n, f) => d.head.append(Object.assign(d.createElement('script'), { src: E + n, onload: f }));

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
    let decided; // the /decide request, once per page
    let pr; // a proof of who the visitor is: from a message's link, or the shop's signed login

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
        // Once per page, after the first send (so never before consent):
        // present the proof of who the visitor is, if the page has one
        // (docs/tracker.md, "What identification reveals"): a message link's
        // token or the shop's signed login to /identify/verify, or on
        // Shopify the App Proxy, which vouches for the logged-in customer.
        // Then ask /decide which widgets this page gets (docs/widgets.md)
        // and, when there are any, load w.js and hand it the answer.
        // Placeholders are read now, once the DOM is ready.
        let P = (X.customer || {}).proxy;
        decided ||
          (decided = Promise.resolve(pr ? F(E + '/identify/verify', { method: 'POST', body: JSON.stringify({ k: cfg.siteKey, v, proof: pr }) }) : P && F(P + '?v=' + v))
            .catch(Boolean)
            .then(() => F(E + '/decide?' + new URLSearchParams({
              k: cfg.siteKey, v, s, u: location.href, p: X.page || 'other', pid: pid() || '',
              cat: X.category || (X.product || {}).category || '',
              f: [...d.querySelectorAll('[data-cartwheel-frame]')].map((e) => e.dataset.cartwheelFrame),
              d: innerWidth < 768 ? 'mobile' : 'desktop',
            })))
            .then((r) => r.json())
            .then((a) => a.w && load('/w.js', () => api._w(a)))
            .catch(Boolean));
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
      // For tc.js, the cart adapter of Shopify and WooCommerce storefronts.
      _c: cart,
      _p: pid,
    };

    let start = () => {
      X = safe(() => JSON.parse(d.querySelector('[data-cartwheel-context]').textContent))() || {};
      let q = new URLSearchParams(location.search);
      // A message link's proof is used once and leaves the address bar (and
      // so bookmarks, shares and the page_view's URL) before anything else.
      pr = q.get('cw_proof');
      if (pr) {
        q.delete('cw_proof');
        history.replaceState(history.state, '', location.pathname + (q + '' ? '?' + q : '') + location.hash);
      }
      pr = pr || (X.customer || {}).proof;
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
      // Submits: our demo markup, and any form with an email address, which
      // identifies the visitor (platform product forms: tc.js).
      on(w, 'submit', (e) => {
        let f = e.target;
        let a = f.dataset;
        let t = 'cartwheelAddToCart' in a ? 'add_to_cart' : 'cartwheelRemoveFromCart' in a ? 'remove_from_cart' : 0;
        let m = (f.querySelector('[type=email]') || {}).value;
        t && cart(t, { product_id: a.productId, quantity: +new FormData(f).get('quantity') || 1 });
        /.@.+\../.test(m) && api.identify({ email: m });
      }, true);
      // The real API replaces the stub, then replays what was queued on it
      // (after the first flush, which sends the page view at once).
      w.cartwheel = api;
      // Shopify and WooCommerce themes change carts their own way: the
      // adapter that watches them loads only on their storefronts.
      (w.Shopify || w.wc || w.wc_add_to_cart_params) && load('/tc.js');
      flush();
      (stub && stub.q || []).forEach((c) => api[c[0]](...c[1]));
    };

    d.readyState == 'loading' ? on(d, 'DOMContentLoaded', start) : safe(start)();
  } catch (x) {}
})(window, document);
