// Cartwheel's soft push prompt: a small card that asks first, so that the
// browser's own permission prompt (which a "Block" answers for good) only
// appears to visitors who said yes.
//
// Include it after the tracker (t.js), which supplies the site key (its
// data-site-key) and the visitor id (window.cartwheel.visitorId()):
//
//   <script async src="https://cartwheel.example/push-prompt.js"
//           data-delay="5000" data-days="7" data-sw="/sw.js"></script>
//
// Optional data- attributes: endpoint (the Cartwheel origin; defaults to
// the script's), site-key (defaults to the tracker's), sw (the service
// worker URL on the shop's origin, /sw.js), delay (ms before showing, 5000),
// days (how long "Not now" holds, 7), title, text, allow, later (the
// wording; by default the server's, GET /push/prompt: in the workspace's
// language, promising only what the workspace's active push flows send).
//
// It shows only where web push works (Notification, PushManager and service
// workers exist), while the permission is still "default", when the visitor
// did not dismiss it in the last N days, once the tracker knows the visitor
// (so never before tracking consent), and when the server says a push flow
// is active. Like the tracker it never throws into the page, lives in a
// Shadow DOM, and defines one global: window.cartwheelPushPrompt = {show()}.
//
// It is the least urgent overlay (docs/widgets.md): it waits until no other
// Cartwheel overlay is open (hosts marked data-cartwheel-overlay, changes
// announced by a cartwheel:overlay event on the document), steps aside when
// one opens and comes back when it closes, and sits above the inbox button.
// Opened by itself it is a non-modal dialog that never takes the focus: it
// is announced through a live region and Tab reaches it (it is last in the
// page); show(), which a visitor's click calls, gives it the focus.
((w, d) => {
  try {
    if (w.cartwheelPushPrompt) return;
    const me = d.currentScript || {};
    const tag = d.querySelector('script[data-site-key]') || {};
    const cfg = Object.assign({}, tag.dataset || {}, me.dataset || {});
    let endpoint = cfg.endpoint;
    if (!endpoint) endpoint = me.src ? new URL(me.src, location.href).origin : location.origin;
    endpoint = endpoint.replace(/\/$/, '');
    const KEY = 'cw_pp'; // when "Not now" was last chosen (ms)
    // The wording: the page's data- attributes, else the server's, else
    // these, which promise nothing in particular.
    let words = { title: 'Get notified?', text: 'Allow notifications from this shop.', allow: 'Allow', later: 'Not now' };
    const word = (k) => cfg[k] || words[k];
    const days = +cfg.days >= 0 && cfg.days !== '' && cfg.days != null ? +cfg.days : 7;

    const supported = () => 'Notification' in w && 'PushManager' in w && 'serviceWorker' in navigator;
    const dismissedRecently = () => {
      try {
        return Date.now() - (+localStorage[KEY] || 0) < days * 864e5;
      } catch (_) {
        return false;
      }
    };
    const remember = () => {
      try {
        localStorage[KEY] = String(Date.now());
      } catch (_) {}
    };
    const visitor = () => {
      try {
        return (w.cartwheel && w.cartwheel.visitorId && w.cartwheel.visitorId()) || null;
      } catch (_) {
        return null;
      }
    };
    // applicationServerKey wants the raw P-256 point, not base64url.
    const keyBytes = (b64) => {
      const s = atob((b64 + '==='.slice((b64.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
      return Uint8Array.from(s, (c) => c.charCodeAt(0));
    };

    const subscribe = async () => {
      const v = visitor();
      if (!v) return;
      const res = await fetch(endpoint + '/push/key');
      const key = (await res.json()).public_key;
      await navigator.serviceWorker.register(cfg.sw || '/sw.js');
      const reg = await navigator.serviceWorker.ready;
      const sub = (await reg.pushManager.getSubscription()) ||
        (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
      // text/plain: a CORS-safelisted type, no preflight.
      await fetch(endpoint + '/push/subscribe', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ k: cfg.siteKey, v, subscription: sub.toJSON() }),
      });
    };

    const CSS =
      ':host{all:initial}' +
      '.b{position:fixed;z-index:2147483000;right:16px;bottom:16px;max-width:340px;box-sizing:border-box;padding:16px;' +
      'background:#fff;color:#1b1f24;border:1px solid #d0d7de;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.18);' +
      'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
      '.b.up{bottom:88px}' +
      '.b:focus{outline:3px solid #0b57d0;outline-offset:2px}' +
      '.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
      '.t{font-weight:600;margin:0 0 4px}.x{margin:0 0 12px}.a{display:flex;gap:8px;justify-content:flex-end}' +
      'button{font:inherit;padding:7px 14px;border-radius:6px;border:1px solid #0b57d0;cursor:pointer}' +
      'button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}' +
      '.y{background:#0b57d0;color:#fff}.n{background:#fff;color:#0b57d0}' +
      '@media (prefers-reduced-motion:no-preference){.b{animation:i .2s ease-out}@keyframes i{from{opacity:0;transform:translateY(8px)}}}';

    let host = null;
    let box = null;
    let before = null;
    let waiting = false; // shown by itself, then put aside for another overlay
    const text = (el, s) => ((el.textContent = s), el);
    const make = (root, name, cls, s) => {
      const el = d.createElement(name);
      el.className = cls;
      root.appendChild(s == null ? el : text(el, s));
      return el;
    };
    // busy reports whether another Cartwheel overlay is on screen.
    const busy = () => !!d.querySelector('[data-cartwheel-overlay]:not([hidden])');
    // place keeps the card clear of the inbox button, which sits in the
    // same corner.
    const place = () => box && box.classList.toggle('up', !!d.querySelector('[data-cartwheel-widget=inbox]'));

    const close = () => {
      if (!host) return;
      const inside = !!host.shadowRoot.activeElement;
      host.remove();
      host = box = null;
      try {
        if (inside && before && before.focus && d.contains(before)) before.focus();
      } catch (_) {}
      before = null;
    };

    // show opens the card; focus is true when a visitor's action asked
    // for it (show()), false when it opens by itself.
    const show = (focus) => {
      if (host || !d.body) return;
      waiting = false;
      before = focus ? d.activeElement : null;
      host = d.createElement('div');
      host.setAttribute('data-cartwheel-push-prompt', '');
      const root = host.attachShadow({ mode: 'open' });
      text(root.appendChild(d.createElement('style')), CSS);
      box = make(root, 'div', 'b');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'false');
      box.setAttribute('aria-labelledby', 'cw-pp-t');
      box.setAttribute('aria-describedby', 'cw-pp-x');
      box.tabIndex = -1;
      make(box, 'p', 't', word('title')).id = 'cw-pp-t';
      make(box, 'p', 'x', word('text')).id = 'cw-pp-x';
      const row = make(box, 'div', 'a');
      const later = make(row, 'button', 'n', word('later'));
      const allow = make(row, 'button', 'y', word('allow'));
      later.type = allow.type = 'button';
      const say = make(root, 'p', 'vh');
      say.setAttribute('role', 'status');
      later.addEventListener('click', () => {
        remember();
        close();
      });
      allow.addEventListener('click', () => {
        close();
        let p;
        try {
          p = Notification.requestPermission();
        } catch (_) {}
        Promise.resolve(p)
          .then((r) => (r || Notification.permission) === 'granted' && subscribe())
          .catch(() => {});
      });
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' || e.key === 'Esc') {
          e.stopPropagation();
          remember();
          close();
        } else if (e.key === 'Tab') {
          // Keep focus on the card's two buttons while it is open.
          const a = root.activeElement;
          if (e.shiftKey && (a === later || a === box)) {
            e.preventDefault();
            allow.focus();
          } else if (!e.shiftKey && a === allow) {
            e.preventDefault();
            later.focus();
          }
        }
      });
      place();
      d.body.appendChild(host);
      if (focus) box.focus();
      // Not focused: a screen reader hears of it from the live region.
      else setTimeout(() => host && (say.textContent = word('title') + ' ' + word('text')), 50);
    };

    // Another overlay opening puts the card aside (it is not dismissed); it
    // comes back once none is open.
    d.addEventListener('cartwheel:overlay', () => {
      try {
        place();
        if (host && !before && busy()) {
          close();
          waiting = true;
        } else if (waiting && !busy()) show(false);
      } catch (_) {}
    });

    // ask fetches the server's wording and whether any push flow is active.
    const ask = (v) =>
      fetch(endpoint + '/push/prompt?' + new URLSearchParams({ k: cfg.siteKey || '', v }))
        .then((r) => (r.ok ? r.json() : { show: false }))
        .then((a) => {
          words = Object.assign(words, a.texts || {});
          return !!a.show;
        });

    // maybe shows the prompt once the tracker knows the visitor (it loads
    // async too; give it 15 s), when a push flow is active, and once no
    // other overlay is open.
    const maybe = (tries) => {
      if (!supported() || Notification.permission !== 'default' || dismissedRecently()) return;
      const v = visitor();
      if (v)
        return ask(v)
          .then((yes) => {
            if (!yes || host || Notification.permission !== 'default') return;
            busy() ? (waiting = true) : show(false);
          })
          .catch(() => {});
      if (tries > 0) setTimeout(() => maybe(tries - 1), 500);
    };

    w.cartwheelPushPrompt = {
      // show opens the prompt now (e.g. from a "notify me" button),
      // whatever the delay or an earlier "Not now"; the permission must
      // still be "default".
      show: () => {
        try {
          if (supported() && Notification.permission === 'default') show(true);
        } catch (_) {}
      },
    };
    const start = () => setTimeout(() => {
      try {
        maybe(30);
      } catch (_) {}
    }, cfg.delay != null && cfg.delay !== '' ? +cfg.delay : 5000);
    d.readyState === 'loading' ? d.addEventListener('DOMContentLoaded', start) : start();
  } catch (_) {}
})(window, document);
