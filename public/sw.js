// The service worker of Web Push (lib/push): shows what the server pushed, opens its page on a
// click. A push is JSON {title, body, link}, decrypted by the browser before it arrives here.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof message.title === "string" && message.title ? message.title : "Prizeledger";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === "string" ? message.body : "",
      data: { link: typeof message.link === "string" ? message.link : null },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only a page of this site: a link is a path the server wrote, never another origin.
  const link = event.notification.data?.link;
  let target = new URL("/notifications", self.location.origin);
  if (link) {
    const asked = new URL(link, self.location.origin);
    if (asked.origin === self.location.origin) target = asked;
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === target.href);
      return open ? open.focus() : self.clients.openWindow(target.href);
    }),
  );
});
