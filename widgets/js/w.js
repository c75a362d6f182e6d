// Cartwheel's on-site widgets: pop-ups and lead forms, recommendation
// frames, the personal shopping inbox and the wishlist heart. The contract
// with the server (the /decide answer, the endpoints used below) is
// docs/widgets.md.
//
// The tracker (t.js) loads this file only when /decide answered {"w": true},
// once per page, and hands it that answer: window.cartwheel._w(answer).
//
// Rules this file keeps, because it runs inside other people's shops:
//   - it never throws into the page: the file runs in one try, and every
//     entry point (_w, listeners, timers, promise callbacks) goes through
//     safe();
//   - it defines nothing global: it adds _w to the tracker's window.cartwheel;
//   - every widget lives in a Shadow DOM; styles are a constructed stylesheet
//     (adoptedStyleSheets, which a strict CSP without 'unsafe-inline' allows),
//     or a <style> inside the shadow root where those are missing;
//   - no eval, no innerHTML, no inline event handlers, no style attributes:
//     it works under `script-src 'self'; style-src 'self'`;
//   - no layout shift: frames render inside the shop's own placeholders,
//     pop-ups and the inbox are fixed-position overlays;
//   - keyboard accessible: dialogs have a role, aria-modal and a label, every
//     control a name; Tab stays inside a modal, Esc closes, and focus goes
//     back where it was;
//   - plain ES2017 (widgets/bundle_test.go checks the minified bundle).
//
// Preview mode (the admin console's widget editor, docs/widgets.md): a tag
// <script src=".../w.js" data-cartwheel-preview="{answer}"> carries a
// /decide-shaped answer, which is rendered at once, with no tracker: no
// /decide, no trigger to wait for, no caps, no events, nothing posted or
// fetched, and links that do not navigate.
((w, d) => {
  try {
    let safe = (f) => (...a) => {
      try {
        return f(...a);
      } catch (x) {}
    };
    let me = d.currentScript;
    let PV = me && safe(() => JSON.parse(me.getAttribute('data-cartwheel-preview')))();
    let cw = PV ? {} : w.cartwheel;
    if (!cw || cw._w) return; // no tracker, or loaded twice: the first copy wins
    let on = (t, n, f, o) => {
      let g = safe(f);
      t.addEventListener(n, g, o);
      return () => t.removeEventListener(n, g, o);
    };

    // The tracker's tag names the site key and the endpoint; the endpoint
    // is also where this file came from ({endpoint}/w.js).
    let cfg = (d.querySelector('script[data-site-key]') || d.querySelector('[data-site-key]') || {}).dataset || {};
    let E = (cfg.endpoint || (me ? me.src.replace(/\/w\.js([?#].*)?$/, '') : '')).replace(/\/$/, '');
    let K = cfg.siteKey;
    let V = () => w.cartwheel.visitorId();
    let track = (t, p) => PV || safe(() => w.cartwheel.track(t, p))();

    // The texts come from the answer (the workspace's locale); these are the
    // fallbacks for a key the server did not send.
    let T = {
      close: 'Close',
      inbox: 'Your inbox',
      empty: 'Nothing here yet',
      wishlist_add: 'Add to wishlist',
      wishlist_remove: 'Remove from wishlist',
      recently_viewed: 'Recently viewed',
      wishlist: 'Wishlist',
      messages: 'Messages',
      submit: 'Submit',
      email: 'Email',
      invalid_email: 'Please enter a valid email address',
      consent_required: 'Please tick the box to continue',
      interests: 'Interests',
      copy: 'Copy',
      copied: 'Copied',
      error: 'Something went wrong. Please try again.',
      unread: '{n} unread',
      loading: 'Loading…',
    };
    let lang = '';

    // post sends JSON as text/plain, a CORS-safelisted type: no preflight.
    let post = (path, body) =>
      PV ? Promise.reject({}) : fetch(E + path, { method: 'POST', keepalive: true, body: JSON.stringify(Object.assign({ k: K, v: V() }, body)) });
    let json = (r) => r.json().then((j) => (r.ok ? j : Promise.reject(j)), () => Promise.reject({}));

    // ---- DOM helpers --------------------------------------------------------

    // el makes an element with a class, a text and attributes, appended to
    // parent when there is one.
    let el = (parent, tag, cls, text, attrs) => {
      let e = d.createElement(tag);
      if (cls) e.className = cls;
      if (text != null) e.textContent = text;
      for (let k in attrs || {}) e.setAttribute(k, attrs[k]);
      if (parent) parent.appendChild(e);
      return e;
    };
    // href returns u when it is an http(s) URL or a path of the page, else
    // '': a javascript: or data: link from a flow, a definition or an old
    // stored item would run in the shop's origin when clicked.
    let href = (u) => {
      try {
        return u && /^https?:$/.test(new URL(u, location.href).protocol) ? u : '';
      } catch (x) {
        return '';
      }
    };
    let NS = 'http://www.w3.org/2000/svg';
    let HEART =
      'M12 21.35l-1.45-1.32C5.4 15.36 2 12.28 2 8.5 2 5.42 4.42 3 7.5 3c1.74 0 3.41.81 4.5 2.09C13.09 3.81 14.76 3 16.5 3 19.58 3 22 5.42 22 8.5c0 3.78-3.4 6.86-8.55 11.54L12 21.35z';
    let MAIL = 'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5z';
    let icon = (parent, path) => {
      let s = d.createElementNS(NS, 'svg');
      s.setAttribute('viewBox', '0 0 24 24');
      s.setAttribute('aria-hidden', 'true');
      s.setAttribute('focusable', 'false');
      s.appendChild(d.createElementNS(NS, 'path')).setAttribute('d', path);
      parent.appendChild(s);
      return s;
    };

    let CSS =
      ':host{all:initial;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24}' +
      ':host([data-cartwheel-widget=frame]){display:block;margin:24px 0}' +
      ':host([data-cartwheel-widget=wishlist]){display:inline-block;margin:8px 0}' +
      '*{box-sizing:border-box}' +
      '[hidden]{display:none!important}' +
      '.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
      'button,input{font:inherit;color:inherit}' +
      'button{cursor:pointer}' +
      ':focus-visible,input:focus{outline:3px solid #0b57d0;outline-offset:2px}' +
      // pop-ups: a modal over a dimmed page, or a corner card
      '.ov{position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:16px;background:rgba(0,0,0,.45)}' +
      '.cn{position:fixed;left:16px;bottom:16px;z-index:2147483000;max-width:calc(100vw - 32px)}' +
      '.bx{position:relative;width:420px;max-width:100%;max-height:calc(100vh - 32px);overflow:auto;padding:24px;background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.25)}' +
      '.cn .bx{width:340px;padding:18px;border:1px solid #d0d7de}' +
      '.cn.up{bottom:88px}' +
      '.bx:focus{outline:none}' +
      '.x{position:absolute;top:8px;right:8px;width:36px;height:36px;border:0;border-radius:50%;background:transparent;font-size:24px;line-height:1}' +
      '.x:hover{background:#eef1f4}' +
      '.im{display:block;width:100%;height:auto;border-radius:8px;margin:0 0 12px}' +
      'h2{font-size:1.3em;line-height:1.25;margin:0 40px 8px 0}' +
      'p{margin:0 0 12px}' +
      '.f{display:grid;gap:10px}' +
      '.f label{display:block}' +
      '.e{width:100%;padding:9px 11px;border:1px solid #8c959f;border-radius:6px;background:#fff}' +
      '.e[aria-invalid=true]{border-color:#cf222e}' +
      '.c{display:flex!important;gap:8px;align-items:flex-start;font-size:.92em}' +
      '.c input{margin:3px 0 0;flex:none;width:18px;height:18px}' +
      'fieldset{border:0;margin:0;padding:0}legend{padding:0;margin:0 0 4px;font-weight:600;font-size:.92em}' +
      '.er{color:#cf222e;margin:0;font-size:.92em}.er:empty{display:none}' +
      '.y{display:inline-block;padding:10px 18px;border:1px solid #0b57d0;border-radius:6px;background:#0b57d0;color:#fff;font-weight:600;text-align:center;text-decoration:none}' +
      '.y:disabled{opacity:.6;cursor:progress}' +
      '.n{padding:6px 12px;border:1px solid #0b57d0;border-radius:6px;background:#fff;color:#0b57d0}' +
      '.cd{display:flex;gap:8px;align-items:center;flex-wrap:wrap}' +
      '.cd code{font:600 1.1em ui-monospace,Menlo,Consolas,monospace;padding:6px 10px;border:1px dashed #57606a;border-radius:6px;user-select:all}' +
      // product grids (frames, pop-ups, the inbox)
      '.gr{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:16px}' +
      '.pc{display:block;color:inherit;text-decoration:none}' +
      '.pc img{display:block;width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:8px;background:#f3f4f6}' +
      '.pc span{display:block;margin-top:6px}.pc:hover .pt{text-decoration:underline}' +
      '.pp{font-weight:600}' +
      // the inbox
      '.ib{position:fixed;right:16px;bottom:16px;z-index:2147482000;width:56px;height:56px;border:0;border-radius:50%;background:#0b57d0;color:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25)}' +
      '.ib svg{width:26px;height:26px;fill:currentColor;vertical-align:middle}' +
      '.bd{position:absolute;top:-2px;right:-2px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#cf222e;color:#fff;font:700 12px/22px system-ui,sans-serif}' +
      '.pn{position:fixed;right:16px;bottom:84px;z-index:2147483000;width:380px;max-width:calc(100vw - 32px);max-height:calc(100vh - 110px);overflow:auto;padding:20px;background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.3)}' +
      '.pn:focus{outline:none}' +
      '.pn h3{font-size:1em;margin:18px 0 8px}' +
      '.ms{list-style:none;margin:0;padding:0}' +
      '.ms li{padding:10px 0;border-top:1px solid #e5e7eb}' +
      '.ms .u .mt{font-weight:700}' +
      '.ms .u .mt::before{content:"";display:inline-block;width:8px;height:8px;margin-right:6px;border-radius:50%;background:#0b57d0;vertical-align:middle}' +
      '.ms a{color:#0b57d0}' +
      '.ms p{margin:4px 0 0}' +
      '.dt{color:#57606a;font-size:.85em}' +
      '.pn .gr{grid-template-columns:repeat(3,1fr);gap:10px;font-size:.88em}' +
      // the wishlist heart
      '.ht{display:inline-flex;gap:6px;align-items:center;padding:6px 12px;border:1px solid #8c959f;border-radius:20px;background:#fff}' +
      '.ht svg{width:20px;height:20px;fill:none;stroke:#cf222e;stroke-width:2}' +
      '.ht[aria-pressed=true] svg{fill:#cf222e}' +
      '@media (prefers-reduced-motion:no-preference){.bx,.pn{animation:cwi .2s ease-out}@keyframes cwi{from{opacity:0;transform:translateY(8px)}}}';

    // host makes the shadow host of one widget, styled.
    let sheet;
    let host = (kind) => {
      let h = el(0, 'div', 0, null, { 'data-cartwheel-widget': kind });
      if (lang) h.lang = lang;
      let root = h.attachShadow({ mode: 'open' });
      try {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(CSS);
        }
        root.adoptedStyleSheets = [sheet];
      } catch (x) {
        el(root, 'style', 0, CSS);
      }
      return [h, root];
    };

    // ---- dialogs: Esc, focus trap, focus return -----------------------------

    // stack holds the close functions of what is open, newest last: Esc
    // closes the newest.
    let stack = [];
    let unstack = (f) => (stack = stack.filter((g) => g != f));
    on(
      d,
      'keydown',
      (e) => {
        if ((e.key == 'Escape' || e.key == 'Esc') && stack.length) {
          e.stopPropagation();
          stack[stack.length - 1]();
        }
      },
      true,
    );
    // trap keeps Tab and Shift+Tab inside box, a modal dialog in root.
    let trap = (box, root) =>
      on(box, 'keydown', (e) => {
        if (e.key != 'Tab') return;
        let f = [...box.querySelectorAll('a[href],button:not([disabled]),input:not([disabled]),[tabindex="0"]')].filter((x) => x.getClientRects().length);
        if (!f.length) return e.preventDefault();
        let a = root.activeElement;
        let first = f[0];
        let last = f[f.length - 1];
        if (e.shiftKey ? a == first || a == box || !box.contains(a) : a == last || !box.contains(a)) {
          e.preventDefault();
          (e.shiftKey ? last : first).focus();
        }
      });
    // refocus gives focus back to what had it before a dialog opened.
    let refocus = (x) => {
      try {
        x && x.focus && d.contains(x) && x.focus();
      } catch (e) {}
    };
    let closeButton = (parent, f) => {
      let b = el(parent, 'button', 'x', '×', { type: 'button', 'aria-label': T.close });
      on(b, 'click', f);
      return b;
    };

    // card renders one product as a link; click runs before the navigation.
    let card = (parent, p, click) => {
      let a = el(parent, 'a', 'pc', null, { href: href(p.url) || '#' });
      if (p.image) el(a, 'img', 0, null, { src: p.image, alt: '', loading: 'lazy', width: '300', height: '300' });
      el(a, 'span', 'pt', p.title);
      if (p.price) el(a, 'span', 'pp', p.price);
      if (click) on(a, 'click', click);
      return a;
    };
    let grid = (parent, products, click) => {
      let ul = el(parent, 'ul', 'gr', null, { role: 'list' });
      products.forEach((p, i) => card(el(ul, 'li'), p, click && (() => click(p, i))));
      return ul;
    };

    // ---- one overlay at a time ----------------------------------------------

    // Overlays take turns, by priority (docs/widgets.md): a dialog the
    // visitor opened (the inbox panel) > a pop-up > the push prompt. An
    // overlay on screen carries data-cartwheel-overlay="<priority>" on its
    // host, and every change is announced with a cartwheel:overlay event on
    // the document: push-prompt.js (a separate script) waits for no overlay
    // and steps aside when one opens.
    let overlay = (h, p) => {
      p ? h.setAttribute('data-cartwheel-overlay', p) : h.removeAttribute('data-cartwheel-overlay');
      safe(() => d.dispatchEvent(new CustomEvent('cartwheel:overlay')))();
    };
    let panelOpen = 0; // the inbox panel (opened by the visitor) is open
    // editing reports whether the visitor is typing: the focus is in a text
    // field (also inside a shadow root) or an editable element.
    let editing = () => {
      let a = d.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return !!a && (a.isContentEditable || a.tagName == 'TEXTAREA' || a.tagName == 'SELECT' ||
        (a.tagName == 'INPUT' && !/^(button|submit|reset|checkbox|radio|range|color|file|image|hidden)$/.test(a.type)));
    };

    // ---- the once-per-session cap, kept in the browser ----------------------

    // The server counts widget_shown events, which the tracker sends in
    // batches: a visitor who moves on right after a pop-up can reach the
    // next page before the server heard of it. So a pop-up's showing is also
    // written here, synchronously, when it opens, and a pop-up whose cap
    // (per_session in the answer) is used up in this session is not armed
    // again. The session is the tracker's (cookie cw_sid).
    let SK = 'cw_ps';
    let session = () => (d.cookie.match(/(?:^|;\s*)cw_sid=([^;]*)/) || [])[1] || '';
    let shows = () => {
      let s = safe(() => JSON.parse(sessionStorage[SK]))() || {};
      return s.s == session() && s.n ? s.n : {};
    };
    let counted = (id) => {
      let n = shows();
      n[id] = (n[id] || 0) + 1;
      safe(() => (sessionStorage[SK] = JSON.stringify({ s: session(), n })))();
    };

    // ---- pop-ups ------------------------------------------------------------

    let current = null; // the pop-up on screen
    let waiting = []; // pop-ups whose trigger fired meanwhile: one at a time
    let deferred = 0; // a modal waits for the visitor to stop typing
    let next = () => !current && !panelOpen && waiting.length && popup(waiting.shift());

    let popup = (P) => {
      if (current || panelOpen || !d.body) return waiting.push(P);
      let modal = P.layout != 'corner';
      // A modal takes the focus, so it never opens while the visitor types
      // in a field of the page: it waits until the focus leaves the field.
      if (modal && editing()) {
        waiting.unshift(P);
        deferred ||
          (deferred = on(d, 'focusout', () => setTimeout(safe(() => editing() || (deferred(), (deferred = 0), next())), 0), true));
        return;
      }
      current = P;
      PV || counted(P.id);
      let c = P.content || {};
      let ev = (t) => track(t, { widget: P.id, variant: P.variant });
      let clicked = 0;
      let click = () => clicked++ || ev('widget_clicked');
      let before = d.activeElement;
      let [h, root] = host('popup');
      let wrap = el(root, 'div', modal ? 'ov' : 'cn');
      let box = el(wrap, 'div', 'bx', null, { role: 'dialog', 'aria-modal': modal, 'aria-labelledby': 'cw-t', tabindex: '-1' });
      let close = () => {
        if (current != P) return;
        let inside = modal || root.activeElement;
        h.remove();
        unstack(close);
        current = null;
        ev('widget_closed');
        overlay(h);
        inside && refocus(before);
        next();
      };
      // A dialog the visitor opens (the inbox panel) puts a corner card
      // aside until it closes.
      P.aside = (off) => {
        h.hidden = off;
        off ? unstack(close) : stack.push(close);
        overlay(h, !off && 2);
      };
      closeButton(box, close);
      if (c.image) el(box, 'img', 'im', null, { src: c.image, alt: '' });
      el(box, 'h2', 0, c.title || '', { id: 'cw-t' });
      if (c.body) box.setAttribute('aria-describedby', 'cw-b'), el(box, 'p', 0, c.body, { id: 'cw-b' });
      if (c.products && c.products.length) grid(box, c.products.slice(0, 4), click);
      // Success and other news are announced through this live region.
      let live = el(box, 'div', 0, null, { 'aria-live': 'polite' });
      let F = c.form;
      if (F) {
        let f = el(box, 'form', 'f', null, { novalidate: '' });
        el(f, 'label', 0, T.email, { for: 'cw-e' });
        let inp = el(f, 'input', 'e', null, { id: 'cw-e', type: 'email', name: 'email', autocomplete: 'email', required: '', 'aria-describedby': 'cw-er' });
        let cb = null;
        if (F.consent_text) {
          let row = el(f, 'label', 'c');
          cb = el(row, 'input', 0, null, { type: 'checkbox', name: 'consent' });
          if (F.consent_required) cb.setAttribute('aria-required', 'true');
          el(row, 'span', 0, F.consent_text);
        }
        let boxes = [];
        if (F.interests && F.interests.length) {
          let fs = el(f, 'fieldset');
          el(fs, 'legend', 0, T.interests);
          F.interests.forEach((n) => {
            let row = el(fs, 'label', 'c');
            boxes.push(el(row, 'input', 0, null, { type: 'checkbox', name: 'interests', value: n }));
            el(row, 'span', 0, n);
          });
        }
        let err = el(f, 'p', 'er', null, { id: 'cw-er', role: 'alert' });
        let btn = el(f, 'button', 'y', c.cta || T.submit, { type: 'submit' });
        let fail = (msg, x) => {
          err.textContent = msg || T.error;
          btn.disabled = false;
          if (x) x.setAttribute('aria-invalid', 'true'), x.focus();
        };
        on(f, 'submit', (e) => {
          e.preventDefault();
          if (btn.disabled) return;
          click();
          inp.removeAttribute('aria-invalid');
          err.textContent = '';
          let email = inp.value.trim();
          if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return fail(T.invalid_email, inp);
          if (cb && F.consent_required && !cb.checked) return fail(T.consent_required, cb);
          btn.disabled = true;
          // A preview shows the success without sending anything, with
          // the sample code the page gave.
          (PV
            ? Promise.resolve({ ok: true, code: me.getAttribute('data-cartwheel-preview-code') })
            : post('/widgets/submit', {
                widget: P.id,
                variant: P.variant,
                email,
                consent: !!(cb && cb.checked),
                interests: boxes.filter((b) => b.checked).map((b) => b.value),
              }).then(json)
          ).then(
              safe((j) => {
                if (!j.ok) return fail();
                let code = j.code;
                f.remove();
                el(live, 'p', 0, j.message || (c.success || '').replace('{code}', code || ''));
                if (code) {
                  let row = el(live, 'p', 'cd');
                  let k = el(row, 'code', 0, code);
                  let cp = el(row, 'button', 'n', T.copy, { type: 'button' });
                  on(cp, 'click', () => {
                    let done = () => (cp.textContent = T.copied);
                    let old = () => {
                      // Without the async clipboard (an insecure origin):
                      // select the code and copy the selection.
                      getSelection().selectAllChildren(k);
                      d.execCommand('copy') && done();
                    };
                    navigator.clipboard ? navigator.clipboard.writeText(code).then(done, safe(old)) : old();
                  });
                }
                // The form (and the focus in it) is gone: keep focus in the dialog.
                box.focus();
              }),
              safe((j) => fail(j && j.error && (j.error.message || (typeof j.error == 'string' && j.error)))),
            );
        });
      } else if (c.cta) {
        // A call to action: a link, or a button that closes the pop-up.
        let link = href(c.link);
        let a = el(box, link ? 'a' : 'button', 'y', c.cta, link ? { href: link } : { type: 'button' });
        on(a, 'click', () => {
          click();
          link || close();
        });
      }
      stack.push(close);
      if (modal) {
        trap(box, root);
        // A click on the dimmed page around the dialog closes it.
        on(wrap, 'click', (e) => e.target == wrap && close());
      }
      d.body.appendChild(h);
      overlay(h, 2);
      // A modal takes the focus (the page behind it is out of reach); a
      // corner card does not move it: it is announced, and Tab reaches it.
      if (modal) box.focus();
      else {
        // On a narrow screen the card would cover the inbox button, which
        // sits in the other bottom corner: it goes above it.
        let ib = d.querySelector('[data-cartwheel-widget=inbox]');
        let a = box.getBoundingClientRect();
        let b = ib && ib.shadowRoot.querySelector('.ib').getBoundingClientRect();
        b && a.right > b.left && a.left < b.right && a.bottom > b.top && wrap.classList.add('up');
        // A live region announces what is already in it only once it changes.
        let say = el(root, 'p', 'vh', null, { role: 'status' });
        setTimeout(safe(() => (say.textContent = c.title || '')), 50);
      }
      ev('widget_shown');
    };

    // arm waits for a pop-up's trigger, which fires at most once per page.
    let arm = (P) => {
      if (PV) return popup(P);
      if (P.per_session > 0 && (shows()[P.id] || 0) >= P.per_session) return;
      let t = P.trigger || {};
      let offs = [];
      let fired = 0;
      let fire = safe(() => {
        if (fired++) return;
        offs.forEach((f) => f());
        popup(P);
      });
      let timer = (s) => {
        let id = setTimeout(fire, s * 1e3);
        offs.push(() => clearTimeout(id));
        return id;
      };
      let listen = (target, n, f) => offs.push(on(target, n, f, { passive: true, capture: true }));
      let root = d.documentElement;
      if (t.after_seconds != null) timer(+t.after_seconds || 0);
      else if (t.scroll_percent != null) {
        let check = () => {
          let max = root.scrollHeight - innerHeight;
          max > 0 && (scrollY / max) * 100 >= +t.scroll_percent && fire();
        };
        listen(w, 'scroll', check);
        check();
      } else if (t.exit_intent) {
        // Desktop: the pointer leaves the viewport through its top edge.
        listen(d, 'mouseout', (e) => !e.relatedTarget && e.clientY <= 0 && fire());
        // Touch screens have no pointer to leave: a fast scroll up (a quarter
        // of the screen within 300 ms) stands in.
        if (w.matchMedia && matchMedia('(pointer:coarse)').matches) {
          let y0 = scrollY;
          let t0 = Date.now();
          listen(w, 'scroll', () => {
            let y = scrollY;
            let n = Date.now();
            if (n - t0 > 300 || y > y0) (y0 = y), (t0 = n);
            else if (y0 - y > innerHeight / 4) fire();
          });
        }
      } else if (t.inactive_seconds != null) {
        // One timer, restarted by every sign of life (not timer(), which
        // would add a clean-up per mouse move).
        let id = 0;
        let reset = () => {
          clearTimeout(id);
          id = setTimeout(fire, (+t.inactive_seconds || 0) * 1e3);
        };
        offs.push(() => clearTimeout(id));
        ['mousemove', 'keydown', 'scroll', 'touchstart', 'click'].forEach((n) => listen(w, n, reset));
        reset();
      } else fire();
    };

    // ---- frames -------------------------------------------------------------

    let frame = (f) => {
      let ps = f.products || [];
      if (!ps.length) return;
      // A named placeholder (filled), or an admin's selector: its first
      // match, filled when empty, else followed by the frame.
      let spots = [...d.querySelectorAll('[data-cartwheel-frame]')].filter((x) => f.name && x.getAttribute('data-cartwheel-frame') == f.name);
      let sel = !spots.length && f.selector && d.querySelector(f.selector);
      if (sel) spots = [sel];
      spots.forEach((spot) => {
        if (spot.querySelector('[data-cartwheel-widget=frame]')) return;
        let [h, root] = host('frame');
        let sec = el(root, 'section', 'fr');
        if (f.title) sec.setAttribute('aria-labelledby', 'cw-ft'), el(sec, 'h2', 0, f.title, { id: 'cw-ft' });
        grid(sec, ps, (p, i) => track('reco_clicked', { widget: f.id, product_id: p.id, strategy: f.strategy, position: i + 1 }));
        // A child host, so that the shop's `[data-cartwheel-frame]:empty`
        // rule stops hiding the placeholder once it is filled.
        spot == sel && spot.children.length ? spot.after(h) : spot.appendChild(h);
        let seen = () => track('widget_shown', { widget: f.id, variant: f.variant });
        if (w.IntersectionObserver) {
          let io = new IntersectionObserver(
            safe((es) => es.some((x) => x.isIntersecting) && (io.disconnect(), seen())),
            { threshold: 0.3 },
          );
          io.observe(h);
        } else seen();
      });
    };

    // ---- the inbox ----------------------------------------------------------

    let inbox = (I) => {
      if (!d.body || d.querySelector('[data-cartwheel-widget=inbox]')) return;
      let [h, root] = host('inbox');
      let btn = el(root, 'button', 'ib', null, { type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false' });
      icon(btn, MAIL);
      let badge = el(btn, 'span', 'bd', null, { 'aria-hidden': 'true' });
      let count = (n) => {
        badge.textContent = n > 99 ? '99+' : n;
        badge.hidden = !n;
        btn.setAttribute('aria-label', T.inbox + (n ? ' (' + T.unread.replace('{n}', n) + ')' : ''));
      };
      count(+I.unread || 0);
      let panel = null;
      let close = () => {
        if (!panel) return;
        panel.remove();
        panel = null;
        panelOpen = 0;
        unstack(close);
        btn.setAttribute('aria-expanded', 'false');
        overlay(h);
        btn.focus();
        current && current.aside ? current.aside(false) : next();
      };
      let section = (parent, title, items, render) => {
        el(parent, 'h3', 0, title);
        items && items.length ? render(items) : el(parent, 'p', 'dt', T.empty);
      };
      let open = () => {
        if (panel) return close();
        track('widget_clicked', { widget: I.id || 'inbox' });
        current && current.aside && current.aside(true);
        panelOpen = 1;
        overlay(h, 3);
        panel = el(root, 'div', 'pn', null, { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'cw-it', tabindex: '-1' });
        closeButton(panel, close);
        el(panel, 'h2', 0, T.inbox, { id: 'cw-it' });
        let body = el(panel, 'div', 0, null, { 'aria-live': 'polite', 'aria-busy': 'true' });
        let wait = el(body, 'p', 'dt', T.loading);
        btn.setAttribute('aria-expanded', 'true');
        stack.push(close);
        trap(panel, root);
        panel.focus();
        let mine = panel;
        (PV ? Promise.resolve({}) : fetch(E + '/inbox?' + new URLSearchParams({ k: K, v: V() })).then(json))
          .then(
            safe((j) => {
              if (panel != mine) return;
              wait.remove();
              body.setAttribute('aria-busy', 'false');
              let unread = [];
              section(body, T.messages, j.messages, (ms) => {
                let ul = el(body, 'ul', 'ms', null, { role: 'list' });
                ms.forEach((m) => {
                  let li = el(ul, 'li', m.read ? '' : 'u');
                  let t = el(li, 'div', 'mt');
                  if (href(m.url)) el(t, 'a', 0, m.title, { href: href(m.url) });
                  else t.textContent = m.title || '';
                  if (m.body) el(li, 'p', 0, m.body);
                  let at = new Date(m.created_at);
                  if (m.created_at && !isNaN(at)) el(li, 'p', 'dt', at.toLocaleDateString(lang || undefined));
                  m.read || unread.push(m.id);
                });
              });
              section(body, T.recently_viewed, j.recently_viewed, (ps) => grid(body, ps));
              section(body, T.wishlist, j.wishlist, (ps) => grid(body, ps));
              // Opened is read: tell the server, then clear the badge.
              Promise.all(unread.map((id) => post('/inbox/read', { id }))).then(() => count(0), Boolean);
              unread.length || count(0);
            }),
            safe(() => {
              body.setAttribute('aria-busy', 'false');
              wait.textContent = T.error;
            }),
          );
      };
      on(btn, 'click', open);
      d.body.appendChild(h);
      // The push prompt keeps clear of the button: tell it the button is here.
      overlay(h);
      track('widget_shown', { widget: I.id || 'inbox' });
    };

    // ---- the wishlist heart -------------------------------------------------

    let heart = (ids) => {
      let ctx = safe(() => JSON.parse(d.querySelector('[data-cartwheel-context]').textContent))() || {};
      let pid = ctx.product && ctx.product.id;
      if (pid == null || d.querySelector('[data-cartwheel-widget=wishlist]')) return;
      pid = String(pid);
      // Where the shop asked for it, else after the add-to-cart form, else
      // after the page's heading.
      let spot = d.querySelector('[data-cartwheel-wishlist]');
      let next = !spot && (d.querySelector('form[action*="/cart/add"],form[data-cartwheel-add-to-cart]') || d.querySelector('h1'));
      if (!spot && !next) return;
      let [h, root] = host('wishlist');
      // The name stays; aria-pressed says whether it is on the list.
      let b = el(root, 'button', 'ht', null, { type: 'button', 'aria-label': T.wishlist });
      icon(b, HEART);
      let label = el(b, 'span', 0, null, { 'aria-hidden': 'true' });
      let state = ids.map(String).indexOf(pid) >= 0;
      let set = (v) => {
        state = v;
        b.setAttribute('aria-pressed', v);
        label.textContent = v ? T.wishlist_remove : T.wishlist_add;
      };
      set(state);
      on(b, 'click', () => {
        let v = !state;
        set(v);
        post('/wishlist', { product_id: pid, on: v }).then((r) => r.ok || set(!v), () => set(!v));
      });
      spot ? spot.appendChild(h) : next.after(h);
    };

    // The soft push prompt, when the server wants it and the page has not
    // included it already.
    let pushPrompt = () => {
      if (w.cartwheelPushPrompt || d.querySelector('script[src*="push-prompt.js"]')) return;
      el(d.head, 'script', 0, null, { src: E + '/push-prompt.js', async: '' });
    };

    cw._w = safe((A) => {
      if (!A || !A.w) return;
      lang = A.locale || '';
      Object.assign(T, A.texts);
      (A.frames || []).forEach(safe(frame));
      // The inbox button first: a pop-up opening at once keeps clear of it.
      A.inbox && safe(inbox)(A.inbox);
      (A.popups || []).forEach(safe(arm));
      // The heart shows on every product page, also with an empty list.
      safe(heart)(Array.isArray(A.wishlist) ? A.wishlist : []);
      A.push_prompt && safe(pushPrompt)();
    });
    if (PV) {
      // The preview's links (products, a call to action) stay on the page.
      on(d, 'click', (e) => e.composedPath().some((x) => x.tagName == 'A') && e.preventDefault(), true);
      cw._w(PV);
    }
  } catch (x) {}
})(window, document);
