/* The minutes editor (orglife/_richtext.html): show the formatted box instead of the textarea,
   and copy its HTML back into the textarea when the form is sent. The server sanitizes it; the
   textarea's value was sanitized by the server too, so it may become the editor's HTML. */
(function () {
  "use strict";
  document.querySelectorAll("[data-richtext]").forEach(function (box) {
    var source = box.querySelector("[data-rt-source]");
    var editor = box.querySelector("[data-rt-editor]");
    var toolbar = box.querySelector("[data-rt-toolbar]");
    var label = box.querySelector("label");
    editor.innerHTML = source.value;
    source.hidden = true;
    editor.hidden = false;
    toolbar.hidden = false;
    label.removeAttribute("for");
    label.addEventListener("click", function () { editor.focus(); });
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* not supported */ }
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-cmd]");
      if (!button) { return; }
      editor.focus();
      document.execCommand(button.dataset.cmd, false, button.dataset.arg || null);
    });
    box.closest("form").addEventListener("submit", function () { source.value = editor.innerHTML; });
  });
})();
