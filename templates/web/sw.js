/* The service worker (served by dangjian.web.pwa at /sw.js, scope /). Generated config: */
const CONFIG = {{ config|safe }};
/* Three caches, named after the deployment's version so a new one replaces them all:
   shell  – the offline page and the files of base.html, fetched at install;
   static – other files under /static/, kept on first use (hashed names never change);
   pages  – the member's own pages listed in CONFIG.pages, the last copy read online. */
const SHELL = "dj-shell-" + CONFIG.version;
const STATIC = "dj-static-" + CONFIG.version;
const PAGES = "dj-pages";
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      // Without cookies: the shell is the same for everyone and must not be a signed-in page.
      .then(function (cache) {
        return cache.addAll(CONFIG.precache.map(function (url) {
          return new Request(url, { credentials: "omit" });
        }));
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== SHELL && name !== STATIC && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// pwa.js asks for this on logout: nothing of the member stays on the phone.
self.addEventListener("message", function (event) {
  if (event.data === "dj-clear-pages") { event.waitUntil(caches.delete(PAGES)); }
});

function fromCacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function fromNetworkFirst(request, keep) {
  return fetch(request).then(function (response) {
    var path = new URL(response.url).pathname;
    if (response.redirected && path === CONFIG.login) {
      // Signed out (or the session ended): the kept pages belong to someone no longer here.
      caches.delete(PAGES);
    } else if (keep && response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return keep ? cache.match(request.url) : undefined;
    }).then(function (hit) {
      return hit || caches.match(CONFIG.offline);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf(CONFIG.static) === 0) {
    // Hashed names (production) never change: the cache answers. Others (development) are
    // fetched and fall back to the cache only when offline.
    if (HASHED.test(url.pathname)) {
      event.respondWith(fromCacheFirst(request));
    } else {
      event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
    }
    return;
  }
  if (request.mode === "navigate") {
    var keep = CONFIG.pages.indexOf(url.pathname) !== -1 && url.search === "";
    event.respondWith(fromNetworkFirst(request, keep));
  }
});
