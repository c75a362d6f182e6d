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
// wording).
//
// It shows only where web push works (Notification, PushManager and service
// workers exist), while the permission is still "default", when the visitor
// did not dismiss it in the last N days, and once the tracker knows the
// visitor (so never before tracking consent). Like the tracker it never
// throws into the page, lives in a Shadow DOM, and defines one global:
// window.cartwheelPushPrompt = {show()}.
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
      '.b:focus{outline:3px solid #0b57d0;outline-offset:2px}' +
      '.t{font-weight:600;margin:0 0 4px}.x{margin:0 0 12px}.a{display:flex;gap:8px;justify-content:flex-end}' +
      'button{font:inherit;padding:7px 14px;border-radius:6px;border:1px solid #0b57d0;cursor:pointer}' +
      'button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}' +
      '.y{background:#0b57d0;color:#fff}.n{background:#fff;color:#0b57d0}' +
      '@media (prefers-reduced-motion:no-preference){.b{animation:i .2s ease-out}@keyframes i{from{opacity:0;transform:translateY(8px)}}}';

    let host = null;
    let before = null;
    const text = (el, s) => ((el.textContent = s), el);
    const make = (root, name, cls, s) => {
      const el = d.createElement(name);
      el.className = cls;
      root.appendChild(s == null ? el : text(el, s));
      return el;
    };

    const close = () => {
      if (!host) return;
      host.remove();
      host = null;
      try {
        if (before && before.focus && d.contains(before)) before.focus();
      } catch (_) {}
      before = null;
    };

    const show = () => {
      if (host || !d.body) return;
      before = d.activeElement;
      host = d.createElement('div');
      host.setAttribute('data-cartwheel-push-prompt', '');
      const root = host.attachShadow({ mode: 'open' });
      text(root.appendChild(d.createElement('style')), CSS);
      const box = make(root, 'div', 'b');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-labelledby', 'cw-pp-t');
      box.setAttribute('aria-describedby', 'cw-pp-x');
      box.tabIndex = -1;
      make(box, 'p', 't', cfg.title || 'Get notified?').id = 'cw-pp-t';
      make(box, 'p', 'x', cfg.text || 'Allow notifications for back-in-stock alerts, price drops and your cart.').id = 'cw-pp-x';
      const row = make(box, 'div', 'a');
      const later = make(row, 'button', 'n', cfg.later || 'Not now');
      const allow = make(row, 'button', 'y', cfg.allow || 'Allow');
      later.type = allow.type = 'button';
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
      d.body.appendChild(host);
      box.focus();
    };

    // maybe shows the prompt once the tracker knows the visitor (it loads
    // async too; give it 15 s).
    const maybe = (tries) => {
      if (!supported() || Notification.permission !== 'default' || dismissedRecently()) return;
      if (visitor()) return show();
      if (tries > 0) setTimeout(() => maybe(tries - 1), 500);
    };

    w.cartwheelPushPrompt = {
      // show opens the prompt now (e.g. from a "notify me" button),
      // whatever the delay or an earlier "Not now"; the permission must
      // still be "default".
      show: () => {
        try {
          if (supported() && Notification.permission === 'default') show();
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
