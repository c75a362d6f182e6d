// Cartwheel's push service worker. It is served from the shop's own origin
// (the demo at /sw.js, Shopify through the App Proxy, WordPress through the
// plugin), because a service worker can only control its own origin.
//
// A push payload is JSON: {title, body, icon, image, tag, url}. url is the
// notification's click-tracking URL (/p/c/…), which counts the click and
// redirects to the page the message points to.
self.addEventListener('push', (e) => {
  let d = {};
  try {
    d = e.data ? e.data.json() : {};
  } catch (_) {
    d = { title: e.data.text() };
  }
  e.waitUntil(
    self.registration.showNotification(d.title || '', {
      body: d.body,
      icon: d.icon,
      image: d.image,
      tag: d.tag,
      data: { url: d.url },
    }),
  );
});

// A click opens the notification's URL, or focuses a tab already showing
// it rather than opening a second one.
self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = (e.notification.data || {}).url;
  if (!url) return;
  let target;
  try {
    target = new URL(url, self.location.origin).href;
  } catch (_) {
    return;
  }
  e.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) {
        if (c.url === target && 'focus' in c) return c.focus();
      }
      return self.clients.openWindow ? self.clients.openWindow(target) : undefined;
    }),
  );
});
