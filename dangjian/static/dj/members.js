/* Member list: the export links take the filter as it is now (the form changes without
   reloading the page). */
(function () {
  "use strict";
  document.querySelectorAll(".dj-export").forEach(function (link) {
    link.addEventListener("click", function () {
      var query = new URLSearchParams(new FormData(document.getElementById("member-filter")));
      link.href = link.href.split("?")[0] + "?" + query.toString();
    });
  });
})();
