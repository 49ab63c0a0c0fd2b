// The processing page: poll the flow's status and move on when the run is done or needs new photos.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("lf-progress");
  var label = document.getElementById("lf-progress-label");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.next) { window.location.assign(status.next); return; }
        if (status) {
          bar.value = status.percent;
          bar.textContent = status.percent + "%";
          if (status.label && label.textContent !== status.label) { label.textContent = status.label; }
        }
        delay = Math.min(delay * 1.25, 4000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, delay);
})();
