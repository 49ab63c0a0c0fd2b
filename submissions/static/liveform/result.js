// The result page's way back to the Return URL (spec §7: after "OK" or after 5 seconds). A timer
// rather than a meta refresh, so that "Stay on this page" can stop it (WCAG 2.2.1: a person who
// reads slowly or uses a screen reader gets the time they need).
(function () {
  "use strict";
  var box = document.getElementById("lf-return-timer");
  if (!box) { return; }
  var stay = document.getElementById("lf-stay");
  var seconds = Number(box.getAttribute("data-delay"));
  var timer = window.setTimeout(function () {
    window.location.assign(box.getAttribute("data-return-url"));
  }, seconds * 1000);
  box.hidden = false;
  stay.addEventListener("click", function () {
    window.clearTimeout(timer);
    box.hidden = true;
  });
})();
