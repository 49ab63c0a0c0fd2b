// The "open in your browser" page: a button that copies the link. Without script (or without
// the clipboard API) the link stays in its field, to select and copy by hand.
(function () {
  "use strict";
  var button = document.getElementById("lf-copy");
  var field = document.getElementById("lf-open-link");
  var copied = document.getElementById("lf-copied");
  if (!button || !field) { return; }
  field.addEventListener("focus", function () { field.select(); });
  if (!navigator.clipboard || !navigator.clipboard.writeText) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () { copied.hidden = false; },
      function () { field.focus(); }
    );
  });
})();
