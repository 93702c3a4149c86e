/* The installable app: register the service worker (/sw.js, scope /), and make sure no page of
   a member stays on the phone after they leave: on logout, and on every signed-out page (the
   session may also have ended by idle timeout), the kept pages are deleted. */
(function () {
  "use strict";

  function clearPages() {
    if (!("caches" in window)) { return Promise.resolve(); }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("dj-clear-pages");
    }
    return caches.delete("dj-pages");
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" });
  }

  if (document.body && document.body.dataset.djSignedIn === "0") { clearPages(); }

  // Logout: delete first, then send the form (the next page may come before a late delete).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-dj-logout]");
    if (!form || form.dataset.djCleared) { return; }
    event.preventDefault();
    form.dataset.djCleared = "1";
    clearPages().then(function () { form.submit(); }, function () { form.submit(); });
  });
})();
