// The meeting form: show only the fields the chosen kind uses, and propose the end time from the
// start and the kind's usual length (the server does the same when the end is left empty).
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) return;
  var kind = form.querySelector("#id_kind");
  var start = form.querySelector("#id_starts_at");
  var end = form.querySelector("#id_ends_at");
  var durations = {};
  try { durations = JSON.parse(kind.getAttribute("data-durations") || "{}"); } catch (e) { durations = {}; }
  var proposed = "";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function local(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function proposeEnd() {
    if (!start || !end || !start.value) return;
    // Only fill an end the user has not typed themselves.
    if (end.value && end.value !== proposed) return;
    var minutes = durations[kind.value];
    var when = new Date(start.value);
    if (!minutes || isNaN(when.getTime())) return;
    proposed = local(new Date(when.getTime() + minutes * 60000));
    end.value = proposed;
  }
  function showFields() {
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var box = input.closest(".col-12") || input.parentElement;
      var used = input.getAttribute("data-kinds").split(" ").indexOf(kind.value) !== -1;
      box.classList.toggle("d-none", !used);
    });
  }
  kind.addEventListener("change", function () { showFields(); proposeEnd(); });
  if (start) start.addEventListener("change", proposeEnd);
  showFields();
})();
