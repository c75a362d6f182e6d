// Cartwheel storefront helper, loaded deferred by the Cartwheel app embed
// (blocks/cartwheel.liquid). No dependencies, nothing global.
//
// 1. Visitor link: once the tracker has a visitor id (the cw_vid cookie,
//    which it writes only when tracking is allowed), copy it into the cart
//    attribute _cw_vid. Shopify carries cart attributes into the
//    note_attributes of checkouts and orders, which is how Cartwheel ties a
//    purchase to the anonymous visitor who browsed. The leading underscore
//    keeps the attribute out of the customer's view at checkout. The page
//    renders the cart's current value (data-cart-vid), so nothing is sent
//    when it already matches, and at most one update per cart and visitor
//    is tried per browser session. An empty cart is left alone (updating it
//    would create a cart, and a carts/create webhook, for every visitor);
//    an AJAX add-to-cart is noticed through the Performance API instead,
//    without wrapping fetch a second time (t.js already does).
// 2. Web push (only when the merchant enabled it in the embed settings):
//    register the service worker served through the App Proxy, because a
//    service worker must come from the shop's own origin.
(() => {
  try {
    const s = document.currentScript;
    if (!s) return;
    const cfg = s.dataset;

    const link = () => {
      try {
        const vid = (document.cookie.match(/(?:^|;\s*)cw_vid=(\w+)/) || [])[1];
        if (!vid || vid === cfg.cartVid) return;
        const key = 'cw_cart_vid';
        const mark = vid + '|' + (cfg.cartToken || '');
        try {
          if (sessionStorage.getItem(key) === mark) return;
          sessionStorage.setItem(key, mark);
        } catch (e) {}
        fetch(cfg.updateUrl || '/cart/update.js', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ attributes: { _cw_vid: vid } }),
        }).catch(() => {});
      } catch (e) {}
    };

    const push = () => {
      try {
        if (cfg.push === '1' && 'serviceWorker' in navigator) {
          navigator.serviceWorker.register('/apps/cartwheel/sw.js', { scope: '/apps/cartwheel/' }).catch(() => {});
        }
      } catch (e) {}
    };

    // The tracker (t.js) loads async; async scripts finish before the load
    // event, so by then it has written cw_vid if it was allowed to.
    const run = () => {
      if (+cfg.cartCount > 0) link();
      try {
        new PerformanceObserver((list) => {
          if (list.getEntries().some((e) => /\/cart\/(add|change|update)/.test(e.name))) link();
        }).observe({ type: 'resource' });
      } catch (e) {}
      push();
    };
    if (document.readyState === 'complete') run();
    else window.addEventListener('load', run, { once: true });
  } catch (e) {}
})();
