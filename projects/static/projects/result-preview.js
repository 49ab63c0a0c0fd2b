// Liveform Customization: the phone preview follows the form as it is typed in. No network:
// the chosen picture is shown from the browser's own copy (a blob: URL) until it is saved.
(function () {
  "use strict";
  var preview = document.getElementById("result-preview");
  if (!preview) return;
  var main = document.getElementById("preview-main");
  var sub = document.getElementById("preview-sub");
  var picture = document.getElementById("preview-picture");
  var saved = picture.getAttribute("src");
  var objectUrl = null;

  function follow(input, target, fallback) {
    if (!input) return;
    input.addEventListener("input", function () {
      target.textContent = input.value.trim() || fallback;
    });
  }
  follow(document.querySelector("[data-preview=main]"), main, preview.dataset.builtInMain);
  follow(document.querySelector("[data-preview=sub]"), sub, preview.dataset.builtInSub);

  function show(src) {
    picture.hidden = !src;
    if (src) picture.setAttribute("src", src); else picture.removeAttribute("src");
  }
  var file = document.querySelector("[data-preview=picture]");
  var remove = document.getElementById("id_remove_picture");
  function update() {
    if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    if (file && file.files && file.files[0]) {
      objectUrl = URL.createObjectURL(file.files[0]);
      show(objectUrl);
    } else {
      show(remove && remove.checked ? "" : saved);
    }
  }
  if (file) file.addEventListener("change", update);
  if (remove) remove.addEventListener("change", update);
})();
