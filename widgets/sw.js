// Cartwheel's push service worker. It is served from the shop's own origin
// (the demo at /sw.js, Shopify through the App Proxy, WordPress through the
// plugin), because a service worker can only control its own origin.
//
// A push payload is JSON: {title, body, icon, image, tag, url}.
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

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = (e.notification.data || {}).url;
  if (url) e.waitUntil(self.clients.openWindow(url));
});
