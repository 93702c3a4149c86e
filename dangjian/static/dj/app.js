/* Behaviour every page may use, without inline script or event-handler attributes: the
   Content-Security-Policy runs scripts from this site's files only (script-src 'self'). */
(function () {
  "use strict";

  // <select data-dj-autosubmit>: choosing a value sends its form (e.g. the year picker).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-dj-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    // <input data-dj-select-on-click>: one click selects a value to copy (the calendar link).
    var input = event.target.closest("[data-dj-select-on-click]");
    if (input) { input.select(); }
    // Organization tree: a node's button loads its children once (HTMX), then shows it open.
    var toggle = event.target.closest("[data-dj-expand]");
    if (toggle) {
      toggle.disabled = true;
      toggle.setAttribute("aria-expanded", "true");
    }
  });

  // Progress bars: data-dj-width="42" sets the bar's width in percent. Setting a property through
  // the CSSOM is not an inline style, so no 'unsafe-inline' is needed. Runs on the page and on
  // every fragment HTMX swaps in (the import progress polls).
  htmx.onLoad(function (root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-dj-width]") : [];
    if (root.matches && root.matches("[data-dj-width]")) { bars = [root].concat(Array.prototype.slice.call(bars)); }
    Array.prototype.forEach.call(bars, function (bar) {
      var value = parseFloat(String(bar.dataset.djWidth).replace(",", "."));
      bar.style.width = (isFinite(value) ? Math.max(0, Math.min(100, value)) : 0) + "%";
    });
  });
})();
